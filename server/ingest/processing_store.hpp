#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "flows/engine.hpp"
#include "ingest/webhook_item.hpp"
#include "routing/router.hpp"

namespace chorus::ingest {

/// What happened to a member: the ordered unit of processing. Every kind is processed under the
/// member's lock, in order, exactly once (its processed mark commits with what it caused).
enum class EventKind {
  kInbound,        // a message the member sent
  kTimer,          // a flow's reminder, timeout, wait or story idle time is up
  kWebhookResult,  // the answer of a webhook a flow called
  kFlowStart,      // a flow started for the member (an event follow-up; the API later)
  kOrganizerReply, // an organizer's one-to-one text from the inbox (the API)
  kOrganizerOptOut,// an organizer opts the member out of the organization on their behalf
  kOrganizerUpdate,// an organizer sets fields or tags (body: ingest/member_edit.hpp's text)
};

struct MemberEvent {
  EventKind kind = EventKind::kInbound;
  std::int64_t id = 0;  // inbound message id, or member event id
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  ChannelId channel_id = 0;  // kInbound: where it arrived; others: where to answer (0: any)
  std::string body;          // kInbound; kOrganizerReply: the text to send
  std::int64_t session_id = 0;
  int token = 0;                                  // kTimer, kWebhookResult
  flows::TimerKind timer = flows::TimerKind::kTimeout;  // kTimer
  bool ok = false;                                // kWebhookResult
  std::string flow;                               // kFlowStart
  std::optional<std::int64_t> event_id;           // kFlowStart: the event it follows up
};

/// A member as processing sees them.
struct MemberRecord {
  MemberId id = 0;
  OrganizationId organization_id = 0;
  std::string phone;  // E.164
  routing::MemberState state;
  flows::MemberView view;  // fields, tags, chapters; view.language mirrors state.language
  /// Messages sent to this member inside their organization's loop-guard window, by body hash
  /// (cancelled messages excluded).
  std::unordered_map<std::uint32_t, int> recent_sends;
  std::vector<flows::Session> sessions;  // active sessions, at most one per channel
  std::int64_t open_conversation = 0;    // a handed-off conversation in the inbox (0: none)
  ChannelId conversation_channel = 0;
  /// The latest broadcast message sent to the member inside its reply window that they have
  /// not answered yet: their next message is a reply to it (and goes to its reply flow).
  struct BroadcastReply {
    OutboundId message = 0;
    ChannelId channel = 0;
    std::string flow;  // "" when the broadcast has no reply flow
  };
  std::optional<BroadcastReply> broadcast_reply;
};

/// Everything one processing transaction needs, loaded under the members' locks.
struct BatchContext {
  std::vector<MemberEvent> events;  // each member's pending events in order (arrival, due time)
  std::unordered_map<MemberId, MemberRecord> members;
  TimePoint now;
};

// ---- Effects: one writer each, all in the batch's transaction. ----

struct OutboundDraft {
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  MemberId member_id = 0;
  std::string recipient;
  std::string body;
  routing::ReplyKind kind = routing::ReplyKind::kReply;
  int segments = 1;
  bool ucs2 = false;
  std::uint32_t body_hash = 0;
  InboundId inbound_id = 0;  // 0 when a timer or webhook result caused it
  bool cancelled = false;    // stored but never sent
  std::string cancel_reason; // "loop_guard", "opted_out"
};

struct ConsentRecord {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  ChannelId channel_id = 0;
  routing::ConsentChange change;
  InboundId inbound_id = 0;  // 0: not caused by a message
  std::string source = "keyword";  // keyword | api (consent_events.source)
};

/// The final opt-out state of a member whose consent changed in the batch.
struct OptOutState {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  bool all = false;
  std::vector<ChannelId> channels;
};

/// A member's own columns and fields that changed.
struct MemberUpdate {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  std::optional<std::string> language;
  bool join = false;
  std::map<std::string, std::string> fields;  // merged into the stored fields
  std::set<std::string> tags_added, tags_removed;
  std::set<std::string> chapters_joined, chapters_left;  // slugs
};

/// The final state of a session the batch touched. Sessions are referred to by their index in
/// BatchEffects::sessions, since a new one has no id before it is written.
struct SessionWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  flows::Session session;  // id 0: new
  bool cancel_stored_timers = false;  // its pending timers from earlier batches are void
};

struct TimerWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  std::size_t session = 0;  // index in BatchEffects::sessions
  ChannelId channel_id = 0;
  flows::TimerRequest request;
  std::string time_zone;  // for until-local-time waits
};

struct ActionWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  std::optional<std::size_t> session;
  ChannelId channel_id = 0;
  flows::ActionRecord action;
  InboundId inbound_id = 0;
};

/// A valid answer to a flow's ask step, kept for the flow's answers export.
struct AnswerWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  ChannelId channel_id = 0;
  std::string flow;
  int version = 0;
  flows::AnswerRecord answer;
};

/// A story or a hand-off, landing in the inbox; and inbound messages a conversation takes.
struct InboxWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  ChannelId channel_id = 0;
  std::optional<std::size_t> session;
  // kClose: the member's open hand-off is closed (STOP).
  enum class Kind { kHandOff, kStory, kMessage, kClose } kind = Kind::kHandOff;
  std::int64_t conversation_id = 0;  // kMessage, kClose: the open conversation
  flows::StoryRecord story;          // kStory
  InboundId inbound_id = 0;          // kMessage, and what caused the others
};

struct WebhookCallWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  std::size_t session = 0;
  ChannelId channel_id = 0;
  flows::WebhookRequest request;
  std::string payload;  // JSON body
};

/// An audit record of what processing did on a member's behalf (never message bodies).
struct AuditWrite {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  std::string action;  // "flow.started", "flow.ended", "chapter.joined", ...
  std::string detail;  // slugs and ids only
};

/// What processing made of an event, stored next to it.
enum class EventOutcome {
  kRouted,         // inbound: see its routing outcome
  kFired,          // a timer or result the flow took
  kStale,          // for a step the member already left
  kNoSession,      // the session ended before the event
  kStarted,        // kFlowStart: the flow ran
  kSuppressed,     // kFlowStart for an opted-out member: nothing sent
  kUnknownFlow,
  kSent,           // kOrganizerReply: queued for the member
  kOptedOut,       // kOrganizerOptOut: recorded (or the member had already opted out)
  kUpdated,        // kOrganizerUpdate: applied
  kInvalid,        // an event whose content could not be read: nothing done
};
std::string_view EventOutcomeName(EventOutcome outcome);
std::string_view EventKindName(EventKind kind);

/// Every kind of member event with every outcome it can be marked with ("inbound" with the
/// routing outcomes, the others with EventOutcome's), for metrics.
std::vector<std::pair<std::string, std::vector<std::string>>> EventOutcomeNames();

struct ProcessedMark {
  EventKind kind = EventKind::kInbound;
  OrganizationId organization_id = 0;
  std::int64_t id = 0;
  MemberId member_id = 0;
  routing::Outcome outcome = routing::Outcome::kNoReply;  // kInbound
  EventOutcome event_outcome = EventOutcome::kRouted;     // others
};

/// What processing a batch changes; written in the same transaction that loaded it.
struct BatchEffects {
  std::vector<MemberUpdate> member_updates;
  std::vector<ConsentRecord> consents;  // in order
  std::vector<OptOutState> opt_outs;
  std::vector<OutboundDraft> outbound;  // in order
  std::vector<SessionWrite> sessions;
  std::vector<TimerWrite> timers;
  std::vector<ActionWrite> actions;
  std::vector<AnswerWrite> answers;
  std::vector<InboxWrite> inbox;
  std::vector<WebhookCallWrite> webhook_calls;
  std::vector<AuditWrite> audit;
  /// Broadcast messages the member replied to (outbound_messages.replied_at).
  std::vector<std::pair<OrganizationId, OutboundId>> broadcast_replies;
  std::vector<ProcessedMark> processed;  // every event of the context
};

/// What a batch left for others to do.
struct BatchResult {
  std::vector<ChannelId> outbound_channels;  // got new queued messages
  bool webhook_calls = false;                // new calls to make
  std::vector<MemberKey> more;               // members with events beyond the batch's limit
};

/// Durable side of per-member ordered processing. One instance per worker thread (owns a
/// connection); not thread-safe.
class ProcessingStore {
 public:
  virtual ~ProcessingStore() = default;

  using Decide = std::function<BatchEffects(const BatchContext&)>;

  /// In one transaction: takes an exclusive lock per member (in sorted order, so nodes cannot
  /// deadlock), loads each member's pending events (unprocessed inbound messages, due timers,
  /// webhook results, flow starts; a bounded number per member) with one index lookup per
  /// member, loads the members, calls `decide` and writes its effects. An event another node
  /// processed first is simply not in the context. kUnavailable on outage.
  virtual Result<BatchResult> ProcessBatch(const std::vector<MemberKey>& keys,
                                           const Decide& decide) = 0;

  /// Marks every pending event of `key` processed with outcome "error", without routing them:
  /// used when processing them fails for a reason other than an outage, so one poison event
  /// cannot block its member (or the sweeper) forever. The events stay stored.
  virtual Result<void> Quarantine(const MemberKey& key) = 0;

  /// Members with events pending for longer than `older_than` (lost hints, crashes), and
  /// members with due timers.
  virtual Result<std::vector<MemberKey>> FindUnprocessed(std::chrono::milliseconds older_than,
                                                         std::size_t limit) = 0;

  /// Claims up to `limit` due events (timers, results, flow starts) for `lease` with SKIP
  /// LOCKED, so nodes share them without waiting on each other, and returns their members.
  virtual Result<std::vector<MemberKey>> ClaimDue(std::size_t limit,
                                                  std::chrono::milliseconds lease) = 0;
};

}  // namespace chorus::ingest

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broadcasts/broadcast.hpp"
#include "core/result.hpp"
#include "core/segments.hpp"

namespace chorus::broadcasts {

/// One language variant as the compose box shows it.
struct VariantPreview {
  std::string language;
  TextEncoding encoding = TextEncoding::kGsm7;
  std::vector<std::string> ucs2_characters;  // what forces UCS-2 (empty for GSM-7)
  int characters = 0;                        // code points, merge fields at their fallback
  int segments = 0;                          // per message
  std::int64_t recipients = 0;               // members who get this variant
  int look_alikes_replaced = 0;              // with replace_look_alikes
  int segments_without_replacement = 0;      // what each message would cost as written
  bool merge_fields = false;                 // sizes vary per member
};

struct ChannelCost {
  std::string channel;  // slug
  std::int64_t recipients = 0;
  std::int64_t segments = 0;
  double segment_price = 0;  // 0: no price configured for the channel
  std::string currency;
  double cost = 0;
};

/// Reach and cost before anything is sent.
struct Preview {
  std::int64_t reach = 0;                 // who would get a message
  std::int64_t opted_out = 0;             // matched the audience, opted out: left out
  std::int64_t held_by_quiet_hours = 0;   // of the reach, waiting for their morning
  std::int64_t total_segments = 0;
  std::int64_t segments_saved = 0;        // by replace_look_alikes
  std::vector<VariantPreview> variants;
  std::vector<ChannelCost> channels;
};

/// A broadcast's messages by what became of them.
struct Counts {
  std::int64_t held = 0;       // waiting: quiet hours, the queue limit, a pause
  std::int64_t queued = 0;
  std::int64_t sending = 0;
  std::int64_t sent = 0;       // the carrier took it (accepted or sent)
  std::int64_t delivered = 0;
  std::int64_t undelivered = 0;
  std::int64_t failed = 0;
  std::int64_t expired = 0;    // its stale-after time came first
  std::int64_t suppressed = 0; // the member opted out after the fan-out
  std::int64_t cancelled = 0;  // the broadcast was cancelled
  std::int64_t unknown = 0;
  std::map<std::string, std::int64_t> failed_by_code;  // carrier error code -> count
  std::int64_t replies = 0;    // members who texted within the reply window
  std::int64_t opt_outs = 0;   // members who opted out within the reply window
  std::int64_t actions = 0;    // actions taken within the reply window
};

struct BroadcastView {
  std::int64_t id = 0;
  std::string name;
  Status status = Status::kSending;
  std::int64_t recipients = 0;  // counted when created
  std::int64_t fanned_out = 0;  // messages written so far
  bool fan_out_done = false;
  std::vector<std::string> channels;
  std::map<std::string, std::string> variants;
  std::string send_at, stale_after, created_at, finished_at;  // RFC 3339; "" when none
  std::string created_by, approved_by;
  std::string reply_flow;
  std::int64_t reply_window_seconds = 0;
  bool quiet_hours = true;
  bool replace_look_alikes = false;
  std::optional<Counts> counts;  // with a single broadcast's read
};

/// Each variant as it will be sent, sized with its merge fields at their fallback ({{org.name}}
/// filled): pure and cheap, what a compose box asks on every keystroke. Recipients are 0.
std::vector<VariantPreview> PreviewTexts(const Draft& draft, const std::string& org_name);

enum class Outcome {
  kDone,
  kInvalid,     // `problem` says which field: an unknown chapter, event, channel or flow
  kOutOfReach,  // a chapter leader naming a chapter outside theirs
  kNotFound,
  kKeyReused,   // the Idempotency-Key was used for another request
  kWrongState,  // the action does not apply in the broadcast's status
  kSameCaller,  // an approval by the token that created it
};

struct PreviewOutcome {
  Outcome outcome = Outcome::kDone;
  Problem problem;
  Preview preview;
};

struct Written {
  Outcome outcome = Outcome::kDone;
  Problem problem;
  BroadcastView broadcast;
  bool repeated = false;  // the same Idempotency-Key answered before: nothing new was made
};

enum class Action { kPause, kResume, kCancel, kApprove };

/// Broadcasts as the organizer API sees them. Scoped by the caller: a chapter leader's
/// audience is cut to their chapters and they see only broadcasts of their chapters. Used by
/// one thread at a time.
class BroadcastStore {
 public:
  virtual ~BroadcastStore() = default;
  /// Counts the audience in PostgreSQL; nothing is written.
  virtual Result<PreviewOutcome> PreviewDraft(const Caller& caller, const Draft& draft) = 0;
  /// Makes the broadcast (awaiting approval above the organization's threshold), audited.
  /// The same Idempotency-Key again answers the first broadcast.
  virtual Result<Written> Create(const Caller& caller, const Draft& draft) = 0;
  /// Newest first, `limit` after the id `before` (0: from the newest).
  virtual Result<std::vector<BroadcastView>> List(const Caller& caller, std::int64_t before,
                                                  int limit) = 0;
  /// With counts; nullopt when not within reach.
  virtual Result<std::optional<BroadcastView>> Get(const Caller& caller, std::int64_t id) = 0;
  /// Pause, resume, cancel (every unsent message at once), approve; audited.
  virtual Result<Written> Act(const Caller& caller, std::int64_t id, Action action) = 0;
};

/// One fan-out step.
struct FanOutStep {
  std::int64_t written = 0;  // messages written by this batch
  bool finished = false;     // every member is written
};

struct Released {
  std::vector<ChannelId> channels;  // channels that got queued messages
  std::int64_t queued = 0;
  std::int64_t expired = 0;
};

struct ActiveBroadcast {
  OrganizationId organization = 0;
  std::int64_t id = 0;
  bool fanned_out = false;
};

/// The fan-out and release of broadcasts, as each node's runner drives it. Safe with several
/// nodes: each step locks its broadcast row (SKIP LOCKED) or its messages.
class BroadcastQueue {
 public:
  virtual ~BroadcastQueue() = default;
  /// Broadcasts whose time has come and that are sending.
  virtual Result<std::vector<ActiveBroadcast>> Active() = 0;
  /// Writes the next `batch` members' messages (held until released). Skipped (nothing
  /// written, not finished) when another node holds the broadcast.
  virtual Result<FanOutStep> FanOut(const ActiveBroadcast& broadcast, int batch) = 0;
  /// Moves held messages whose time has come into the send queue while the pool's queued
  /// broadcast messages stay under `queue_limit`; expired ones are counted, not queued.
  virtual Result<Released> Release(const ActiveBroadcast& broadcast, int queue_limit,
                                   int batch) = 0;
  /// Marks a fanned-out broadcast done once nothing of it waits or is in flight.
  virtual Result<bool> Finish(const ActiveBroadcast& broadcast) = 0;
};

}  // namespace chorus::broadcasts

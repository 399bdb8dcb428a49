#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "ingest/webhook_item.hpp"
#include "routing/router.hpp"

namespace chorus::ingest {

/// An inbound message waiting to be processed.
struct PendingInbound {
  InboundId id = 0;
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  std::string sender;
  bool sender_is_e164 = false;
  std::string body;
};

/// A member as processing sees them, keyed by sender in BatchContext.
struct MemberRecord {
  MemberId id = 0;
  routing::MemberState state;
  /// Messages sent to this member inside their organization's loop-guard window, by body hash
  /// (cancelled messages excluded).
  std::unordered_map<std::uint32_t, int> recent_sends;
};

/// Everything one processing transaction needs, loaded under the members' locks.
struct BatchContext {
  std::vector<PendingInbound> messages;  // every unprocessed message of the batch's members,
                                         // in arrival (id) order
  std::unordered_map<std::string, MemberRecord> members;  // by MemberKeyString(org, sender);
                                                           // only E.164 senders have one
};

std::string MemberKeyString(OrganizationId organization_id, const std::string& sender);

struct ConsentRecord {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  ChannelId channel_id = 0;
  routing::ConsentChange change;
  InboundId inbound_id = 0;
};

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
  InboundId inbound_id = 0;
  bool cancelled = false;      // stored but never sent (loop guard)
  std::string cancel_reason;   // "loop_guard"
};

struct MemberUpdate {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  std::optional<std::string> language;
  bool join = false;
};

/// The final opt-out state of a member whose consent changed in the batch.
struct OptOutState {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  bool all = false;
  std::vector<ChannelId> channels;
};

struct ProcessedMark {
  OrganizationId organization_id = 0;
  InboundId inbound_id = 0;
  std::optional<MemberId> member_id;
  std::string outcome;
};

/// What processing a batch changes; written in the same transaction that loaded it.
struct BatchEffects {
  std::vector<MemberUpdate> member_updates;
  std::vector<ConsentRecord> consents;    // in order
  std::vector<OptOutState> opt_outs;
  std::vector<OutboundDraft> outbound;    // in order
  std::vector<ProcessedMark> processed;   // every message of the context
};

/// Durable side of per-member ordered processing. One instance per worker thread (owns a
/// connection); not thread-safe.
class ProcessingStore {
 public:
  virtual ~ProcessingStore() = default;

  using Decide = std::function<BatchEffects(const BatchContext&)>;

  /// In one transaction: takes an exclusive lock per member key (in sorted order, so nodes
  /// cannot deadlock), loads every still-unprocessed message of those members, creates member
  /// rows for E.164 senders, loads their consent and recent sends, calls `decide` and writes
  /// its effects. Returns the channels that got new queued outbound messages. A message
  /// another node processed first is simply not in the context. kUnavailable on outage.
  virtual Result<std::vector<ChannelId>> ProcessBatch(const std::vector<MemberKey>& keys,
                                                       const Decide& decide) = 0;

  /// Marks every unprocessed message of `key` processed with outcome "error", without routing
  /// them: used when processing them fails for a reason other than an outage, so one poison
  /// message cannot block its member (or the sweeper) forever. The messages stay stored.
  virtual Result<void> Quarantine(const MemberKey& key) = 0;

  /// Members with messages unprocessed for longer than `older_than` (lost hints, crashes).
  virtual Result<std::vector<MemberKey>> FindUnprocessed(std::chrono::milliseconds older_than,
                                                         std::size_t limit) = 0;
};

}  // namespace chorus::ingest

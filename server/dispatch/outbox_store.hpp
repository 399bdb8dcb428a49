#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/delivery_status.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace chorus::dispatch {

/// An outbox message a dispatcher holds a lease on.
struct ClaimedMessage {
  OutboundId id = 0;
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  MemberId member_id = 0;
  std::string recipient;
  std::string body;
  int segments = 1;
  int attempt = 1;  // this attempt's number; fences late results of an expired lease
  /// An earlier attempt may have reached the carrier (lease lost, timeout): ask the carrier
  /// before sending again, where it can answer.
  bool outcome_unknown = false;
  std::chrono::system_clock::time_point created_at;  // when it was queued
  /// The member opted out since an earlier attempt that may have reached the carrier: send
  /// nothing, only find out (a lookup) whether the carrier has it, and record kAccepted,
  /// kCancelled or kUnknown.
  bool lookup_only = false;
};

/// What one claim did: the messages now leased to the caller, and how many due messages it
/// examined in all (leased plus cancelled for an opt-out). `examined == limit` means more may
/// be waiting.
struct ClaimBatch {
  std::vector<ClaimedMessage> messages;
  int examined = 0;
  /// The channel's shared throughput had no whole token: nothing was claimed; try again after
  /// this long.
  std::chrono::milliseconds throttled_for{0};
  /// > 0: the shared throughput allowed only this many of the `limit` asked for.
  int limited_to = 0;
};

enum class SendAction {
  kAccepted,            // carrier took it
  kRetry,               // back to the queue at now + retry_in
  kFailed,              // permanently failed
  kOptedOutAtCarrier,   // failed, and the member is opted out of this channel (source carrier)
  kCancelled,           // not sent, and the carrier confirmed it never had it (lookup_only)
  kUnknown,             // not sent again; an earlier attempt may have reached the carrier
};

/// The result of one send attempt, to record.
struct SendRecord {
  OutboundId id = 0;
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  MemberId member_id = 0;
  int attempt = 1;
  SendAction action = SendAction::kRetry;
  std::string carrier_message_id;
  DeliveryStatus status = DeliveryStatus::kAccepted;  // with kAccepted
  std::string error_code;
  std::string error_message;
  std::chrono::seconds retry_in{0};
  /// With kRetry or kFailed: this attempt may have reached the carrier (the request was written
  /// and no answer came). Kept until the message is accepted.
  bool outcome_unknown = false;
};

/// The outbox as dispatch sees it. One instance per thread (owns a connection).
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  /// Claims up to `limit` due queued messages of `channel`, best priority first then oldest,
  /// with FOR UPDATE SKIP LOCKED (so several nodes never claim the same message): each moves to
  /// 'sending', leased to `owner` until now + `lease`, attempts + 1. Only the head of each
  /// member's queue is claimable: no message is claimed while another message to the same
  /// member is 'sending' (on any channel), or while an earlier one on the same channel of
  /// equal or better priority is still queued (due or waiting for its retry), so a member's
  /// messages reach the carrier one at a time and in order. In the same statement, messages to
  /// members opted out of the channel or the organization are not sent (a compliance message
  /// only by an opt-out newer than itself): they are 'cancelled', or, when an earlier attempt
  /// may have reached the carrier, leased and returned with lookup_only so the dispatcher finds
  /// out what happened instead of guessing.
  ///
  /// With `segments_per_second` > 0 the claim first draws from the channel's bucket shared by
  /// every node (refilled at that rate, holding one second's worth): it claims no more messages
  /// than whole tokens are left and takes their segments, so all nodes together keep the
  /// channel's rate. 0: no shared limit.
  virtual Result<ClaimBatch> Claim(ChannelId channel, int limit, std::string_view owner,
                                   std::chrono::seconds lease, double segments_per_second = 0) = 0;

  /// Records results in one transaction. A record whose lease was lost (the message was
  /// recovered and claimed again: attempt differs or it is no longer 'sending') is ignored.
  /// kAccepted also applies delivery reports that arrived before the carrier's id was known.
  virtual Result<void> RecordResults(const std::vector<SendRecord>& records) = 0;

  /// Channels with queued messages due now, with their counts.
  virtual Result<std::vector<std::pair<ChannelId, std::int64_t>>> DueChannels() = 0;

  /// Requeues 'sending' messages whose lease expired (their dispatcher died), marked
  /// outcome_unknown. Returns how many.
  virtual Result<std::int64_t> RecoverExpiredLeases() = 0;

  /// Requeues every 'sending' message leased to `owner`, whatever its lease: called once at
  /// start by a node restarted under the same id, before it claims anything, so its own
  /// messages do not wait for their leases to expire. Marked outcome_unknown. How many.
  virtual Result<std::int64_t> RecoverOwnLeases(std::string_view owner) = 0;
};

}  // namespace chorus::dispatch

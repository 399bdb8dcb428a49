#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace chorus::dispatch {

/// A message the carrier took whose final status has not come: its carrier is to be asked.
struct UnsettledMessage {
  OutboundId id = 0;
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  std::string carrier_message_id;
  int attempt = 1;  // how many times it has been asked, this time included
};

/// How many times one message is asked at most. The schema's index of unsettled messages
/// (migrations/0019_reconcile.sql) holds the same number: change both together.
inline constexpr int kMaxReconcileAttempts = 3;

/// Where the reconciler finds messages to ask about. One instance per thread (it owns a
/// connection); not thread-safe.
class ReconcileStore {
 public:
  virtual ~ReconcileStore() = default;

  /// Those of `channels` that have a message ClaimUnsettled would take now (rate aside): one
  /// cheap read per round, so channels with nothing to ask about cost no write.
  virtual Result<std::vector<ChannelId>> ChannelsToAsk(const std::vector<ChannelId>& channels,
                                                       std::chrono::seconds after) = 0;

  /// Claims, for `channel`, outbound messages in 'accepted' or 'sent' whose last news is older
  /// than `after` (sent that long ago and not asked since, or asked that long ago), asked fewer
  /// than kMaxReconcileAttempts times, oldest first, with FOR UPDATE SKIP LOCKED: each is marked
  /// asked now (its attempt counted) in the same transaction, so no other node claims it again
  /// within `after`. At most `per_second` a second for the channel across every node (a token
  /// bucket shared through the database, holding one second's worth): when none are left the
  /// answer is empty. kUnavailable when the database cannot be reached.
  virtual Result<std::vector<UnsettledMessage>> ClaimUnsettled(ChannelId channel,
                                                               std::chrono::seconds after,
                                                               int per_second) = 0;
};

}  // namespace chorus::dispatch

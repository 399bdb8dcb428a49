#pragma once

#include <string>

#include "dispatch/reconcile_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// ReconcileStore on PostgreSQL: a channel's rate is a token bucket in reconcile_throttles,
/// and the claim walks the index of unsettled messages with FOR UPDATE SKIP LOCKED.
class PgReconcileStore final : public dispatch::ReconcileStore {
 public:
  explicit PgReconcileStore(std::string dsn);
  Result<std::vector<ChannelId>> ChannelsToAsk(const std::vector<ChannelId>& channels,
                                               std::chrono::seconds after) override;
  Result<std::vector<dispatch::UnsettledMessage>> ClaimUnsettled(ChannelId channel,
                                                                 std::chrono::seconds after,
                                                                 int per_second) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

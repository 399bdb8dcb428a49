#pragma once

#include <string>

#include "broadcasts/broadcast_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// Broadcasts for the organizer API (docs/BROADCASTS.md).
class PgBroadcastStore final : public broadcasts::BroadcastStore {
 public:
  explicit PgBroadcastStore(std::string dsn);

  Result<broadcasts::PreviewOutcome> PreviewDraft(const broadcasts::Caller& caller,
                                                  const broadcasts::Draft& draft) override;
  Result<broadcasts::Written> Create(const broadcasts::Caller& caller,
                                     const broadcasts::Draft& draft) override;
  Result<std::vector<broadcasts::BroadcastView>> List(const broadcasts::Caller& caller,
                                                      std::int64_t before, int limit) override;
  Result<std::optional<broadcasts::BroadcastView>> Get(const broadcasts::Caller& caller,
                                                       std::int64_t id) override;
  Result<broadcasts::Written> Act(const broadcasts::Caller& caller, std::int64_t id,
                                  broadcasts::Action action) override;

 private:
  PgSession session_;
};

/// The fan-out and release steps of each node's runner.
class PgBroadcastQueue final : public broadcasts::BroadcastQueue {
 public:
  explicit PgBroadcastQueue(std::string dsn);

  Result<std::vector<broadcasts::ActiveBroadcast>> Active() override;
  Result<broadcasts::FanOutStep> FanOut(const broadcasts::ActiveBroadcast& broadcast,
                                        int batch) override;
  Result<broadcasts::Released> Release(const broadcasts::ActiveBroadcast& broadcast,
                                       int queue_limit, int batch) override;
  Result<bool> Finish(const broadcasts::ActiveBroadcast& broadcast) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

#pragma once

#include <string>

#include "dispatch/outbox_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// OutboxStore on PostgreSQL: claims with FOR UPDATE SKIP LOCKED and checks consent in the
/// same statement; results are written per action as one statement over arrays.
class PgOutboxStore final : public dispatch::OutboxStore {
 public:
  explicit PgOutboxStore(std::string dsn);
  Result<dispatch::ClaimBatch> Claim(ChannelId channel, int limit, std::string_view owner,
                                     std::chrono::seconds lease,
                                     double segments_per_second = 0) override;
  Result<void> RecordResults(const std::vector<dispatch::SendRecord>& records) override;
  Result<std::vector<std::pair<ChannelId, std::int64_t>>> DueChannels() override;
  Result<std::int64_t> RecoverExpiredLeases() override;
  Result<std::int64_t> RecoverOwnLeases(std::string_view owner) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

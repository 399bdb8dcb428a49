#pragma once

#include <string>

#include "retention/retention_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// RetentionStore on PostgreSQL: walks each organization's messages by primary key from a
/// cursor row (retention_cursors, migration 0005) that one node at a time holds with
/// FOR UPDATE SKIP LOCKED, so no index on message age is needed on the ingest path.
class PgRetentionStore final : public retention::RetentionStore {
 public:
  explicit PgRetentionStore(std::string dsn);
  Result<int> ExpireIdempotencyKeys(std::chrono::hours age) override;
  Result<retention::RedactionStep> RedactOlderThan(OrganizationId organization,
                                                   retention::Direction direction, int days,
                                                   int limit, std::int64_t resume_after) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

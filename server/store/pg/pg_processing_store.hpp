#pragma once

#include <string>

#include "ingest/processing_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// ProcessingStore on PostgreSQL. Per-member exclusion is a transaction-level advisory lock on
/// MemberLockKey, taken in ascending key order; every read and write of a batch is one
/// statement over arrays (the writers are in pg_effect_writers.hpp).
class PgProcessingStore final : public ingest::ProcessingStore {
 public:
  explicit PgProcessingStore(std::string dsn);
  Result<ingest::BatchResult> ProcessBatch(const std::vector<ingest::MemberKey>& keys,
                                           const Decide& decide) override;
  Result<void> Quarantine(const ingest::MemberKey& key) override;
  Result<std::vector<ingest::MemberKey>> FindUnprocessed(std::chrono::milliseconds older_than,
                                                         std::size_t limit) override;
  Result<std::vector<ingest::MemberKey>> ClaimDue(std::size_t limit,
                                                  std::chrono::milliseconds lease) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

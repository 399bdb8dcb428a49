#pragma once

#include <string>

#include "ingest/inbox_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// InboxStore on PostgreSQL: one multi-row INSERT ... ON CONFLICT DO NOTHING for the batch's
/// inbound messages and one statement for its status reports, in one transaction.
class PgInboxStore final : public ingest::InboxStore {
 public:
  explicit PgInboxStore(std::string dsn);
  Result<ingest::StoredBatch> StoreBatch(const std::vector<ingest::WebhookItem>& items) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

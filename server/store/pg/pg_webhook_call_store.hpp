#pragma once

#include <string>

#include "dispatch/webhook_caller.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// WebhookCallStore on PostgreSQL (table webhook_calls, migration 0007).
class PgWebhookCallStore final : public dispatch::WebhookCallStore {
 public:
  explicit PgWebhookCallStore(std::string dsn);
  Result<std::vector<dispatch::WebhookCall>> Claim(std::size_t limit,
                                                   std::chrono::milliseconds lease) override;
  Result<std::vector<bool>> Finish(const std::vector<dispatch::WebhookResult>& results) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

#include "store/pg/pg_idempotency.hpp"

namespace chorus::store::pg {

std::optional<RecalledKey> RecallKey(pqxx::work& tx, OrganizationId org, const std::string& key,
                                     const std::string& request) {
  if (key.empty()) return std::nullopt;
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1::text || '/' || $2))", org, key);
  const pqxx::result seen = tx.exec_params(
      "SELECT request, status, body FROM api_idempotency WHERE organization_id = $1 AND key = $2",
      org, key);
  if (seen.empty()) return std::nullopt;
  return RecalledKey{seen[0][0].as<std::string>() == request, seen[0][1].as<int>(),
                     seen[0][2].as<std::string>()};
}

void RememberKey(pqxx::work& tx, OrganizationId org, std::int64_t token_id, const std::string& key,
                 const std::string& request, int status, const std::string& body) {
  if (key.empty()) return;
  tx.exec_params("INSERT INTO api_idempotency (organization_id, key, token_id, request, status,"
                 " body) VALUES ($1, $2, $3, $4, $5, $6)",
                 org, key, token_id, request, status, body);
}

}  // namespace chorus::store::pg

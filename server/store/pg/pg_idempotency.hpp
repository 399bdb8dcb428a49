#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "core/ids.hpp"

namespace chorus::store::pg {

/// What an Idempotency-Key answered the first time (api_idempotency).
struct RecalledKey {
  bool same_request = false;  // false: the key was used for another request (refuse it)
  int status = 0;
  std::string body;  // what the write stored: an id
};

/// The first answer to `key` in `org`, or nullopt ("" keys are never recalled). Two requests
/// with one key wait for each other here (an advisory lock to the end of `tx`).
std::optional<RecalledKey> RecallKey(pqxx::work& tx, OrganizationId org, const std::string& key,
                                     const std::string& request);

/// Keeps the answer to `key` (nothing for "").
void RememberKey(pqxx::work& tx, OrganizationId org, std::int64_t token_id, const std::string& key,
                 const std::string& request, int status, const std::string& body);

}  // namespace chorus::store::pg

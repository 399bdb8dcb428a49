#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "broadcasts/broadcast.hpp"
#include "core/ids.hpp"

namespace chorus::store::pg {

/// `s` as a SQL string literal ('it''s'); the server runs with standard_conforming_strings on
/// (PostgreSQL's default since 9.1), and the checks before this keep NUL out.
std::string SqlLiteral(std::string_view s);

/// A broadcast compiled to SQL over the members table aliased `m` (broadcasts/broadcast.hpp).
/// Values are literals: the statement is built once per batch from a checked draft.
struct BroadcastSql {
  std::string audience;  // boolean: in the audience (joined, not erased, rules, leader's reach)
  std::string opted_out; // boolean: opted out of the organization or a channel of the pool
  std::string language;  // text: which variant the member gets
  std::string zone;      // text: the member's time zone
  std::string channel;   // bigint: the member's sender in the pool (sticky)
  std::string body;      // text over `m` with column `lang`: the rendered message
  std::string segments;  // integer over `p` (body, lang)
  std::string encoding;  // text over `p`
};

struct BroadcastSqlInput {
  OrganizationId organization = 0;
  const broadcasts::Audience* audience = nullptr;
  std::vector<std::int64_t> chapter_scope;  // a leader's chapters; empty: all
  std::map<std::string, std::string> variants;  // as they will be sent
  std::string default_language;
  std::string organization_name;
  std::string organization_zone;
  std::vector<std::int64_t> pool;  // channel ids
};

BroadcastSql CompileBroadcast(const BroadcastSqlInput& in);

}  // namespace chorus::store::pg

#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/ids.hpp"

namespace chorus::store::pg {

/// Which organizations a workspace load reads: every one (a server starting, `chorus secrets
/// rekey`), or some (a per-organization reload after an edit).
struct OrgScope {
  std::optional<std::set<OrganizationId>> only;

  /// " AND column = ANY('{1,2}'::bigint[])", or "" for every organization. Ids are numbers:
  /// nothing to quote.
  std::string And(std::string_view column) const {
    if (!only) return "";
    std::string ids;
    for (OrganizationId id : *only) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    return std::string(" AND ") + std::string(column) + " = ANY('{" + ids + "}'::bigint[])";
  }
};

}  // namespace chorus::store::pg

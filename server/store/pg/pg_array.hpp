#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::store::pg {

/// PostgreSQL array literals for passing whole batches as one parameter each
/// (`unnest($1::text[], $2::bigint[])`): one statement per batch instead of one per row.
std::string TextArray(const std::vector<std::string>& values);
std::string NullableTextArray(const std::vector<std::optional<std::string>>& values);
std::string IntArray(const std::vector<std::int64_t>& values);
std::string NullableIntArray(const std::vector<std::optional<std::int64_t>>& values);
std::string BoolArray(const std::vector<bool>& values);

}  // namespace chorus::store::pg

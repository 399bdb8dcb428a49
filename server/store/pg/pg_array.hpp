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

/// "a,b,c" as its parts ("" is none): what array_to_string(arr, ',') made of a text array
/// whose elements hold no comma (postal codes).
std::vector<std::string> SplitComma(std::string_view text);

/// Reads a one-dimensional integer array as PostgreSQL prints it ("{1,-2,3}"); "" (SQL NULL)
/// and "{}" are empty; NULL elements are skipped.
std::vector<std::int64_t> ParseIntArray(std::string_view text);

}  // namespace chorus::store::pg

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace chorus::carriers {

/// Decoded application/x-www-form-urlencoded pairs in wire order (names may repeat).
using FormParams = std::vector<std::pair<std::string, std::string>>;

/// Decodes a form body or query string: '&'-separated `name=value`, '+' is a space, %XX is a
/// byte. kInvalidArgument for a bad %-escape, a decoded value that is not UTF-8, an empty
/// name, or more than `max_pairs` pairs (counted before any is decoded, so an oversized form
/// costs a scan, not a parse). An empty input is an empty list. Pure.
Result<FormParams> ParseForm(std::string_view body, std::size_t max_pairs = 1000);

/// Percent-encodes for a form body (RFC 3986 unreserved kept, space as '+').
std::string FormEncode(std::string_view value);
std::string EncodeForm(const FormParams& params);

/// The first value of `name`, or nullptr.
const std::string* FindParam(const FormParams& params, std::string_view name);

}  // namespace chorus::carriers

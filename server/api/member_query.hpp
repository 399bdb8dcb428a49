#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::api {

/// Active: joined and not opted out of the whole organization. Opted out: said STOP (to any
/// channel, or STOPALL). Contact: texted us but never joined.
enum class MemberStatus { kActive, kOptedOut, kContact };
std::string_view MemberStatusName(MemberStatus status);

/// GET /v1/members: filters combine with AND.
struct MemberQuery {
  std::optional<std::string> chapter;  // slug; includes its sub-chapters
  std::optional<std::string> tag;
  std::optional<std::string> language;
  std::optional<MemberStatus> status;
  std::optional<std::string> field_name;  // with field_value: fields[name] = value
  std::string field_value;
  std::int64_t after_id = 0;
  int limit = 50;
};

/// A refusal of one request parameter: answered 400 {code, message, field}.
struct FieldError {
  std::string code;
  std::string message;
  std::string field;
};

/// Reads the query string's parameters (already percent-decoded). Unknown parameters are
/// refused rather than ignored, so a typo does not silently widen a search.
std::optional<FieldError> ParseMemberQuery(const std::map<std::string, std::string>& params,
                                           MemberQuery& out);

}  // namespace chorus::api

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

/// GET /v1/conversations: the inbox. Open conversations by default.
struct ConversationQuery {
  std::string status = "open";  // open | closed
  std::string kind;             // hand_off | story | "" (both)
  std::int64_t after_id = 0;
  int limit = 50;
};
std::optional<FieldError> ParseConversationQuery(const std::map<std::string, std::string>& params,
                                                 ConversationQuery& out);

/// GET /v1/actions: what members did (RSVPs, check-ins, signatures, pledges, stories).
struct ActionQuery {
  std::string kind;   // petition | pledge | rsvp | check_in | story | custom | "" (all)
  std::string event;  // an event's slug, "" for all
  bool csv = false;   // format=csv: a CSV export (audited), up to kMaxExportRows rows a request
  std::int64_t after_id = 0;
  int limit = 50;
};
inline constexpr int kMaxExportRows = 10000;
std::optional<FieldError> ParseActionQuery(const std::map<std::string, std::string>& params,
                                           ActionQuery& out);

/// GET /v1/flows/{slug}/answers: a flow's answers, oldest first; as CSV with format=csv.
struct AnswerQuery {
  std::string flow;  // from the path
  std::string step;  // "" for every step
  bool csv = false;
  std::int64_t after_id = 0;
  int limit = 50;
};
std::optional<FieldError> ParseAnswerQuery(const std::map<std::string, std::string>& params,
                                           AnswerQuery& out);

/// GET /v1/audit: newest first is not needed for an append-only log; oldest first, paged.
struct AuditQuery {
  std::int64_t after_id = 0;
  int limit = 50;
};
std::optional<FieldError> ParseAuditQuery(const std::map<std::string, std::string>& params,
                                          AuditQuery& out);

/// Reads the query string's parameters (already percent-decoded). Unknown parameters are
/// refused rather than ignored, so a typo does not silently widen a search.
std::optional<FieldError> ParseMemberQuery(const std::map<std::string, std::string>& params,
                                           MemberQuery& out);

}  // namespace chorus::api

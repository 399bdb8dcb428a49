#include "api/member_query.hpp"

#include <array>
#include <charconv>

#include "api/cursor.hpp"

namespace chorus::api {
namespace {

constexpr std::array<std::string_view, 3> kStatusNames = {"active", "opted_out", "contact"};
constexpr int kMaxLimit = 100;

FieldError Invalid(std::string field, std::string message) {
  return FieldError{"invalid_argument", std::move(message), std::move(field)};
}

std::optional<FieldError> ReadLimit(const std::string& text, int& out) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > kMaxLimit) {
    return Invalid("limit", "limit must be a whole number from 1 to 100");
  }
  out = value;
  return std::nullopt;
}

std::optional<FieldError> ReadStatus(const std::string& text, MemberQuery& out) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == text) {
      out.status = static_cast<MemberStatus>(i);
      return std::nullopt;
    }
  }
  return Invalid("status", "status must be active, opted_out or contact");
}

std::optional<FieldError> ReadField(const std::string& text, MemberQuery& out) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Invalid("field", "field must be NAME:VALUE, for example zip:10001");
  }
  out.field_name = text.substr(0, colon);
  out.field_value = text.substr(colon + 1);
  return std::nullopt;
}

std::optional<FieldError> ReadCursor(const std::string& value, std::int64_t& out) {
  auto after = DecodeCursor(value);
  if (!after.ok()) return Invalid("cursor", after.error().message);
  out = *after;
  return std::nullopt;
}

std::optional<FieldError> ReadText(const std::string& name, const std::string& text,
                                   std::optional<std::string>& out) {
  if (text.empty() || text.size() > 200) {
    return Invalid(name, name + " must be 1 to 200 characters");
  }
  out = text;
  return std::nullopt;
}

}  // namespace

std::string_view MemberStatusName(MemberStatus status) {
  return kStatusNames[static_cast<std::size_t>(status)];
}

std::optional<FieldError> ParseMemberQuery(const std::map<std::string, std::string>& params,
                                           MemberQuery& out) {
  for (const auto& [name, value] : params) {
    std::optional<FieldError> error;
    if (name == "limit") error = ReadLimit(value, out.limit);
    else if (name == "status") error = ReadStatus(value, out);
    else if (name == "field") error = ReadField(value, out);
    else if (name == "chapter") error = ReadText(name, value, out.chapter);
    else if (name == "tag") error = ReadText(name, value, out.tag);
    else if (name == "language") error = ReadText(name, value, out.language);
    else if (name == "cursor") error = ReadCursor(value, out.after_id);
    else {
      error = Invalid(name, "unknown parameter " + name);
    }
    if (error) return error;
  }
  return std::nullopt;
}

std::optional<FieldError> ParseConversationQuery(const std::map<std::string, std::string>& params,
                                                 ConversationQuery& out) {
  for (const auto& [name, value] : params) {
    std::optional<FieldError> error;
    if (name == "limit") {
      error = ReadLimit(value, out.limit);
    } else if (name == "status") {
      if (value != "open" && value != "closed") {
        error = Invalid("status", "status must be open or closed");
      }
      out.status = value;
    } else if (name == "kind") {
      if (value != "hand_off" && value != "story") {
        error = Invalid("kind", "kind must be hand_off or story");
      }
      out.kind = value;
    } else if (name == "cursor") {
      error = ReadCursor(value, out.after_id);
    } else {
      error = Invalid(name, "unknown parameter " + name);
    }
    if (error) return error;
  }
  return std::nullopt;
}


namespace {

// format=csv|json and limit, shared by the listings that export: a CSV export's pages are up
// to kMaxExportRows long. Returns whether `name` was one of them.
bool ReadExportParam(const std::string& name, const std::string& value, bool& csv, int& limit,
                     std::optional<FieldError>& error) {
  if (name == "format") return true;  // read first, below
  if (name != "limit") return false;
  int n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  const int max = csv ? kMaxExportRows : kMaxLimit;
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n < 1 || n > max) {
    error = Invalid("limit", "limit must be a whole number from 1 to " + std::to_string(max));
  } else {
    limit = n;
  }
  return true;
}

std::optional<FieldError> ReadFormat(const std::map<std::string, std::string>& params, bool& csv,
                                     int& limit) {
  auto format = params.find("format");
  if (format == params.end()) return std::nullopt;
  if (format->second != "csv" && format->second != "json") {
    return Invalid("format", "format must be json or csv");
  }
  csv = format->second == "csv";
  if (csv) limit = kMaxExportRows;
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> ParseActionQuery(const std::map<std::string, std::string>& params,
                                           ActionQuery& out) {
  static constexpr std::string_view kKinds[] = {"petition", "pledge", "rsvp",
                                                "check_in", "story",  "custom"};
  if (auto bad = ReadFormat(params, out.csv, out.limit)) return bad;
  for (const auto& [name, value] : params) {
    std::optional<FieldError> error;
    if (ReadExportParam(name, value, out.csv, out.limit, error)) {
      if (error) return error;
      continue;
    }
    if (name == "kind") {
      bool known = false;
      for (auto k : kKinds) known = known || k == value;
      if (!known) error = Invalid("kind", "kind must be petition, pledge, rsvp, check_in, story or custom");
      out.kind = value;
    } else if (name == "event") {
      if (value.empty() || value.size() > 200) error = Invalid("event", "event must be an event's slug");
      out.event = value;
    } else if (name == "cursor") {
      error = ReadCursor(value, out.after_id);
    } else {
      error = Invalid(name, "unknown parameter " + name);
    }
    if (error) return error;
  }
  return std::nullopt;
}

std::optional<FieldError> ParseAnswerQuery(const std::map<std::string, std::string>& params,
                                           AnswerQuery& out) {
  if (auto bad = ReadFormat(params, out.csv, out.limit)) return bad;
  for (const auto& [name, value] : params) {
    std::optional<FieldError> error;
    if (ReadExportParam(name, value, out.csv, out.limit, error)) {
      if (error) return error;
      continue;
    }
    if (name == "step") {
      if (value.empty() || value.size() > 64) error = Invalid("step", "step must be a step's id");
      out.step = value;
    } else if (name == "cursor") {
      error = ReadCursor(value, out.after_id);
    } else {
      error = Invalid(name, "unknown parameter " + name);
    }
    if (error) return error;
  }
  return std::nullopt;
}

std::optional<FieldError> ParseAuditQuery(const std::map<std::string, std::string>& params,
                                          AuditQuery& out) {
  for (const auto& [name, value] : params) {
    std::optional<FieldError> error;
    if (name == "limit") error = ReadLimit(value, out.limit);
    else if (name == "cursor") error = ReadCursor(value, out.after_id);
    else error = Invalid(name, "unknown parameter " + name);
    if (error) return error;
  }
  return std::nullopt;
}

}  // namespace chorus::api

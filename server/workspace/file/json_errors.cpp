#include "workspace/file/json_errors.hpp"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "workspace/file/file_rules.hpp"

namespace chorus::workspace::file {
namespace {

// protobuf's JSON stream parser quotes this many bytes either side of a syntax error
// (JsonStreamParser::ReportFailure, kContextLength).
constexpr std::size_t kProtobufErrorContext = 20;

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && IsUpper(out.front()))
    out.front() = static_cast<char>(out.front() - 'A' + 'a');
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string LastComponent(std::string_view path) {
  std::size_t dot = path.rfind('.');
  std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
  return std::string(last.substr(0, last.find('[')));
}

// What a JSON value of protobuf's `type` ("TYPE_STRING", "type.googleapis.com/chorus.v1.X")
// must look like.
std::string Expected(std::string_view type) {
  if (type == "TYPE_STRING") return "a string";
  if (type == "TYPE_BOOL") return "true or false";
  if (type == "TYPE_UINT32") return "a whole number from 0 to 4294967295";
  if (type == "TYPE_DOUBLE" || type == "TYPE_FLOAT") return "a number";
  if (type == "Map") return "an object";
  constexpr std::string_view kTypeUrlPrefix = "type.googleapis.com/";
  if (type.starts_with(kTypeUrlPrefix)) {
    std::string name(type.substr(kTypeUrlPrefix.size()));
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    if (const auto* enum_type = pool->FindEnumTypeByName(name)) {
      std::vector<std::string> names;
      for (int i = 0; i < enum_type->value_count(); ++i) {
        const std::string& value = enum_type->value(i)->name();
        if (!value.ends_with("_UNSPECIFIED")) names.push_back(value);
      }
      std::string out = names.size() == 1 ? "" : "one of ";
      for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + names[i];
      return out;
    }
    if (pool->FindMessageTypeByName(name) != nullptr) return "an object";
  }
  return LowerFirst(type);
}

// "(path): invalid value VALUE for type TYPE", where protobuf sometimes puts a sentence in
// VALUE and the field's name in TYPE.
Error InvalidValue(std::string_view path, std::string_view text) {
  constexpr std::string_view kForType = " for type ";
  std::size_t for_type = text.rfind(kForType);
  if (for_type == std::string_view::npos) return Invalid(path, LowerFirst(text));
  std::string_view value = text.substr(0, for_type);
  std::string_view type = text.substr(for_type + kForType.size());

  if (value.starts_with("Starting an object on a scalar field")) {
    std::string field = LastComponent(path) == type ? std::string(path) : Child(path, type);
    return Invalid(field, "expected a single value, not an object");
  }
  constexpr std::string_view kListToMap = "Cannot bind a list to map for field '";
  if (value.starts_with(kListToMap)) {
    std::string_view field = value.substr(kListToMap.size());
    field = field.substr(0, field.find('\''));
    return Invalid(Child(path, field), "expected an object, not a list");
  }
  return Invalid(path,
                 "invalid value " + std::string(value) + " (expected " + Expected(type) + ")");
}

std::string DescribeFieldProblem(std::string_view description) {
  if (description == "Cannot find field.") return "unknown field";
  if (description == "Proto field is not repeating, cannot start list.") {
    return "expected a single value, not a list";
  }
  return LowerFirst(description);
}

// The byte offset protobuf's syntax error points at, recovered from the excerpt it quotes
// (up to kProtobufErrorContext bytes either side, then a line with a caret).
std::optional<std::size_t> SyntaxErrorOffset(std::string_view excerpt, std::size_t caret,
                                             std::string_view json) {
  if (excerpt.empty()) return json.size();
  if (caret > excerpt.size() || caret > kProtobufErrorContext) return std::nullopt;
  std::optional<std::size_t> found;
  for (std::size_t i = json.find(excerpt); i != std::string_view::npos;
       i = json.find(excerpt, i + 1)) {
    std::size_t offset = i + caret;
    if (std::min(offset + kProtobufErrorContext, json.size()) != i + excerpt.size()) continue;
    // With a full left context any match is consistent; take the first. A shorter one means
    // the excerpt starts where the parsed text starts: the input, or a tail protobuf kept back.
    if (i == 0 || caret == kProtobufErrorContext) return offset;
    if (!found) found = offset;
  }
  return found;
}

std::string Location(std::string_view json, std::size_t offset) {
  std::string_view before = json.substr(0, offset);
  std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  std::size_t line_start = before.rfind('\n');
  std::string_view in_line =
      line_start == std::string_view::npos ? before : before.substr(line_start + 1);
  return "line " + std::to_string(line) + ", column " + std::to_string(CountCodePoints(in_line) + 1);
}

}  // namespace

// Translates protobuf's JSON status ("(channels[1].carrier): invalid value ...", "(channels[0])
// bogus: Cannot find field.", or a syntax error quoting the input) into "<path>: <problem>". The
// quoted input is dropped: it may hold a secret.
Error FromJsonError(std::string_view message, std::string_view json) {
  constexpr std::string_view kStatusPrefix = "INVALID_ARGUMENT:";
  if (message.starts_with(kStatusPrefix)) message.remove_prefix(kStatusPrefix.size());

  if (message.starts_with('(')) {
    std::size_t close = message.find(')');
    if (close != std::string_view::npos) {
      std::string_view path = message.substr(1, close - 1);
      std::string_view rest = message.substr(close + 1);
      constexpr std::string_view kInvalidValue = ": invalid value ";
      if (rest.starts_with(kInvalidValue)) {
        return InvalidValue(path, rest.substr(kInvalidValue.size()));
      }
      if (rest.starts_with(": ")) return Invalid(path, LowerFirst(rest.substr(2)));
      std::size_t colon = rest.find(": ");
      if (rest.starts_with(' ') && colon != std::string_view::npos) {
        return Invalid(Child(path, rest.substr(1, colon - 1)),
                       DescribeFieldProblem(rest.substr(colon + 2)));
      }
    }
  }
  if (message == ": Root element must be a message.") {
    return Invalid(kFilePath, "must be a JSON object");
  }
  constexpr std::string_view kUnknownField = ": Cannot find field.";
  if (message.ends_with(kUnknownField) && message.find('\n') == std::string_view::npos) {
    return Invalid(message.substr(0, message.size() - kUnknownField.size()), "unknown field");
  }

  // A syntax error: "<description>\n<excerpt>\n<spaces>^".
  std::size_t first_newline = message.find('\n');
  std::string_view description = message.substr(0, first_newline);
  std::string where(kFilePath);
  std::size_t last_newline = message.rfind('\n');
  if (first_newline != std::string_view::npos && last_newline > first_newline) {
    std::string_view excerpt = message.substr(first_newline + 1, last_newline - first_newline - 1);
    std::string_view caret_line = message.substr(last_newline + 1);
    if (caret_line.ends_with('^') &&
        caret_line.find_first_not_of(' ') == caret_line.size() - 1) {
      if (auto offset = SyntaxErrorOffset(excerpt, caret_line.size() - 1, json)) {
        where += " " + Location(json, *offset);
      }
    }
  }
  return Invalid(where, description);
}
}  // namespace chorus::workspace::file

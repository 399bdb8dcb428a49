#include "flows/merge.hpp"

#include <array>

namespace chorus::flows {
namespace {

std::string Trim(std::string_view s) {
  const auto begin = s.find_first_not_of(' ');
  if (begin == std::string_view::npos) return "";
  const auto end = s.find_last_not_of(' ');
  return std::string(s.substr(begin, end - begin + 1));
}

// Calls `on_text` for literal runs and `on_field` for fields, in order.
template <typename OnText, typename OnField>
void Scan(std::string_view text, OnText on_text, OnField on_field) {
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find("{{", at);
    const auto close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      on_text(text.substr(at));
      return;
    }
    // The field is the last "{{" before the "}}": an unterminated "{{" earlier is text, and must
    // not swallow the field after it ("Hi {{name, see {{org.name}}").
    open = text.rfind("{{", close - 2);
    on_text(text.substr(at, open - at));
    const std::string_view inner = text.substr(open + 2, close - open - 2);
    const auto bar = inner.find('|');
    MergeField field{Trim(inner.substr(0, bar)),
                     bar == std::string_view::npos ? "" : Trim(inner.substr(bar + 1))};
    on_field(field);
    at = close + 2;
  }
}

}  // namespace

std::vector<MergeField> MergeFields(std::string_view text) {
  std::vector<MergeField> fields;
  Scan(
      text, [](std::string_view) {}, [&](const MergeField& f) { fields.push_back(f); });
  return fields;
}

std::vector<MergePart> SplitMergeFields(std::string_view text) {
  std::vector<MergePart> parts;
  Scan(
      text,
      [&](std::string_view literal) {
        if (!literal.empty()) parts.push_back(MergePart{std::string(literal), std::nullopt});
      },
      [&](const MergeField& f) { parts.push_back(MergePart{"", f}); });
  return parts;
}

bool IsKnownMergeField(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "first_name",  "last_name",  "org.name",   "chapter.name",
      "event.title", "event.date", "event.time", "event.place"};
  for (std::string_view known : kNames) {
    if (name == known) return true;
  }
  // fields.NAME: any member field; NAME is [a-z0-9_-]+ (an answer saved under its step id,
  // which may hold a hyphen).
  if (name.substr(0, 7) != "fields." || name.size() == 7) return false;
  for (char c : name.substr(7)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string Render(std::string_view text,
                   const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  out.reserve(text.size());
  Scan(
      text, [&](std::string_view literal) { out.append(literal); },
      [&](const MergeField& field) {
        const auto value = lookup(field.name);
        out.append(value && !value->empty() ? *value : field.fallback);
      });
  return out;
}

}  // namespace chorus::flows

#include "ingest/member_edit.hpp"

#include <algorithm>

namespace chorus::ingest {
namespace {

bool AllOf(std::string_view s, bool dash) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [dash](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (dash && c == '-');
  });
}

}  // namespace

bool IsMemberFieldName(std::string_view name) { return AllOf(name, false); }
bool IsMemberTag(std::string_view tag) { return AllOf(tag, true); }

bool IsMemberFieldValue(std::string_view value) {
  if (value.size() > 500) return false;
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string EncodeMemberEdit(const MemberEdit& edit) {
  std::string out;
  for (const auto& [name, value] : edit.fields) out += "f\t" + name + "\t" + value + "\n";
  for (const auto& tag : edit.add_tags) out += "+\t" + tag + "\n";
  for (const auto& tag : edit.remove_tags) out += "-\t" + tag + "\n";
  return out;
}

std::optional<MemberEdit> DecodeMemberEdit(std::string_view text) {
  MemberEdit edit;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    if (line.size() < 3 || line[1] != '\t') return std::nullopt;
    const std::string_view rest = line.substr(2);
    if (line[0] == 'f') {
      const auto tab = rest.find('\t');
      if (tab == std::string_view::npos) return std::nullopt;
      const std::string_view name = rest.substr(0, tab), value = rest.substr(tab + 1);
      if (!IsMemberFieldName(name) || !IsMemberFieldValue(value)) return std::nullopt;
      edit.fields[std::string(name)] = std::string(value);
    } else if ((line[0] == '+' || line[0] == '-') && IsMemberTag(rest)) {
      (line[0] == '+' ? edit.add_tags : edit.remove_tags).insert(std::string(rest));
    } else {
      return std::nullopt;
    }
  }
  return edit;
}

}  // namespace chorus::ingest

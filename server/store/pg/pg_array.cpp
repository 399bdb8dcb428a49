#include "store/pg/pg_array.hpp"

#include <charconv>

namespace chorus::store::pg {
namespace {

// Quoted element: inside double quotes only '"' and '\' need escaping.
void AppendQuoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

template <typename T, typename Append>
std::string Join(const std::vector<T>& values, Append append) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    append(out, values[i]);
  }
  out += '}';
  return out;
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  return Join(values, [](std::string& out, const std::string& v) { AppendQuoted(out, v); });
}

std::string NullableTextArray(const std::vector<std::optional<std::string>>& values) {
  return Join(values, [](std::string& out, const std::optional<std::string>& v) {
    if (v) AppendQuoted(out, *v);
    else out += "NULL";
  });
}

std::string IntArray(const std::vector<std::int64_t>& values) {
  return Join(values, [](std::string& out, std::int64_t v) { out += std::to_string(v); });
}

std::string NullableIntArray(const std::vector<std::optional<std::int64_t>>& values) {
  return Join(values, [](std::string& out, const std::optional<std::int64_t>& v) {
    out += v ? std::to_string(*v) : "NULL";
  });
}

std::vector<std::int64_t> ParseIntArray(std::string_view text) {
  std::vector<std::int64_t> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (ec == std::errc() && end == item.data() + item.size()) out.push_back(value);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string BoolArray(const std::vector<bool>& values) {
  return Join(values, [](std::string& out, bool v) { out += v ? 't' : 'f'; });
}

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace chorus::store::pg

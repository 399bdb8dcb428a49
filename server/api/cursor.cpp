#include "api/cursor.hpp"

#include <charconv>

#include "core/base64.hpp"

namespace chorus::api {
namespace {

constexpr std::string_view kVersion = "c1.";

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string EncodeCursor(std::int64_t after_id) {
  return Base64UrlEncode(std::string(kVersion) + std::to_string(after_id));
}

Result<std::int64_t> DecodeCursor(std::string_view cursor) {
  const Error bad = MakeError(ErrorCode::kInvalidArgument, "not a cursor this API returned");
  if (cursor.empty() || cursor.size() > 64) return bad;
  std::string text(cursor);
  for (char& c : text) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return bad;
  }
  while (text.size() % 4 != 0) text.push_back('=');
  const auto plain = Base64Decode(text);
  if (!plain || plain->substr(0, kVersion.size()) != kVersion) return bad;
  const std::string_view digits = std::string_view(*plain).substr(kVersion.size());
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || id < 0) {
    return bad;
  }
  return id;
}

}  // namespace chorus::api

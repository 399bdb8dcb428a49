#include "carriers/form.hpp"

#include <cstddef>
#include <optional>

#include "core/text.hpp"

namespace chorus::carriers {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes one name or value: '+' is a space (WHATWG URL "application/x-www-form-urlencoded
// parsing"), %XX a byte. Unlike WHATWG, a malformed escape is an error rather than kept
// literally: a signed webhook body that does not decode cleanly did not come from Twilio.
std::optional<std::string> Unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      if (raw.size() - i < 3) return std::nullopt;
      int hi = HexValue(raw[i + 1]);
      int lo = HexValue(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

// Messages name the pair by position only: names and values may be a member's data.
Error PairError(std::size_t index, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "form pair " + std::to_string(index + 1) + ": " + std::string(problem));
}

Result<std::pair<std::string, std::string>> ParsePair(std::string_view pair, std::size_t index) {
  std::size_t eq = pair.find('=');
  std::string_view raw_name = pair.substr(0, eq);
  std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
  if (raw_name.empty()) return PairError(index, "empty name");
  auto name = Unescape(raw_name);
  if (!name) return PairError(index, "bad percent-escape in name");
  auto value = Unescape(raw_value);
  if (!value) return PairError(index, "bad percent-escape in value");
  if (!IsValidUtf8(*name)) return PairError(index, "name is not UTF-8");
  if (!IsValidUtf8(*value)) return PairError(index, "value is not UTF-8");
  return std::pair{std::move(*name), std::move(*value)};
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

Result<FormParams> ParseForm(std::string_view body) {
  FormParams params;
  std::size_t index = 0;
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    // "a=1&&b=2" and a trailing '&' carry no pair; browsers and Twilio's helpers skip them.
    if (pair.empty()) continue;
    CHORUS_ASSIGN_OR_RETURN(auto parsed, ParsePair(pair, index));
    params.push_back(std::move(parsed));
    ++index;
  }
  return params;
}

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    auto b = static_cast<unsigned char>(c);
    if (IsUnreserved(b)) {
      out.push_back(c);
    } else if (b == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0F]);
    }
  }
  return out;
}

std::string EncodeForm(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += FormEncode(name);
    out.push_back('=');
    out += FormEncode(value);
  }
  return out;
}

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace chorus::carriers

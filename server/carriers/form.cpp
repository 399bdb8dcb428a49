#include "carriers/form.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>

#include "core/percent_encoding.hpp"
#include "core/text.hpp"

namespace chorus::carriers {
namespace {

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
  // A malformed escape is an error, not kept literally as WHATWG would: a signed webhook body
  // that does not decode cleanly did not come from the carrier.
  auto name = PercentDecode(raw_name, PlusMeans::kSpace);
  if (!name) return PairError(index, "bad percent-escape in name");
  auto value = PercentDecode(raw_value, PlusMeans::kSpace);
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

Result<FormParams> ParseForm(std::string_view body, std::size_t max_pairs) {
  // '&' separates pairs; empty ones are skipped below, so this bounds the work from above.
  const auto separators = static_cast<std::size_t>(std::count(body.begin(), body.end(), '&'));
  if (separators >= max_pairs) {
    std::size_t pairs = 0;
    for (std::size_t start = 0; start <= body.size();) {
      std::size_t amp = body.find('&', start);
      if (amp == std::string_view::npos) amp = body.size();
      pairs += amp > start ? 1 : 0;
      start = amp + 1;
    }
    if (pairs > max_pairs) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "form has more than " + std::to_string(max_pairs) + " fields");
    }
  }
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

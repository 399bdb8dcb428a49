#include "core/url.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace chorus {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

bool HasForbiddenChar(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::optional<std::uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

Error Bad(std::string_view why) { return MakeError(ErrorCode::kInvalidArgument, std::string(why)); }

}  // namespace

Result<Url> ParseHttpUrl(std::string_view url) {
  if (HasForbiddenChar(url)) return Bad("must not contain spaces or control characters");
  const std::size_t length = url.size();
  Url out;
  if (StartsWithNoCase(url, "https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (StartsWithNoCase(url, "http://")) {
    url.remove_prefix(7);
  } else {
    return Bad("must start with http:// or https://");
  }
  const std::size_t scheme_size = length - url.size();
  std::size_t fragment = url.find('#');
  if (fragment != std::string_view::npos) url = url.substr(0, fragment);

  std::size_t authority_end = url.find_first_of("/?");
  std::string_view authority = url.substr(0, authority_end);
  std::string_view rest =
      authority_end == std::string_view::npos ? std::string_view{} : url.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Bad("must not contain a user name or password");
  }

  std::string_view host;
  std::string_view port_text;
  bool ipv6 = !authority.empty() && authority.front() == '[';
  if (ipv6) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad("has an unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    out.port_begin = scheme_size + close + 1;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad("has a malformed host");
      port_text = after.substr(1);
      if (port_text.empty()) return Bad("has an empty port");
    }
    if (host.empty() ||
        host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return Bad("has a malformed IPv6 address");
    }
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    out.port_begin = scheme_size + host.size();
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Bad("has an empty port");
    }
    if (host.empty()) return Bad("must name a host");
    if (!std::all_of(host.begin(), host.end(), IsHostChar)) return Bad("has a malformed host");
  }
  out.authority_end = scheme_size + authority.size();

  std::uint16_t default_port = out.tls ? 443 : 80;
  if (port_text.empty()) {
    out.port = default_port;
  } else {
    auto port = ParsePort(port_text);
    if (!port) return Bad("has a port that is not a number from 1 to 65535");
    out.port = *port;
    out.explicit_port = true;
  }

  out.host = std::string(host);
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  out.target =
      rest.empty() ? "/" : (rest.front() == '?' ? "/" + std::string(rest) : std::string(rest));
  std::string bracketed = ipv6 ? "[" + out.host + "]" : out.host;
  out.host_header =
      out.port == default_port ? bracketed : bracketed + ":" + std::to_string(out.port);
  out.pool_key =
      std::string(out.tls ? "https://" : "http://") + bracketed + ":" + std::to_string(out.port);
  return out;
}

}  // namespace chorus

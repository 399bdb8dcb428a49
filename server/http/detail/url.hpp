#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::http::detail {

/// An absolute http(s) URL split for a client request.
struct Url {
  bool tls = false;
  std::string host;         // without brackets for IPv6 literals: "::1"
  std::uint16_t port = 0;   // explicit or the scheme's default
  std::string target;       // path and query, "/" when the URL has none; never the fragment
  std::string host_header;  // what the Host header carries: "[::1]:8080", "api.example.com"
  std::string pool_key;     // "https://api.example.com:443"
};

/// Parses "http[s]://host[:port][/path][?query][#fragment]" (scheme case-insensitive). No
/// userinfo, no empty host, ports 1-65535, no whitespace or control characters. nullopt if bad.
std::optional<Url> ParseUrl(std::string_view url);

}  // namespace chorus::http::detail

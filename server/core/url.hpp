#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus {

/// An absolute http(s) URL, split. The one URL parser of the project: the HTTP client, carrier
/// settings (api_base) and webhook signatures (which insert or remove a port) all use it.
struct Url {
  bool tls = false;
  std::string host;         // lower case, without brackets for IPv6 literals: "::1"
  std::uint16_t port = 0;   // explicit or the scheme's default
  bool explicit_port = false;
  std::string target;       // path and query, "/" when the URL has none; never the fragment
  std::string host_header;  // what the Host header carries: "[::1]:8080", "api.example.com"
  std::string pool_key;     // "https://api.example.com:443"
  // Offsets into the parsed text: where ":port" starts (or would be inserted) and where the
  // authority ends, so a caller can add or drop the port of the URL exactly as written.
  std::size_t port_begin = 0;
  std::size_t authority_end = 0;
};

/// Parses "http[s]://host[:port][/path][?query][#fragment]" (scheme case-insensitive). No
/// user name or password, no empty host, ports 1-65535, no white space or control characters.
/// kInvalidArgument with a short reason that never quotes the input. Pure.
Result<Url> ParseHttpUrl(std::string_view url);

}  // namespace chorus

#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/asio.hpp"

namespace chorus::http {

/// What a handler knows about the request besides the message itself.
/// Writes one chunk of a streamed answer; false once the client is gone or the server stops.
using ChunkWriter = std::function<asio::awaitable<bool>(std::string)>;

struct RequestContext {
  std::string request_id;               // X-Request-Id if sane, else generated
  std::string route;                    // the matched pattern, e.g. "/webhooks/twilio/{channel}/inbound"
  std::vector<std::string> path_params; // values of {placeholders}, in order, percent-decoded
  std::string target;                   // the raw request target (path and query) as received
  /// Set by a handler that answers with a stream (server-sent events): the server writes the
  /// response's head (chunked, Connection: close), then runs this with a ChunkWriter until it
  /// returns, and closes the connection.
  std::function<asio::awaitable<void>(ChunkWriter)> stream;
};

using Handler = std::function<asio::awaitable<Response>(const Request&, RequestContext&)>;

/// Maps (method, path) to handlers. Patterns are literal segments and `{name}` placeholders
/// matching one non-empty segment. Built once at start-up, then read-only and thread-safe.
class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // nullptr: no route for this path (404) or method (405)
    bool path_known = false;           // true when the path matched some route with another method
    std::string route;
    std::vector<std::string> path_params;
  };
  /// `path` excludes the query string.
  Match Find(Verb method, std::string_view path) const;
  /// Every pattern added, once each, in the order added (metrics create their series up front).
  std::vector<std::string> Patterns() const;

 private:
  struct Entry {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Entry> entries_;
};

}  // namespace chorus::http

#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chorus::transport {

/// An HTTP exchange described as data: carrier adapters build requests and read responses
/// without doing I/O, so they stay pure and testable, and one asynchronous client performs
/// them for every HTTP carrier.
struct HttpRequestSpec {
  std::string method = "POST";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponseSpec {
  int status = 0;          // 0: no response (connect failure, reset, timeout, refused framing)
  bool timed_out = false;  // true when the deadline passed; the carrier may have accepted
  std::string body;
  std::optional<std::chrono::seconds> retry_after;  // parsed Retry-After header, if any
  // With status 0: the request had (at least partly) gone out before the exchange failed, so
  // the carrier may have acted on it (a reset, close or timeout while waiting for the answer).
  bool request_sent = false;
};

/// Performs HTTP requests asynchronously (the HTTP client, in production). Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  /// `done` runs exactly once, on some I/O thread, with the response or status 0.
  virtual void Send(HttpRequestSpec request, std::function<void(HttpResponseSpec)> done) = 0;
};

}  // namespace chorus::transport

#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "carriers/carrier.hpp"
#include "http/asio.hpp"

namespace chorus::http {

struct ClientOptions {
  std::chrono::milliseconds timeout{10'000};  // connect + write + read, per request
  // A carrier's API answers in 100-300 ms: at 1,000 sends/s that is 100-300 requests open to
  // one host, so a pool of 32 capped a node at about 150 sends/s (BENCHMARKS.md, run P).
  std::size_t max_connections_per_host = 128;
  std::size_t max_idle_per_host = 128;
  bool verify_tls = true;  // verify carriers' certificates against the system trust store
};

/// Asynchronous HTTP/1.1 client with keep-alive connection pools per scheme://host:port, for
/// http and https (TLS 1.2+, SNI, peer verification). Never throws: failures come back as
/// HttpResponseSpec{status = 0} (timed_out set when the deadline passed). Thread-safe.
class Client {
 public:
  Client(asio::io_context& io, ClientOptions options);
  ~Client();
  asio::awaitable<transport::HttpResponseSpec> Send(transport::HttpRequestSpec request);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace chorus::http

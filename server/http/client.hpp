#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "carriers/carrier.hpp"
#include "http/asio.hpp"

namespace chorus::http {

struct ClientOptions {
  std::chrono::milliseconds timeout{10'000};  // connect + write + read, per request
  // Requests in flight to one host are its answer time times the send rate (a 150 ms answer at
  // 1,000 sends/s is 150 open requests); with 32, sends queued inside the node (BENCHMARKS.md,
  // runs P and Q).
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

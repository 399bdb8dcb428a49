#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/asio.hpp"
#include "http/router.hpp"

namespace chorus::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;          // 0: pick a free port (see Server::port())
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 64 * 1024;
  std::chrono::milliseconds read_timeout{10'000};   // whole request, from its first byte
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::size_t max_connections = 10'000;
};

/// Called once per answered request (from an I/O thread) for metrics.
using RequestObserver = std::function<void(std::string_view route, unsigned status,
                                           std::chrono::duration<double> elapsed)>;

/// HTTP/1.1 server on Beast: keep-alive, header/body limits (431/413 with a JSON body), a read
/// deadline per request, a last-resort 500 for any exception a handler throws, and an accept
/// loop that backs off on EMFILE instead of exiting.
class Server {
 public:
  Server(asio::io_context& io, ServerOptions options, std::shared_ptr<const Router> router,
         RequestObserver observer = {});
  ~Server();

  /// Binds and listens. kUnavailable with one clear line if the address cannot be bound.
  Result<void> Listen();
  std::uint16_t port() const;

  /// Starts accepting on the io_context (run by the caller's threads).
  void Start();

  /// Graceful stop: closes the acceptor, closes idle keep-alive connections, lets requests in
  /// progress finish and answer (with Connection: close), and calls `done` once every
  /// connection is gone or `deadline` passed (then the rest are closed). Thread-safe.
  void Shutdown(std::chrono::milliseconds deadline, std::function<void()> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace chorus::http

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
  std::string name = "http";          // in log lines: "public", "admin"
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;          // 0: pick a free port (see Server::port())
  std::size_t header_limit = 8 * 1024;  // header, and chunk extensions together
  std::size_t body_limit = 64 * 1024;
  // The first byte of a new connection, and each whole request from its first byte, must
  // arrive within this; a connection that sends nothing is closed after it.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::size_t max_connections = 10'000;
  // Connections one peer address may hold at once; 0: no limit. Behind a proxy every
  // connection comes from the proxy's address, so set it to 0 (or to max_connections) there.
  std::size_t max_connections_per_peer = 0;
};

/// Why a connection was not served.
enum class Refusal {
  kPeerLimit,      // its address already holds max_connections_per_peer connections
  kTableFull,      // max_connections reached: accepting paused until one ends
  kNoDescriptors,  // accept failed with EMFILE/ENFILE/ENOBUFS/ENOMEM: backing off
};

std::string_view RefusalName(Refusal refusal);

/// What the server reports, for metrics. Called from I/O threads; must not throw or block.
class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  /// Once per answered request: the matched route pattern ("unmatched" when none).
  virtual void OnRequest(std::string_view route, unsigned status,
                         std::chrono::duration<double> elapsed) = 0;
  virtual void OnRefused(Refusal refusal) = 0;
  /// The number of open connections, after each change.
  virtual void OnConnections(std::size_t open) = 0;
  /// An exception escaped a handler (answered 500) or a connection's coroutine.
  virtual void OnException() = 0;
};

/// HTTP/1.1 server on Beast: keep-alive, strict and bounded framing (detail/framing.hpp:
/// header and chunk-extension limits, body limit, chunked as the only transfer coding, one
/// Host, no trailers), a read deadline per request and for a new connection's first byte, HEAD
/// wherever GET is routed, a connection table with a per-peer cap, a last-resort 500 for any
/// exception a handler throws, and an accept loop that backs off on EMFILE instead of exiting.
/// Refusals and exceptions are logged (sampled) and reported to the observer.
class Server {
 public:
  Server(asio::io_context& io, ServerOptions options, std::shared_ptr<const Router> router,
         std::shared_ptr<ServerObserver> observer = nullptr);
  ~Server();

  /// Binds and listens. kUnavailable with one clear line if the address cannot be bound.
  Result<void> Listen();
  std::uint16_t port() const;

  /// Starts accepting on the io_context (run by the caller's threads; see RunIoContext).
  void Start();

  /// Graceful stop: closes the acceptor, closes idle keep-alive connections, lets requests in
  /// progress finish and answer (with Connection: close), and calls `done` once every
  /// connection is gone or `deadline` passed (then the rest are closed). Thread-safe.
  void Shutdown(std::chrono::milliseconds deadline, std::function<void()> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Runs `io` on the calling thread until it is stopped or runs out of work. An exception that
/// escapes a completion handler is logged at error level and the thread goes back to running
/// `io`: nothing a peer sends can end the process (issue 5). `name` labels the log line.
void RunIoContext(asio::io_context& io, std::string_view name);

}  // namespace chorus::http

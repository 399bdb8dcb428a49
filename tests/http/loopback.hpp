#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/parser.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/asio.hpp"
#include "http/server.hpp"

namespace chorus::http::testing {

using namespace std::chrono_literals;

/// An io_context run by two threads for the life of a test, as `chorus serve` runs its own
/// (RunIoContext: an exception escaping a handler is logged and the thread carries on); Stop()
/// joins them.
class IoThreads {
 public:
  IoThreads() : guard_(asio::make_work_guard(io)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { RunIoContext(io, "test"); });
  }
  ~IoThreads() { Stop(); }
  void Stop() {
    guard_.reset();
    io.stop();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

/// Waits for `future` at most 10 s; a hang aborts the test binary loudly instead of wedging CI.
template <typename T>
T Wait(std::future<T> future) {
  if (future.wait_for(10s) != std::future_status::ready) {
    std::fprintf(stderr, "test step did not finish within 10 s\n");
    std::abort();
  }
  return future.get();
}

/// Runs a coroutine on the io threads and waits for its result.
template <typename T>
T Await(asio::io_context& io, asio::awaitable<T> coroutine) {
  return Wait(asio::co_spawn(io, std::move(coroutine), asio::use_future));
}

/// A blocking POSIX client with 5 s socket timeouts, so it can send exactly the bytes a test
/// wants (half a request, garbage) and every wait is bounded.
class RawClient {
 public:
  /// `source`: the local address to connect from (any of 127.0.0.0/8 works on Linux), so a
  /// test can be several peers.
  explicit RawClient(std::uint16_t port, const char* source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (source != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &local.sin_addr);
      ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    connect_errno_ = connected_ ? 0 : errno;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  int connect_errno() const { return connect_errno_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// The next response, or nullopt if the connection ended or 5 s passed first.
  std::optional<Response> Read() {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.eager(true);
    parser.body_limit(16 * 1024 * 1024);
    for (;;) {
      if (!pending_.empty()) {
        boost::system::error_code ec;
        std::size_t used = parser.put(asio::buffer(pending_), ec);
        pending_.erase(0, used);
        if (ec && ec != beast::http::error::need_more) return std::nullopt;
        if (parser.is_done()) return parser.release();
        if (!ec && used > 0) continue;
      }
      char chunk[8192];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      pending_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// True if the server closes the connection (eof or reset) within 5 s; data is discarded.
  bool WaitForClose() {
    char chunk[8192];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

  /// True if nothing arrives and the connection stays open for `wait` (a negative check).
  bool StaysQuietFor(std::chrono::milliseconds wait) {
    timeval timeout{0, static_cast<suseconds_t>(wait.count() * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK);
    bool quiet = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    timeval normal{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &normal, sizeof normal);
    return quiet;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  int connect_errno_ = 0;
  std::string pending_;
};

inline std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

}  // namespace chorus::http::testing

#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <functional>
#include <memory>

#include "http/asio.hpp"

namespace chorus::http::testing {

/// What the scripted server does with one request.
struct Reply {
  enum class Kind {
    kRespond,             // answer and keep the connection
    kRespondThenClose,    // answer as keep-alive, then close (a server dropping idle conns)
    kCloseWithoutAnswer,  // read the request, close without a byte
    kPartialThenClose,    // send half a status line, close
    kRawThenClose,        // send `raw` as it is (a hostile answer), then close
  };
  Kind kind = Kind::kRespond;
  Response response{beast::http::status::ok, 11};
  std::string raw;
};

/// connection and request numbers start at 1; request counts per connection.
using Script = std::function<Reply(int connection, int request, const Request&)>;

/// A deliberately misbehaving HTTP/1.1 server for client tests, on 127.0.0.1:0. It counts
/// accepted connections and requests read, which the client's pool must keep low.
class ScriptedServer {
 public:
  ScriptedServer(asio::io_context& io, Script script)
      : state_(std::make_shared<State>(io, std::move(script))) {
    using asio::ip::tcp;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    port_ = state_->acceptor.local_endpoint().port();
    asio::co_spawn(state_->acceptor.get_executor(), Accept(state_), asio::detached);
  }

  std::uint16_t port() const { return port_; }
  int connections() const { return state_->connections; }
  int requests() const { return state_->requests; }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  struct State {
    State(asio::io_context& io, Script script)
        : acceptor(asio::make_strand(io)), script(std::move(script)) {}
    asio::ip::tcp::acceptor acceptor;
    Script script;
    std::atomic<int> connections{0};
    std::atomic<int> requests{0};
  };

  static asio::awaitable<void> Accept(std::shared_ptr<State> state) {
    for (;;) {
      boost::system::error_code ec;
      auto socket =
          co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      int number = ++state->connections;
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Serve(state, std::move(socket), number), asio::detached);
    }
  }

  static asio::awaitable<void> Serve(std::shared_ptr<State> state, asio::ip::tcp::socket socket,
                                     int connection) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (int number = 1;; ++number) {
      Request request;
      co_await beast::http::async_read(stream, buffer, request,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++state->requests;
      Reply reply = state->script(connection, number, request);
      if (reply.kind == Reply::Kind::kCloseWithoutAnswer) co_return;
      if (reply.kind == Reply::Kind::kPartialThenClose) {
        static constexpr std::string_view kHalf = "HTTP/1.1 200 O";
        co_await asio::async_write(stream, asio::buffer(kHalf),
                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      if (reply.kind == Reply::Kind::kRawThenClose) {
        co_await asio::async_write(stream, asio::buffer(reply.raw),
                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      reply.response.keep_alive(true);
      reply.response.prepare_payload();
      co_await beast::http::async_write(stream, reply.response,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (ec || reply.kind == Reply::Kind::kRespondThenClose) co_return;
    }
  }

  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

}  // namespace chorus::http::testing

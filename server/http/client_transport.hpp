#pragma once

#include "http/asio.hpp"
#include "http/client.hpp"
#include "transport/transport.hpp"

namespace chorus::http {

/// transport::Transport over the asynchronous HTTP client: what the dispatcher sends with.
/// `done` runs on an I/O thread of `io`. Thread-safe.
class ClientTransport final : public transport::Transport {
 public:
  ClientTransport(asio::io_context& io, ClientOptions options) : io_(io), client_(io, options) {}

  void Send(transport::HttpRequestSpec request,
            std::function<void(transport::HttpResponseSpec)> done) override {
    asio::co_spawn(io_, client_.Send(std::move(request)),
                   [done = std::move(done)](std::exception_ptr error,
                                            transport::HttpResponseSpec response) {
                     if (error) response = transport::HttpResponseSpec{};  // status 0: retry
                     done(std::move(response));
                   });
  }

 private:
  asio::io_context& io_;
  Client client_;
};

}  // namespace chorus::http

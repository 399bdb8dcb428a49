#include "bench/minimal_server.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"

namespace chorus::bench {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

asio::awaitable<http::Response> Answer(const http::Request& req, http::RequestContext&) {
  http::Response res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "text/xml");
  // What `chorus serve` answers a stored webhook with (carriers::twilio::EmptyTwiml).
  res.body() = R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)";
  co_return res;
}

}  // namespace

int RunMinimalServer(const MinimalServerOptions& options) {
  auto router = std::make_shared<http::Router>();
  std::string pattern;
  for (int depth = 1; depth <= 6; ++depth) {
    pattern += "/{s" + std::to_string(depth) + "}";
    router->Add(http::Verb::get, pattern, Answer);
    router->Add(http::Verb::post, pattern, Answer);
  }
  asio::io_context io(options.io_threads);
  http::ServerOptions server_options;
  server_options.address = options.address;
  server_options.port = options.port;
  http::Server server(io, server_options, router);
  if (auto listening = server.Listen(); !listening.ok()) {
    std::fprintf(stderr, "minimal-server: %s\n", listening.error().message.c_str());
    return 1;
  }
  server.Start();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    server.Shutdown(std::chrono::milliseconds(1000), [&io] { io.stop(); });
  });
  std::printf("minimal-server: listening on %s:%u with %d I/O threads\n", options.address.c_str(),
              static_cast<unsigned>(server.port()), options.io_threads);
  std::fflush(stdout);
  std::vector<std::thread> threads;
  for (int i = 1; i < options.io_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace chorus::bench

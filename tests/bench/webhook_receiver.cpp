#include "bench/webhook_receiver.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/hmac.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace chorus::bench {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

struct WebhookReceiver::Impl {
  WebhookReceiverOptions options;
  asio::io_context io{1};
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mutex;
  std::size_t calls = 0;
  std::size_t bad_signature = 0;
  std::unordered_set<std::string> call_ids;

  void Record(const http::Request& req) {
    const std::string timestamp(req["X-Chorus-Timestamp"]);
    const std::string signature(req["X-Chorus-Signature"]);
    bool bad = signature.empty();
    if (!bad && !options.secret.empty()) {
      bad = signature != "v1=" + HmacSha256Hex(options.secret, timestamp + "." + req.body());
    }
    std::lock_guard lock(mutex);
    ++calls;
    if (bad) ++bad_signature;
    call_ids.emplace(req["X-Chorus-Call-Id"]);
  }
};

WebhookReceiver::WebhookReceiver(WebhookReceiverOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

WebhookReceiver::~WebhookReceiver() { Stop(); }

Result<void> WebhookReceiver::Start() {
  auto router = std::make_shared<http::Router>();
  Impl* impl = impl_.get();
  http::Handler answer = [impl](const http::Request& req,
                                http::RequestContext&) -> asio::awaitable<http::Response> {
    impl->Record(req);
    http::Response res{bhttp::status::ok, req.version()};
    co_return res;
  };
  std::string pattern;
  for (int depth = 1; depth <= 4; ++depth) {
    pattern += "/{s" + std::to_string(depth) + "}";
    router->Add(http::Verb::post, pattern, answer);
  }
  http::ServerOptions server_options;
  server_options.name = "receiver";
  server_options.address = impl_->options.address;
  server_options.port = impl_->options.port;
  impl_->server = std::make_unique<http::Server>(impl_->io, server_options, router);
  if (auto listening = impl_->server->Listen(); !listening.ok()) return listening;
  impl_->server->Start();
  impl_->thread = std::thread([impl] { http::RunIoContext(impl->io, "receiver"); });
  return {};
}

void WebhookReceiver::Stop() {
  if (!impl_->thread.joinable()) return;
  Impl* impl = impl_.get();
  impl_->server->Shutdown(std::chrono::milliseconds(500), [impl] { impl->io.stop(); });
  impl_->thread.join();
}

WebhookReceiverCounts WebhookReceiver::Counts() const {
  std::lock_guard lock(impl_->mutex);
  return WebhookReceiverCounts{impl_->calls, impl_->call_ids.size(), impl_->bad_signature};
}

}  // namespace chorus::bench

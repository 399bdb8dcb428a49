#include "e2e/webhook_receiver.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <thread>

#include "http/asio.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace chorus::e2e {
namespace {

namespace bhttp = boost::beast::http;

// A separate coroutine: a timer inside the handler's frame trips GCC 12's
// -Wmismatched-new-delete false positive on coroutine frames.
http::asio::awaitable<void> SleepFor(std::chrono::milliseconds delay) {
  http::asio::steady_timer timer(co_await http::asio::this_coro::executor, delay);
  boost::system::error_code ec;
  co_await timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
}

std::string Header(const http::Request& request, std::string_view name) {
  auto it = request.find(name);
  return it == request.end() ? std::string() : std::string(it->value());
}

}  // namespace

struct WebhookReceiver::Impl {
  explicit Impl(std::function<CallPlan(int)> p) : plan(std::move(p)), io(1) {}

  http::asio::awaitable<http::Response> Handle(const http::Request& request) {
    CallPlan answer;
    {
      std::lock_guard lock(mutex);
      calls.push_back(ReceivedCall{
          request.body(), Header(request, "Content-Type"), Header(request, "X-Chorus-Timestamp"),
          Header(request, "X-Chorus-Signature"), Header(request, "X-Chorus-Call-Id")});
      answer = plan(static_cast<int>(calls.size()));
    }
    if (answer.delay.count() > 0) co_await SleepFor(answer.delay);
    http::Response response{static_cast<bhttp::status>(answer.status), 11};
    response.set(bhttp::field::content_type, "application/json");
    response.body() = "{}";
    co_return response;
  }

  std::function<CallPlan(int)> plan;
  http::asio::io_context io;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  std::atomic<bool> running{false};
  mutable std::mutex mutex;
  std::vector<ReceivedCall> calls;
};

WebhookReceiver::WebhookReceiver(std::function<CallPlan(int)> plan)
    : impl_(std::make_unique<Impl>(std::move(plan))) {}

WebhookReceiver::~WebhookReceiver() { Stop(); }

Result<void> WebhookReceiver::Start() {
  auto router = std::make_shared<http::Router>();
  Impl* impl = impl_.get();
  router->Add(http::Verb::post, "/{path}",
              [impl](const http::Request& request, http::RequestContext&) {
                return impl->Handle(request);
              });
  http::ServerOptions options;
  options.name = "receiver";
  options.port = 0;
  impl_->server = std::make_unique<http::Server>(impl_->io, options, router);
  CHORUS_TRY(impl_->server->Listen());
  impl_->server->Start();
  impl_->thread = std::thread([impl] { impl->io.run(); });
  impl_->running = true;
  return Ok();
}

void WebhookReceiver::Stop() {
  if (!impl_->running.exchange(false)) return;
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/" + path;
}

std::vector<ReceivedCall> WebhookReceiver::calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->calls;
}

std::string ExpectedChorusSignature(const std::string& secret, const std::string& timestamp,
                                    const std::string& body) {
  const std::string data = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "v1=";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xF]);
  }
  return out;
}

}  // namespace chorus::e2e

#include "carriers/telnyx/fake_telnyx.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/string.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "carriers/telnyx/telnyx_payloads.hpp"
#include "carriers/telnyx/telnyx_test_signer.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace chorus::fakes {
namespace {

namespace bhttp = boost::beast::http;
using google::protobuf::Struct;
using http::asio::awaitable;

std::string JsonString(const std::string& text) {
  google::protobuf::Value value;
  value.set_string_value(text);
  std::string out;
  google::protobuf::util::MessageToJsonString(value, &out);
  return out;
}

// The error body of Telnyx's API (docs/CARRIERS.md, Telnyx).
http::Response TelnyxError(unsigned status, const std::string& code, const std::string& title) {
  http::Response response{static_cast<bhttp::status>(status), 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = code.empty() ? R"({"errors":[]})"
                                 : R"({"errors":[{"code":")" + code + R"(","title":)" +
                                       JsonString(title) + R"(,"detail":)" + JsonString(title) +
                                       "}]}";
  return response;
}

bool IsE164(const std::string& number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+' || number[1] == '0') {
    return false;
  }
  for (char c : number.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

struct Failure {
  int http_status = 500;
  std::string code;
  int remaining = 0;
};

struct CallbackPlan {
  std::vector<std::string> statuses;
  std::string error_code;
};

}  // namespace

struct FakeTelnyx::Impl {
  explicit Impl(FakeTelnyxOptions o)
      : options(std::move(o)),
        signer(options.signing_seed_hex.empty()
                   ? std::make_unique<testing::telnyx::TestSigner>()
                   : std::make_unique<testing::telnyx::TestSigner>(options.signing_seed_hex)),
        io(options.io_threads),
        work(http::asio::make_work_guard(io)),
        client(io, http::ClientOptions{options.callback_timeout}) {}

  awaitable<http::Response> HandleSend(const http::Request& request);
  http::Response HandleFetch(const http::Request& request, const http::RequestContext& context);
  std::string MessageJson(const ReceivedMessage& message,
                          const std::string& error_code = "") const;
  void SetStatusLocked(const std::string& id, const std::string& status,
                       const std::string& error_code);
  http::Response Send(const http::Request& request, ReceivedMessage& received,
                      CallbackPlan& plan);
  awaitable<void> PostCallbacks(ReceivedMessage message, CallbackPlan plan);
  transport::HttpRequestSpec Signed(const std::string& url, const std::string& body,
                                    std::int64_t timestamp) const;
  std::string NewId();

  FakeTelnyxOptions options;
  std::unique_ptr<testing::telnyx::TestSigner> signer;
  http::asio::io_context io;
  http::asio::executor_work_guard<http::asio::io_context::executor_type> work;
  http::Client client;
  std::unique_ptr<http::Server> server;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false};

  mutable std::mutex mutex;  // guards everything below
  std::vector<ReceivedMessage> messages;
  std::size_t accepted = 0;
  std::size_t status_queries = 0;
  // A failed message's error code, by id (what a status query answers in errors[]).
  std::map<std::string, std::string> error_codes;
  std::map<std::string, std::deque<Failure>> failures;
  std::map<std::string, CallbackPlan> plans;
  std::mt19937_64 random{std::random_device{}()};
};

std::string FakeTelnyx::Impl::NewId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::lock_guard lock(mutex);
  std::string id;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
    id += kHex[random() % 16];
  }
  return id;
}

transport::HttpRequestSpec FakeTelnyx::Impl::Signed(const std::string& url,
                                                    const std::string& body,
                                                    std::int64_t timestamp) const {
  if (timestamp == 0) {
    timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  }
  const std::string ts = std::to_string(timestamp);
  transport::HttpRequestSpec request;
  request.url = url;
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "telnyx-webhooks"},
                     {"telnyx-signature-ed25519", signer->Sign(ts, body)},
                     {"telnyx-timestamp", ts}};
  request.body = body;
  return request;
}

http::Response FakeTelnyx::Impl::Send(const http::Request& request, ReceivedMessage& received,
                                      CallbackPlan& plan) {
  if (options.api_key.empty() ||
      request[bhttp::field::authorization] != "Bearer " + options.api_key) {
    received.http_status = 401;
    return TelnyxError(401, "10009", "Authentication failed");
  }
  Struct body;
  if (!google::protobuf::util::JsonStringToMessage(request.body(), &body).ok()) {
    received.http_status = 400;
    return TelnyxError(400, "10015", "Invalid JSON");
  }
  auto text = [&](const std::string& name) {
    auto it = body.fields().find(name);
    return it == body.fields().end() ? std::string() : it->second.string_value();
  };
  received.to = text("to");
  received.from = text("from");
  received.body = text("text");
  received.status_callback = text("webhook_url");
  {
    std::lock_guard lock(mutex);
    auto it = failures.find(received.to);
    if (it != failures.end() && !it->second.empty()) {
      Failure& failure = it->second.front();
      const Failure scripted = failure;
      if (--failure.remaining <= 0) it->second.pop_front();
      received.http_status = scripted.http_status;
      return TelnyxError(static_cast<unsigned>(scripted.http_status), scripted.code,
                         "Scripted failure");
    }
  }
  if (!IsE164(received.to)) {
    received.http_status = 400;
    return TelnyxError(400, "40310", "Invalid 'to' address");
  }
  if (received.from.empty() || received.body.empty()) {
    received.http_status = 400;
    return TelnyxError(400, "10005", "Missing required parameter");
  }
  received.sid = NewId();
  received.http_status = 200;
  {
    std::lock_guard lock(mutex);
    auto it = plans.find(received.to);
    plan = it != plans.end() ? it->second : CallbackPlan{options.callback_statuses, "40006"};
  }
  http::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = MessageJson(received);
  return response;
}

// The message resource as the send answers it and GET /v2/messages/{id} returns it: the
// recipient's status in to[0].status, failures in errors[].code.
std::string FakeTelnyx::Impl::MessageJson(const ReceivedMessage& m,
                                         const std::string& error_code) const {
  const std::string errors =
      error_code.empty() ? "[]"
                         : R"([{"code":)" + JsonString(error_code) +
                                 R"(,"title":"Recipient unavailable"}])";
  return R"({"data":{"record_type":"message","direction":"outbound","id":")" + m.sid +
         R"(","type":"SMS","from":{"phone_number":)" + JsonString(m.from) +
         R"(,"carrier":"Telnyx","line_type":"Wireless"},"to":[{"phone_number":)" +
         JsonString(m.to) + R"(,"status":)" + JsonString(m.status) +
         R"(,"carrier":"","line_type":""}],"text":)" + JsonString(m.body) +
         R"(,"encoding":"GSM-7","parts":1,"cost":null,"errors":)" + errors + R"(,"tags":[]}})";
}

http::Response FakeTelnyx::Impl::HandleFetch(const http::Request& request,
                                             const http::RequestContext& context) {
  std::lock_guard lock(mutex);
  ++status_queries;
  if (options.api_key.empty() ||
      request[bhttp::field::authorization] != "Bearer " + options.api_key) {
    return TelnyxError(401, "10009", "Authentication failed");
  }
  for (const ReceivedMessage& m : messages) {
    if (m.sid.empty() || m.sid != context.path_params.at(0)) continue;
    http::Response response{bhttp::status::ok, 11};
    response.set(bhttp::field::content_type, "application/json");
    auto code = error_codes.find(m.sid);
    response.body() = MessageJson(m, code == error_codes.end() ? "" : code->second);
    return response;
  }
  return TelnyxError(404, "10005", "Resource not found");
}

void FakeTelnyx::Impl::SetStatusLocked(const std::string& id, const std::string& status,
                                       const std::string& error_code) {
  for (ReceivedMessage& m : messages) {
    if (m.sid.empty() || m.sid != id) continue;
    m.status = status;
    error_codes[id] = error_code;
  }
}

awaitable<http::Response> FakeTelnyx::Impl::HandleSend(const http::Request& request) {
  ReceivedMessage received;
  received.received_at = std::chrono::steady_clock::now();
  CallbackPlan plan;
  http::Response response = Send(request, received, plan);
  {
    std::lock_guard lock(mutex);
    messages.push_back(received);
    if (!received.sid.empty()) ++accepted;
  }
  if (!received.sid.empty() && !received.status_callback.empty() && !plan.statuses.empty()) {
    http::asio::co_spawn(io, PostCallbacks(received, std::move(plan)), [](std::exception_ptr) {});
  }
  co_return response;
}

// Telnyx posts each event once it happens; we post them in order, each after the previous one
// was answered, and retry one that got a 5xx or no answer (Telnyx tries 3 times).
awaitable<void> FakeTelnyx::Impl::PostCallbacks(ReceivedMessage message, CallbackPlan plan) {
  for (const std::string& status : plan.statuses) {
    const bool failed = status == "delivery_failed" || status == "sending_failed" ||
                        status == "expired";
    const std::string event = status == "sent" ? "message.sent" : "message.finalized";
    const std::string body = testing::telnyx::DeliveryEvent(
        event, message.sid, message.to, status, failed ? plan.error_code : "");
    {
      std::lock_guard lock(mutex);
      SetStatusLocked(message.sid, status, failed ? plan.error_code : "");
    }
    auto delay = options.callback_retry_delay;
    for (int attempt = 1;; ++attempt) {
      if (stopping) co_return;
      transport::HttpResponseSpec answer =
          co_await client.Send(Signed(message.status_callback, body, 0));
      if (answer.status != 0 && answer.status < 500) break;
      if (attempt >= options.callback_attempts) {
        spdlog::warn("fake_telnyx.callback_given_up id={} status={}", message.sid, status);
        break;
      }
      http::asio::steady_timer timer(co_await http::asio::this_coro::executor, delay);
      boost::system::error_code ec;
      co_await timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
      delay *= 2;
    }
  }
}

FakeTelnyx::FakeTelnyx(FakeTelnyxOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeTelnyx::~FakeTelnyx() { Stop(); }

Result<void> FakeTelnyx::Start() {
  auto router = std::make_shared<http::Router>();
  Impl* impl = impl_.get();
  router->Add(http::Verb::post, "/v2/messages",
              [impl](const http::Request& request, http::RequestContext&) {
                return impl->HandleSend(request);
              });
  router->Add(http::Verb::get, "/v2/messages/{id}",
              [impl](const http::Request& request,
                     http::RequestContext& context) -> http::asio::awaitable<http::Response> {
                co_return impl->HandleFetch(request, context);
              });
  http::ServerOptions server_options;
  server_options.name = "fake-telnyx";
  server_options.address = impl_->options.address;
  server_options.port = impl_->options.port;
  impl_->server = std::make_unique<http::Server>(impl_->io, server_options, router);
  if (auto listening = impl_->server->Listen(); !listening.ok()) {
    impl_->server.reset();
    return listening;
  }
  impl_->server->Start();
  for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i) {
    impl_->threads.emplace_back([impl] { http::RunIoContext(impl->io, "fake-telnyx"); });
  }
  impl_->running = true;
  return Ok();
}

void FakeTelnyx::Stop() {
  if (!impl_->running.exchange(false)) return;
  impl_->stopping = true;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;
  impl_->server->Shutdown(std::chrono::milliseconds(2000), [&] {
    std::lock_guard lock(done_mutex);
    done = true;
    done_cv.notify_all();
  });
  {
    std::unique_lock lock(done_mutex);
    done_cv.wait_for(lock, std::chrono::seconds(5), [&] { return done; });
  }
  impl_->work.reset();
  impl_->io.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

std::uint16_t FakeTelnyx::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string FakeTelnyx::api_base() const {
  return "http://" + impl_->options.address + ":" + std::to_string(port());
}

std::string FakeTelnyx::public_key() const { return impl_->signer->public_key_base64(); }

std::vector<ReceivedMessage> FakeTelnyx::Messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages;
}

std::vector<ReceivedMessage> FakeTelnyx::MessagesTo(const std::string& to) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<ReceivedMessage> out;
  for (const auto& m : impl_->messages) {
    if (m.to == to) out.push_back(m);
  }
  return out;
}

std::size_t FakeTelnyx::AcceptedCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

std::size_t FakeTelnyx::StatusQueryCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->status_queries;
}

void FakeTelnyx::SetStatus(const std::string& id, const std::string& status,
                           const std::string& error_code) {
  std::lock_guard lock(impl_->mutex);
  impl_->SetStatusLocked(id, status, error_code);
}

void FakeTelnyx::FailNext(const std::string& to, int http_status, const std::string& code,
                          int times) {
  if (times <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->failures[to].push_back(Failure{http_status, code, times});
}

void FakeTelnyx::SetCallbackStatuses(const std::string& to, std::vector<std::string> statuses,
                                     std::string error_code) {
  std::lock_guard lock(impl_->mutex);
  impl_->plans[to] = CallbackPlan{std::move(statuses), std::move(error_code)};
}

transport::HttpRequestSpec FakeTelnyx::SignedWebhook(const std::string& url,
                                                     const std::string& body,
                                                     std::int64_t timestamp) const {
  return impl_->Signed(url, body, timestamp);
}

std::string FakeTelnyx::InboundEvent(const std::string& id, const std::string& from,
                                     const std::string& to, const std::string& text) {
  return testing::telnyx::InboundEvent(id, from, to, JsonString(text));
}

}  // namespace chorus::fakes

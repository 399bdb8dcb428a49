#include "carriers/twilio/fake_twilio.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/string.hpp>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <random>
#include <thread>

#include "carriers/twilio/twilio_test_signer.hpp"
#include "core/segments.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace chorus::fakes {
namespace {

namespace signer = testing::twilio;

namespace bhttp = boost::beast::http;
using http::asio::awaitable;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kApiVersion = "2010-04-01";

std::string Base64(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Twilio's resources carry RFC 2822 dates: "Thu, 24 Aug 2023 05:01:45 +0000".
std::string Rfc2822(std::chrono::system_clock::time_point at) {
  std::time_t now = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

// A message's error_code: a number, or null while it has none.
std::string ErrorCodeJson(const std::string& code) {
  if (code.empty()) return "null";
  if (code.find_first_not_of("0123456789") == std::string::npos) return code;
  return JsonString(code);
}

bool IsE164(std::string_view number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+' || number[1] == '0') {
    return false;
  }
  for (char c : number.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::size_t CodePoints(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The error body of Twilio's REST API (docs/CARRIERS.md, Twilio, Sending).
http::Response TwilioError(unsigned status, int code, std::string_view message) {
  http::Response response{static_cast<bhttp::status>(status), 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = "{\"code\":" + std::to_string(code) + ",\"message\":" + JsonString(message) +
                    ",\"more_info\":\"https://www.twilio.com/docs/errors/" +
                    std::to_string(code) + "\",\"status\":" + std::to_string(status) + "}";
  return response;
}

// What FailNext scripts: the next `remaining` sends to one number.
struct Failure {
  int http_status = 500;
  int twilio_code = 0;
  int remaining = 0;
};

// A send held by HoldNext, waiting on `timer` until ReleaseHeld cancels it.
struct Held {
  explicit Held(http::asio::any_io_executor executor) : timer(std::move(executor)) {}
  http::asio::steady_timer timer;
};

// A separate coroutine: a timer inside HandleCreate's frame trips GCC 12's
// -Wmismatched-new-delete false positive on coroutine frames.
awaitable<void> SleepFor(std::chrono::milliseconds delay) {
  http::asio::steady_timer timer(co_await http::asio::this_coro::executor, delay);
  boost::system::error_code ec;
  co_await timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
}

struct CallbackPlan {
  std::vector<std::string> statuses;
  std::string error_code;
  bool before_answer = false;
};

}  // namespace

struct FakeTwilio::Impl {
  explicit Impl(FakeTwilioOptions o)
      : options(std::move(o)),
        io(options.io_threads),
        work(http::asio::make_work_guard(io)),
        client(io, http::ClientOptions{options.callback_timeout}) {}

  awaitable<http::Response> HandleCreate(const http::Request& request,
                                         http::RequestContext& context);
  http::Response HandleList(const http::Request& request, const http::RequestContext& context);
  http::Response HandleFetch(const http::Request& request, const http::RequestContext& context);
  std::optional<http::Response> Refuse(const http::Request& request,
                                       const http::RequestContext& context) const;
  http::Response Create(const http::Request& request, const http::RequestContext& context,
                        ReceivedMessage& received, CallbackPlan& plan);
  awaitable<void> MaybeHold(const http::Request& request);
  awaitable<void> PostCallbacks(ReceivedMessage message, CallbackPlan plan);
  awaitable<bool> PostCallback(const ReceivedMessage& message, const std::string& status,
                               const std::string& error_code);
  std::string NewSid();
  std::string ResourceJson(const ReceivedMessage& message, int segments,
                           const std::string& error_code = "");
  std::string ErrorCodeOf(const std::string& sid) const;  // with `mutex` held

  FakeTwilioOptions options;
  // Declared before the server and the client so it outlives every coroutine they own.
  http::asio::io_context io;
  http::asio::executor_work_guard<http::asio::io_context::executor_type> work;
  http::Client client;
  std::unique_ptr<http::Server> server;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  std::atomic<bool> running{false};  // listening, with I/O threads

  mutable std::mutex mutex;  // guards everything below
  mutable std::condition_variable accepted_cv;
  std::vector<ReceivedMessage> messages;
  // Position in `messages` by SID: a status callback updates its message without a scan (with
  // tens of thousands of messages a scan per callback dominated the benchmark's fake).
  std::unordered_map<std::string, std::size_t> by_sid;
  // A failed message's ErrorCode, by SID (what a status query answers as error_code).
  std::unordered_map<std::string, std::string> error_codes;
  std::size_t accepted = 0;
  std::size_t lookups = 0;
  std::size_t status_queries = 0;
  std::map<std::string, std::deque<Failure>> failures;
  std::map<std::string, CallbackPlan> callback_plans;
  std::map<std::string, int> holds;  // sends to hold, by number
  std::vector<std::shared_ptr<Held>> held;
  std::function<void(const ReceivedMessage&)> on_accepted;
  std::mt19937_64 random{std::random_device{}()};
};

std::string FakeTwilio::Impl::NewSid() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid = "SM";
  std::lock_guard lock(mutex);
  for (int i = 0; i < 32; ++i) sid += kHex[random() % 16];
  return sid;
}

std::string FakeTwilio::Impl::ErrorCodeOf(const std::string& sid) const {
  auto it = error_codes.find(sid);
  return it == error_codes.end() ? std::string() : it->second;
}

std::string FakeTwilio::Impl::ResourceJson(const ReceivedMessage& m, int segments,
                                           const std::string& error_code) {
  const std::string now = Rfc2822(m.created_at);
  const std::string uri =
      "/2010-04-01/Accounts/" + options.account_sid + "/Messages/" + m.sid;
  // Field set and types as Twilio answers a create (num_segments and num_media are strings).
  return "{\"account_sid\":" + JsonString(options.account_sid) +
         ",\"api_version\":\"2010-04-01\",\"body\":" + JsonString(m.body) +
         ",\"date_created\":" + JsonString(now) + ",\"date_sent\":null,\"date_updated\":" +
         JsonString(now) +
         ",\"direction\":\"outbound-api\",\"error_code\":" + ErrorCodeJson(error_code) +
         ",\"error_message\":null,\"from\":" +
         JsonString(m.from) +
         ",\"messaging_service_sid\":null,\"num_media\":\"0\",\"num_segments\":\"" +
         std::to_string(segments) +
         "\",\"price\":null,\"price_unit\":\"USD\",\"sid\":" + JsonString(m.sid) +
         ",\"status\":" + JsonString(m.status) + ",\"subresource_uris\":{\"media\":" +
         JsonString(uri + "/Media.json") + "},\"to\":" + JsonString(m.to) +
         ",\"uri\":" + JsonString(uri + ".json") + "}";
}

http::Response FakeTwilio::Impl::Create(const http::Request& request,
                                        const http::RequestContext& context,
                                        ReceivedMessage& received, CallbackPlan& plan) {
  const std::string expected = "Basic " + Base64(options.account_sid + ":" + options.auth_token);
  if (options.account_sid.empty() ||
      !boost::beast::iequals(request[bhttp::field::authorization], expected)) {
    received.http_status = 401;
    return TwilioError(401, 20003, "Authenticate");
  }
  if (context.path_params.at(0) != options.account_sid) {
    received.http_status = 404;
    return TwilioError(404, 20404,
                       "The requested resource /2010-04-01/Accounts/" + context.path_params.at(0) +
                           "/Messages.json was not found");
  }
  auto form = signer::Decode(request.body());
  if (!form) {
    received.http_status = 400;
    return TwilioError(400, 20001, "Could not parse the request body");
  }
  auto param = [&](std::string_view name) {
    const std::string* value = signer::Find(*form, name);
    return value == nullptr ? std::string() : *value;
  };
  received.to = param("To");
  received.from = param("From");
  received.body = param("Body");
  received.status_callback = param("StatusCallback");

  {
    std::lock_guard lock(mutex);
    auto it = failures.find(received.to);
    if (it != failures.end() && !it->second.empty()) {
      Failure& failure = it->second.front();
      const Failure scripted = failure;
      if (--failure.remaining <= 0) it->second.pop_front();
      received.http_status = scripted.http_status;
      if (scripted.twilio_code == 0) {
        http::Response bare{static_cast<bhttp::status>(scripted.http_status), 11};
        bare.set(bhttp::field::content_type, "application/json");
        bare.body() = "{\"message\":\"scripted failure\",\"status\":" +
                      std::to_string(scripted.http_status) + "}";
        return bare;
      }
      return TwilioError(static_cast<unsigned>(scripted.http_status), scripted.twilio_code,
                         "Scripted failure");
    }
  }
  if (received.to.empty()) {
    received.http_status = 400;
    return TwilioError(400, 21604, "A 'To' phone number is required.");
  }
  if (received.from.empty()) {
    received.http_status = 400;
    return TwilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required.");
  }
  if (received.body.empty()) {
    received.http_status = 400;
    return TwilioError(400, 21602, "Message body is required.");
  }
  if (!IsE164(received.to)) {
    received.http_status = 400;
    // Twilio quotes the number; so may a fake (it never logs it).
    return TwilioError(400, 21211,
                       "The 'To' number " + received.to + " is not a valid phone number.");
  }
  if (CodePoints(received.body) > 1600) {
    received.http_status = 400;
    return TwilioError(400, 21617,
                       "The concatenated message body exceeds the 1600 character limit.");
  }

  received.sid = NewSid();
  received.http_status = 201;
  received.created_at = std::chrono::system_clock::now();
  {
    std::lock_guard lock(mutex);
    auto it = callback_plans.find(received.to);
    if (it != callback_plans.end()) {
      plan = it->second;
    } else {
      plan.statuses = options.callback_statuses;
      plan.error_code = options.callback_error_code;
    }
  }
  http::Response response{bhttp::status::created, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = ResourceJson(received, CountSegments(received.body).segments);
  return response;
}

// The reads' checks, as Twilio makes them: Basic auth, then the account in the path.
std::optional<http::Response> FakeTwilio::Impl::Refuse(const http::Request& request,
                                                       const http::RequestContext& context) const {
  const std::string expected = "Basic " + Base64(options.account_sid + ":" + options.auth_token);
  if (!boost::beast::iequals(request[bhttp::field::authorization], expected)) {
    return TwilioError(401, 20003, "Authenticate");
  }
  if (context.path_params.at(0) != options.account_sid) {
    return TwilioError(404, 20404, "The requested resource was not found");
  }
  return std::nullopt;
}

// The Messages list (GET .../Messages.json?To=&From=&PageSize=), newest first, as Twilio
// pages it: {"messages": [...], "page", "page_size", ...}.
http::Response FakeTwilio::Impl::HandleList(const http::Request& request,
                                            const http::RequestContext& context) {
  if (auto refused = Refuse(request, context)) return std::move(*refused);
  std::string_view target = request.target();
  auto question = target.find('?');
  auto query = signer::Decode(question == std::string_view::npos ? "" : target.substr(question + 1));
  if (!query) return TwilioError(400, 20001, "Could not parse the query");
  auto param = [&](std::string_view name) {
    const std::string* value = signer::Find(*query, name);
    return value == nullptr ? std::string() : *value;
  };
  const std::string to = param("To");
  const std::string from = param("From");
  std::size_t page_size = 50;
  if (!param("PageSize").empty()) page_size = std::stoul(param("PageSize"));
  std::string items;
  std::size_t listed = 0;
  {
    std::lock_guard lock(mutex);
    ++lookups;
    for (auto it = messages.rbegin(); it != messages.rend() && listed < page_size; ++it) {
      if (it->sid.empty() || (!to.empty() && it->to != to) || (!from.empty() && it->from != from)) {
        continue;
      }
      if (listed++ > 0) items += ",";
      items += ResourceJson(*it, CountSegments(it->body).segments, ErrorCodeOf(it->sid));
    }
  }
  http::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = "{\"messages\":[" + items + "],\"page\":0,\"page_size\":" +
                    std::to_string(page_size) + ",\"next_page_uri\":null}";
  return response;
}

// One Message resource (GET .../Messages/{Sid}.json) with its latest status.
http::Response FakeTwilio::Impl::HandleFetch(const http::Request& request,
                                             const http::RequestContext& context) {
  {
    std::lock_guard lock(mutex);
    ++status_queries;
  }
  if (auto refused = Refuse(request, context)) return std::move(*refused);
  std::string sid = context.path_params.at(1);
  if (!sid.ends_with(".json")) {
    return TwilioError(404, 20404, "The requested resource was not found");
  }
  sid.resize(sid.size() - 5);
  ReceivedMessage message;
  std::string error_code;
  {
    std::lock_guard lock(mutex);
    auto it = by_sid.find(sid);
    if (it == by_sid.end()) {
      return TwilioError(404, 20404,
                         "The requested resource /2010-04-01/Accounts/" + options.account_sid +
                             "/Messages/" + sid + ".json was not found");
    }
    message = messages[it->second];
    error_code = ErrorCodeOf(sid);
  }
  http::Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = ResourceJson(message, CountSegments(message.body).segments, error_code);
  return response;
}

awaitable<http::Response> FakeTwilio::Impl::HandleCreate(const http::Request& request,
                                                         http::RequestContext& context) {
  const Clock::time_point arrived = Clock::now();
  co_await MaybeHold(request);
  ReceivedMessage received;
  received.received_at = arrived;
  CallbackPlan plan;
  http::Response response = Create(request, context, received, plan);
  std::function<void(const ReceivedMessage&)> callback;
  {
    std::lock_guard lock(mutex);
    messages.push_back(received);
    if (!received.sid.empty()) {
      by_sid[received.sid] = messages.size() - 1;
      ++accepted;
      callback = on_accepted;
    }
  }
  accepted_cv.notify_all();
  if (!received.sid.empty()) {
    if (callback) callback(received);
    if (!received.status_callback.empty() && !plan.statuses.empty()) {
      if (plan.before_answer) {
        co_await PostCallbacks(received, std::move(plan));
      } else {
        http::asio::co_spawn(io, PostCallbacks(received, std::move(plan)),
                             [](std::exception_ptr) {});
      }
    }
  }
  co_return response;
}

awaitable<void> FakeTwilio::Impl::MaybeHold(const http::Request& request) {
  if (options.answer_delay.count() > 0) co_await SleepFor(options.answer_delay);
  {
    std::lock_guard lock(mutex);
    if (holds.empty()) co_return;  // the common case: no second parse of the form
  }
  auto form = signer::Decode(request.body());
  if (!form) co_return;
  const std::string* to = signer::Find(*form, "To");
  if (to == nullptr) co_return;
  auto hold = std::make_shared<Held>(co_await http::asio::this_coro::executor);
  hold->timer.expires_at(Clock::time_point::max());
  {
    std::lock_guard lock(mutex);
    auto it = holds.find(*to);
    if (it == holds.end() || it->second <= 0) co_return;
    if (--it->second == 0) holds.erase(it);
    held.push_back(hold);
  }
  // ReleaseHeld cancels the timer through this coroutine's executor, so the cancel cannot run
  // before the wait below has started.
  boost::system::error_code ec;
  co_await hold->timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
}

// Twilio posts each status change to StatusCallback; we post them in order, each after the
// previous one was answered, and retry one that got a 5xx or no answer a few times.
awaitable<void> FakeTwilio::Impl::PostCallbacks(ReceivedMessage message, CallbackPlan plan) {
  if (!plan.before_answer && options.callback_delay.count() > 0) {
    http::asio::steady_timer timer(co_await http::asio::this_coro::executor,
                                   options.callback_delay);
    boost::system::error_code ec;
    co_await timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
  }
  for (const std::string& status : plan.statuses) {
    if (stopping) co_return;
    {
      std::lock_guard lock(mutex);
      if (auto it = by_sid.find(message.sid); it != by_sid.end()) {
        messages[it->second].status = status;
        if (status == "undelivered" || status == "failed") {
          error_codes[message.sid] = plan.error_code;
        }
      }
    }
    bool delivered = co_await PostCallback(message, status, plan.error_code);
    if (!delivered && !stopping) {
      spdlog::warn("fake_twilio.callback_given_up sid={} status={}", message.sid, status);
    }
  }
}

awaitable<bool> FakeTwilio::Impl::PostCallback(const ReceivedMessage& message,
                                               const std::string& status,
                                               const std::string& error_code) {
  signer::Params params{
      {"ApiVersion", std::string(kApiVersion)},
      {"AccountSid", options.account_sid},
      {"From", message.from},
      {"To", message.to},
      {"MessageSid", message.sid},
      {"SmsSid", message.sid},
      {"MessageStatus", status},
      {"SmsStatus", status},
  };
  if ((status == "undelivered" || status == "failed") && !error_code.empty()) {
    params.emplace_back("ErrorCode", error_code);
  }
  transport::HttpRequestSpec request;
  request.method = "POST";
  request.url = message.status_callback;
  request.headers = {
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"X-Twilio-Signature", signer::Sign(options.auth_token,
                                                                message.status_callback, params)},
      {"I-Twilio-Idempotency-Token", message.sid + "-" + status},
  };
  request.body = signer::Encode(params);

  auto delay = options.callback_retry_delay;
  for (int attempt = 1;; ++attempt) {
    if (stopping) co_return false;
    transport::HttpResponseSpec answer = co_await client.Send(request);
    if (answer.status != 0 && answer.status < 500) co_return true;
    if (attempt >= options.callback_attempts) co_return false;
    http::asio::steady_timer timer(co_await http::asio::this_coro::executor, delay);
    boost::system::error_code ec;
    co_await timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
    delay *= 2;
  }
}

FakeTwilio::FakeTwilio(FakeTwilioOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeTwilio::~FakeTwilio() { Stop(); }

Result<void> FakeTwilio::Start() {
  if (impl_->started.exchange(true)) {
    return MakeError(ErrorCode::kInternal, "fake Twilio already started");
  }
  auto router = std::make_shared<http::Router>();
  Impl* impl = impl_.get();
  router->Add(http::Verb::post, "/2010-04-01/Accounts/{account}/Messages.json",
              [impl](const http::Request& request, http::RequestContext& context) {
                return impl->HandleCreate(request, context);
              });
  router->Add(http::Verb::get, "/2010-04-01/Accounts/{account}/Messages.json",
              [impl](const http::Request& request,
                     http::RequestContext& context) -> http::asio::awaitable<http::Response> {
                co_return impl->HandleList(request, context);
              });
  router->Add(http::Verb::get, "/2010-04-01/Accounts/{account}/Messages/{sid}",
              [impl](const http::Request& request,
                     http::RequestContext& context) -> http::asio::awaitable<http::Response> {
                co_return impl->HandleFetch(request, context);
              });
  http::ServerOptions server_options;
  server_options.address = impl_->options.address;
  server_options.port = impl_->options.port;
  server_options.body_limit = 64 * 1024;
  impl_->server = std::make_unique<http::Server>(impl_->io, server_options, router);
  if (auto listening = impl_->server->Listen(); !listening.ok()) {
    impl_->server.reset();
    impl_->started = false;
    return listening;
  }
  impl_->server->Start();
  const int threads = impl_->options.io_threads < 1 ? 1 : impl_->options.io_threads;
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([impl] { impl->io.run(); });
  }
  impl_->running = true;
  return Ok();
}

void FakeTwilio::Stop() {
  if (!impl_->running.exchange(false)) return;
  impl_->stopping = true;
  ReleaseHeld();
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

std::uint16_t FakeTwilio::port() const {
  return impl_->server ? impl_->server->port() : 0;
}

std::string FakeTwilio::api_base() const {
  return "http://" + impl_->options.address + ":" + std::to_string(port());
}

std::vector<ReceivedMessage> FakeTwilio::Messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages;
}

std::vector<ReceivedMessage> FakeTwilio::MessagesTo(const std::string& to) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<ReceivedMessage> out;
  for (const auto& m : impl_->messages) {
    if (m.to == to) out.push_back(m);
  }
  return out;
}

std::size_t FakeTwilio::LookupCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->lookups;
}

std::size_t FakeTwilio::StatusQueryCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->status_queries;
}

void FakeTwilio::SetStatus(const std::string& sid, const std::string& status,
                           const std::string& error_code) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->by_sid.find(sid);
  if (it == impl_->by_sid.end()) return;
  impl_->messages[it->second].status = status;
  impl_->error_codes[sid] = error_code;
}

std::size_t FakeTwilio::AcceptedCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

bool FakeTwilio::WaitForAccepted(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->accepted_cv.wait_for(lock, timeout, [&] { return impl_->accepted >= count; });
}

void FakeTwilio::FailNext(const std::string& to, int http_status, int twilio_code, int times) {
  if (times <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->failures[to].push_back(Failure{http_status, twilio_code, times});
}

void FakeTwilio::SetCallbackStatuses(const std::string& to, std::vector<std::string> statuses,
                                     std::string error_code, bool before_answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->callback_plans[to] =
      CallbackPlan{std::move(statuses), std::move(error_code), before_answer};
}

void FakeTwilio::HoldNext(const std::string& to, int times) {
  if (times <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->holds[to] += times;
}

void FakeTwilio::ReleaseHeld() {
  std::vector<std::shared_ptr<Held>> held;
  {
    std::lock_guard lock(impl_->mutex);
    held.swap(impl_->held);
  }
  for (auto& h : held) {
    http::asio::post(h->timer.get_executor(), [h] { h->timer.cancel(); });
  }
}

std::size_t FakeTwilio::HeldCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->held.size();
}

void FakeTwilio::SetOnAccepted(std::function<void(const ReceivedMessage&)> callback) {
  std::lock_guard lock(impl_->mutex);
  impl_->on_accepted = std::move(callback);
}

}  // namespace chorus::fakes

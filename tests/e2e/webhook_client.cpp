#include "e2e/webhook_client.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <random>
#include <thread>
#include <vector>

#include "carriers/twilio/twilio_test_signer.hpp"
#include "http/client.hpp"

namespace chorus::e2e {

namespace asio = http::asio;

struct HttpDriver::Impl {
  Impl() : work(asio::make_work_guard(io)), client(io, http::ClientOptions{}) {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~Impl() {
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  http::Client client;
  std::vector<std::thread> threads;
};

HttpDriver::HttpDriver() : impl_(std::make_unique<Impl>()) {}
HttpDriver::~HttpDriver() = default;

std::future<transport::HttpResponseSpec> HttpDriver::SendAsync(transport::HttpRequestSpec request) {
  return asio::co_spawn(impl_->io, impl_->client.Send(std::move(request)), asio::use_future);
}

transport::HttpResponseSpec HttpDriver::Send(transport::HttpRequestSpec request) {
  // The client's own deadline (10 s) bounds this; the future cannot hang past it.
  return SendAsync(std::move(request)).get();
}

transport::HttpResponseSpec HttpDriver::Get(const std::string& url) {
  transport::HttpRequestSpec request;
  request.method = "GET";
  request.url = url;
  return Send(std::move(request));
}

std::string NewMessageSid() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid = "SM";
  for (int i = 0; i < 32; ++i) sid += kHex[random() % 16];
  return sid;
}

carriers::FormParams InboundForm(const std::string& message_sid, const std::string& account_sid,
                                 const std::string& from, const std::string& to,
                                 const std::string& body) {
  return {{"ToCountry", "US"},          {"ToState", "NY"},
          {"SmsMessageSid", message_sid}, {"NumMedia", "0"},
          {"FromCountry", "US"},        {"SmsSid", message_sid},
          {"SmsStatus", "received"},    {"Body", body},
          {"To", to},                   {"NumSegments", "1"},
          {"MessageSid", message_sid},  {"AccountSid", account_sid},
          {"From", from},               {"ApiVersion", "2010-04-01"}};
}

carriers::FormParams StatusForm(const std::string& message_sid, const std::string& account_sid,
                                const std::string& from, const std::string& to,
                                const std::string& status, const std::string& error_code) {
  carriers::FormParams params{{"ApiVersion", "2010-04-01"}, {"AccountSid", account_sid},
                              {"From", from},               {"To", to},
                              {"MessageSid", message_sid},  {"SmsSid", message_sid},
                              {"MessageStatus", status},    {"SmsStatus", status}};
  if (!error_code.empty()) params.emplace_back("ErrorCode", error_code);
  return params;
}

transport::HttpRequestSpec TwilioPost(const std::string& base_url,
                                     const std::string& public_base_url, const std::string& path,
                                     const carriers::FormParams& params,
                                     const std::string& auth_token) {
  transport::HttpRequestSpec request;
  request.method = "POST";
  request.url = base_url + path;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  if (!auth_token.empty()) {
    request.headers.emplace_back(
        "X-Twilio-Signature",
        testing::twilio::Sign(auth_token, public_base_url + path, params));
  }
  request.body = testing::twilio::Encode(params);
  return request;
}

}  // namespace chorus::e2e

#pragma once

#include <future>
#include <memory>
#include <string>

#include "carriers/carrier.hpp"
#include "carriers/form.hpp"

namespace chorus::e2e {

/// Blocking and asynchronous HTTP for tests, over the project's own http::Client (keep-alive
/// pools, 10 s deadline per request) run by two private I/O threads. Never throws: a request
/// without an answer comes back with status 0. Thread-safe.
class HttpDriver {
 public:
  HttpDriver();
  ~HttpDriver();
  HttpDriver(const HttpDriver&) = delete;
  HttpDriver& operator=(const HttpDriver&) = delete;

  transport::HttpResponseSpec Send(transport::HttpRequestSpec request);
  std::future<transport::HttpResponseSpec> SendAsync(transport::HttpRequestSpec request);
  transport::HttpResponseSpec Get(const std::string& url);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A fresh Twilio message SID: "SM" and 32 random hex digits.
std::string NewMessageSid();

/// The form Twilio posts for an inbound SMS (docs/CARRIERS.md, Twilio).
carriers::FormParams InboundForm(const std::string& message_sid, const std::string& account_sid,
                                 const std::string& from, const std::string& to,
                                 const std::string& body);

/// The form of a status callback (docs/CARRIERS.md, Twilio); `error_code` is left out when empty.
carriers::FormParams StatusForm(const std::string& message_sid, const std::string& account_sid,
                                const std::string& from, const std::string& to,
                                const std::string& status, const std::string& error_code = "");

/// POST of `body` (already form-encoded) to `base_url + path`, signed like Twilio with
/// `auth_token` over `public_base_url + path` and `params`. An empty token sends no signature.
transport::HttpRequestSpec TwilioPost(const std::string& base_url,
                                     const std::string& public_base_url, const std::string& path,
                                     const carriers::FormParams& params,
                                     const std::string& auth_token);

}  // namespace chorus::e2e

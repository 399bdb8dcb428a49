#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace chorus::e2e {

/// A call a flow's webhook step made, as the receiver saw it.
struct ReceivedCall {
  std::string body;
  std::string content_type;
  std::string timestamp;  // X-Chorus-Timestamp
  std::string signature;  // X-Chorus-Signature
  std::string call_id;    // X-Chorus-Call-Id
};

/// How the receiver answers its n-th call (n from 1): after `delay`, with `status`.
struct CallPlan {
  int status = 200;
  std::chrono::milliseconds delay{0};
};

/// An organization's system receiving a flow's webhook calls: an HTTP server on 127.0.0.1 that
/// records every POST and answers as `plan` says (fine, failing, slow).
class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::function<CallPlan(int call)> plan);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  Result<void> Start();
  void Stop();
  /// http://127.0.0.1:PORT/path
  std::string url(const std::string& path) const;
  std::vector<ReceivedCall> calls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// "v1=" + lower-case hex of HMAC-SHA256(secret, timestamp "." body), computed here with
/// OpenSSL directly: the check of Chorus's signature does not use Chorus's code.
std::string ExpectedChorusSignature(const std::string& secret, const std::string& timestamp,
                                    const std::string& body);

}  // namespace chorus::e2e

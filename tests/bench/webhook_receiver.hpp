#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace chorus::bench {

struct WebhookReceiverOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  /// The secret the flow's webhook step signs with; empty: signatures are not checked.
  std::string secret;
};

/// What the receiver saw.
struct WebhookReceiverCounts {
  std::size_t calls = 0;           // POSTs answered
  std::size_t distinct = 0;        // distinct X-Chorus-Call-Id values
  std::size_t bad_signature = 0;   // X-Chorus-Signature missing or not HMAC(secret, ts.body)
};

/// The system a flow's webhook step calls, for the benchmark: the project's http::Server on
/// its own I/O thread, answering every POST 200 at once with an empty body (a receiver that
/// does its work later, as docs/FLOWS.md asks), counting calls and call ids and checking each
/// signature. Thread-safe.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(WebhookReceiverOptions options);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  Result<void> Start();
  void Stop();
  WebhookReceiverCounts Counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::bench

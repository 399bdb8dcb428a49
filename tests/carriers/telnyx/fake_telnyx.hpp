#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "fakes/received_message.hpp"
#include "transport/transport.hpp"

namespace chorus::fakes {

struct FakeTelnyxOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::string api_key;     // sends must carry "Authorization: Bearer <api_key>"
  /// The Ed25519 seed (64 hex digits) webhooks are signed with; empty: a random key.
  std::string signing_seed_hex;
  /// After accepting a message, these recipient statuses are posted to its webhook_url as
  /// message.sent ("sent") and message.finalized (any other), in order, signed like Telnyx.
  std::vector<std::string> callback_statuses = {"sent", "delivered"};
  int io_threads = 1;
  int callback_attempts = 4;
  std::chrono::milliseconds callback_retry_delay{250};
  std::chrono::milliseconds callback_timeout{5000};
};

/// A fake Telnyx speaking the Messaging API v2 wire format (docs/CARRIERS.md, Telnyx): POST
/// /v2/messages with a JSON body and Bearer auth, answered like Telnyx ({"data": {...}} with a
/// fresh UUID, or {"errors": [{code, title, detail}]}), then delivery events POSTed to the
/// message's webhook_url, signed with Ed25519 over "timestamp|body". It also signs inbound
/// message.received events for tests to post to Chorus. GET /v2/messages/{id} answers one
/// message with its latest status (404 for an id it never gave). Thread-safe.
class FakeTelnyx {
 public:
  explicit FakeTelnyx(FakeTelnyxOptions options);
  ~FakeTelnyx();

  Result<void> Start();
  void Stop();
  std::uint16_t port() const;
  std::string api_base() const;         // "http://127.0.0.1:PORT"
  std::string public_key() const;       // Base64, for the channel's public_key setting

  std::vector<ReceivedMessage> Messages() const;
  std::vector<ReceivedMessage> MessagesTo(const std::string& to) const;
  std::size_t AcceptedCount() const;
  /// GET /v2/messages/{id} calls so far (status queries, answered or refused).
  std::size_t StatusQueryCount() const;
  /// Telnyx's own record of message `id` moves to recipient status `status` (with
  /// `error_code`), without an event: what a status query answers after an event was lost.
  void SetStatus(const std::string& id, const std::string& status,
                 const std::string& error_code = "");

  /// The next `times` sends to `to` get `http_status` with Telnyx error `code` (for example
  /// 409 and "40300", 429 and "10011", 500 and "" for a bare 500).
  void FailNext(const std::string& to, int http_status, const std::string& code, int times = 1);
  /// Messages accepted for `to` from now on get these statuses (with `error_code` on failures).
  void SetCallbackStatuses(const std::string& to, std::vector<std::string> statuses,
                           std::string error_code = "40006");

  /// `body` POSTed to `url` with telnyx-signature-ed25519 and telnyx-timestamp as Telnyx sends
  /// them; `timestamp` defaults to now.
  transport::HttpRequestSpec SignedWebhook(const std::string& url, const std::string& body,
                                           std::int64_t timestamp = 0) const;
  /// A message.received event from `from` to `to` saying `text`, with message id `id`.
  static std::string InboundEvent(const std::string& id, const std::string& from,
                                  const std::string& to, const std::string& text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::fakes

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/channel.hpp"
#include "core/delivery_status.hpp"
#include "core/ids.hpp"

namespace chorus::carriers {

/// An HTTP exchange described as data, so carrier adapters stay pure and testable and one
/// asynchronous client does the I/O for every HTTP carrier.
struct HttpRequestSpec {
  std::string method = "POST";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponseSpec {
  int status = 0;          // 0: no response (connect failure, reset, timeout)
  bool timed_out = false;  // true when the deadline passed; the carrier may have accepted
  std::string body;
  std::optional<std::chrono::seconds> retry_after;  // parsed Retry-After header, if any
};

/// A message to hand to a carrier.
struct SendRequest {
  OutboundId outbound_id = 0;
  std::string to;    // E.164
  std::string body;  // UTF-8
  std::string status_callback_url;  // where the carrier should post delivery status
};

enum class SendResult {
  kAccepted,            // the carrier took it; carrier_message_id is set
  kRetry,               // transient (429, 5xx, timeout, network): try again later
  kPermanentFailure,    // invalid number, bad request, auth failure: do not retry
  kRecipientOptedOut,   // the carrier blocks this recipient for this sender (Twilio 21610)
};

struct SendOutcome {
  SendResult result = SendResult::kRetry;
  std::string carrier_message_id;
  DeliveryStatus status = DeliveryStatus::kAccepted;  // with kAccepted: the carrier's status
  std::string error_code;     // carrier's code ("21211", "http_503", "timeout"); safe to log
  std::string error_message;  // short, no personal data, no credentials
  std::optional<std::chrono::seconds> retry_after;
};

/// The carrier port for sending. One adapter per carrier; stateless and thread-safe.
class Carrier {
 public:
  virtual ~Carrier() = default;
  /// The request that sends `message` from `channel`. Credentials come from channel.secrets.
  virtual HttpRequestSpec BuildSend(const Channel& channel, const SendRequest& message) const = 0;
  /// Classifies the carrier's answer (or the lack of one).
  virtual SendOutcome ParseSend(const HttpResponseSpec& response) const = 0;
};

}  // namespace chorus::carriers

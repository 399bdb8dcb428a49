#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/delivery_status.hpp"

namespace chorus::carriers {

/// Every carrier's webhooks arrive at /webhooks/{carrier}/{channel}/{kind}: the carrier's kind
/// ("twilio"), the channel's slug and what the carrier posts there ("inbound", "status"; each
/// carrier lists its own in Carrier::Webhooks).
inline constexpr std::string_view kWebhookRoute = "/webhooks/{carrier}/{channel}/{kind}";

/// The absolute URL of a channel's webhook of `kind`, as the carrier must call it (the status
/// callback URL given with each send, the URLs an operator configures at the carrier).
std::string WebhookUrl(std::string_view public_base_url, std::string_view carrier,
                       std::string_view channel_slug, std::string_view kind);

/// A webhook as the carrier sent it, before anything is trusted.
struct WebhookRequest {
  std::string_view method;        // "POST"
  std::string_view url;           // as the carrier requested it: public base URL + target
  std::string_view body;          // the raw bytes
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // in arrival order
  std::chrono::system_clock::time_point received_at;

  /// The value of header `name` (case-insensitive) if it appears exactly once, else "".
  std::string_view Header(std::string_view name) const;
  /// How often header `name` appears.
  std::size_t HeaderCount(std::string_view name) const;
};

/// An inbound message as a carrier delivered it.
struct InboundMessage {
  std::string carrier_message_id;
  std::string from;  // as the carrier wrote it; normalised to E.164 by the caller
  std::string to;
  std::string body;  // UTF-8, without NUL
  int num_media = 0;
};

/// A delivery report for a message we sent.
struct DeliveryReport {
  std::string carrier_message_id;
  std::string raw_status;  // the carrier's own word ("delivered", "delivery_failed")
  DeliveryStatus status = DeliveryStatus::kAccepted;
  std::string error_code;  // the carrier's error code, digits or a short token; may be empty
};

/// What one webhook carried: carriers post one event per request (Twilio) or several
/// (Bandwidth's arrays); an event Chorus does not use leaves both lists empty.
struct WebhookContent {
  std::vector<InboundMessage> messages;
  std::vector<DeliveryReport> reports;
};

/// The HTTP answer a carrier expects once what it sent is durable.
struct WebhookAnswer {
  unsigned status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

/// What a carrier posts to one of its webhook kinds.
struct WebhookShape {
  std::string_view kind;                           // the {kind} of the route
  std::vector<std::string_view> methods{"POST"};
  std::string_view content_type;                   // media type; empty: no body (GET)
};

}  // namespace chorus::carriers

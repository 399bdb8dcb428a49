#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "carriers/form.hpp"
#include "core/delivery_status.hpp"
#include "core/result.hpp"

namespace chorus::carriers::twilio {

/// An inbound message as Twilio posts it (twilio.com/docs/messaging/guides/webhook-request).
struct InboundWebhook {
  std::string message_sid;  // MessageSid (falls back to SmsSid)
  std::string account_sid;
  std::string from;
  std::string to;
  std::string body;
  int num_media = 0;
};

/// kInvalidArgument (naming the field, never echoing values) when MessageSid/From/To is missing
/// or malformed, a field Chorus reads appears twice, or Body is not UTF-8 or longer than 1600
/// characters. A NUL in Body becomes
/// U+FFFD (the database cannot store it). Pure.
Result<InboundWebhook> ParseInbound(const FormParams& params);

/// A delivery status callback.
struct StatusWebhook {
  std::string message_sid;
  std::string account_sid;    // empty when absent
  std::string raw_status;     // MessageStatus as sent ("delivered", "undelivered", ...)
  DeliveryStatus status = DeliveryStatus::kAccepted;
  std::string error_code;     // ErrorCode, empty when absent
};

/// Maps Twilio's MessageStatus to ours: accepted/queued/scheduled/sending -> kAccepted, sent ->
/// kSent, delivered/read -> kDelivered, undelivered -> kUndelivered, failed/canceled -> kFailed.
/// kInvalidArgument when MessageSid or MessageStatus is missing or the status unknown. Pure.
Result<StatusWebhook> ParseStatus(const FormParams& params);

/// True when `sid` has the shape of a Twilio account SID: "AC" and 32 hex digits. Pure.
bool IsAccountSid(std::string_view sid);

/// True when `value` can be an X-Twilio-Signature: Base64 of an HMAC-SHA1 (28 characters).
/// Checked before the body is decoded, so a request without one costs nothing. Pure.
bool IsSignatureHeader(std::string_view value);

/// True when `sid` has the shape of a Twilio message SID: "SM" or "MM" followed by 32 hex
/// digits (34 characters). Pure.
bool IsMessageSid(std::string_view sid);

/// Twilio's Message `status` / `MessageStatus` value mapped as ParseStatus does; nullopt for a
/// value not in that mapping (including inbound-only "received"). Pure.
std::optional<DeliveryStatus> MapMessageStatus(std::string_view twilio_status);

/// The empty TwiML answer: `<?xml version="1.0" encoding="UTF-8"?><Response/>`.
std::string_view EmptyTwiml();

}  // namespace chorus::carriers::twilio

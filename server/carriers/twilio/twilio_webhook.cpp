#include "carriers/twilio/twilio_webhook.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <utility>

#include "core/segments.hpp"
#include "core/text.hpp"

namespace chorus::carriers::twilio {
namespace {

// Twilio allows at most 10 media per message; anything far above that is not Twilio.
constexpr int kMaxNumMedia = 100;
// E.164 is at most 16 bytes; channel addresses ("whatsapp:+1...", "messenger:...") are longer.
constexpr std::size_t kMaxAddressBytes = 64;

Error FieldError(std::string_view field, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(field) + " " + std::string(problem));
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Twilio SIDs are a two-letter type prefix and 32 hex digits
// (twilio.com/docs/glossary/what-is-a-sid).
bool IsSid(std::string_view sid, std::string_view prefix) {
  if (sid.size() != 34 || !sid.starts_with(prefix)) return false;
  for (char c : sid.substr(2)) {
    if (!IsHex(c)) return false;
  }
  return true;
}

// The one value of a field Chorus reads: nullptr when absent, an error when repeated (a
// signed form may carry a name twice; which copy counts would be a guess).
Result<const std::string*> Single(const FormParams& params, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [key, value] : params) {
    if (key != name) continue;
    if (found != nullptr) return FieldError(name, "appears more than once");
    found = &value;
  }
  return found;
}

// Phone numbers, short codes and channel addresses are printable ASCII without spaces;
// normalising to E.164 is the caller's job (PhoneNumber::Parse with the channel's country).
bool IsAddress(std::string_view address) {
  if (address.empty() || address.size() > kMaxAddressBytes) return false;
  for (char c : address) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// MessageSid, falling back to the deprecated SmsSid that carries the same value.
Result<std::string> MessageSidOf(const FormParams& params) {
  CHORUS_ASSIGN_OR_RETURN(const std::string* sid, Single(params, "MessageSid"));
  CHORUS_ASSIGN_OR_RETURN(const std::string* sms_sid, Single(params, "SmsSid"));
  if (sid == nullptr || sid->empty()) sid = sms_sid;
  if (sid == nullptr || sid->empty()) return FieldError("MessageSid", "is missing");
  if (!IsMessageSid(*sid)) return FieldError("MessageSid", "is not a Twilio message SID");
  return *sid;
}

Result<std::string> AddressOf(const FormParams& params, std::string_view field) {
  CHORUS_ASSIGN_OR_RETURN(const std::string* address, Single(params, field));
  if (address == nullptr || address->empty()) return FieldError(field, "is missing");
  if (!IsAddress(*address)) return FieldError(field, "is malformed");
  return *address;
}

Result<std::string> AccountSidOf(const FormParams& params) {
  CHORUS_ASSIGN_OR_RETURN(const std::string* sid, Single(params, "AccountSid"));
  if (sid == nullptr) return std::string();
  if (!IsAccountSid(*sid)) return FieldError("AccountSid", "is not a Twilio account SID");
  return *sid;
}

Result<std::string> BodyOf(const FormParams& params) {
  CHORUS_ASSIGN_OR_RETURN(const std::string* body, Single(params, "Body"));
  // A picture-only MMS may carry no text.
  if (body == nullptr) return std::string();
  if (!IsValidUtf8(*body)) return FieldError("Body", "is not UTF-8");
  // twilio.com/docs/messaging/guides/webhook-request: Body is "up to 1600 characters".
  if (CountCodePoints(*body) > kMaxMessageCharacters) {
    return FieldError("Body", "is longer than 1600 characters");
  }
  // PostgreSQL text cannot hold U+0000. Keep the message (refusing it would lose it, as the
  // carrier would retry for ever) with each NUL shown as U+FFFD, as for any unreadable byte.
  std::string text;
  text.reserve(body->size());
  for (char c : *body) {
    if (c == '\0') text += "\xEF\xBF\xBD";
    else text += c;
  }
  return text;
}

Result<int> NumMediaOf(const FormParams& params) {
  CHORUS_ASSIGN_OR_RETURN(const std::string* raw, Single(params, "NumMedia"));
  if (raw == nullptr || raw->empty()) return 0;
  int value = -1;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || end != raw->data() + raw->size() || value < 0 || value > kMaxNumMedia) {
    return FieldError("NumMedia", "is not an integer between 0 and 100");
  }
  return value;
}

// ErrorCode is a Twilio error number (30003, ...); anything else would end up in logs and
// metrics labels, so only digits pass.
Result<std::string> ErrorCodeOf(const FormParams& params) {
  CHORUS_ASSIGN_OR_RETURN(const std::string* code, Single(params, "ErrorCode"));
  if (code == nullptr) return std::string();
  if (code->size() > 10) return FieldError("ErrorCode", "is not a Twilio error code");
  for (char c : *code) {
    if (c < '0' || c > '9') return FieldError("ErrorCode", "is not a Twilio error code");
  }
  return *code;
}

// docs/CARRIERS.md, Twilio, Status callback (Twilio's MessageStatus values). "canceled" means a scheduled message Twilio will never send,
// so it is a failure from our side. "partially_delivered" has unverified semantics and
// "receiving"/"received" are inbound: those stay unknown.
constexpr std::array<std::pair<std::string_view, DeliveryStatus>, 10> kStatuses{{
    {"accepted", DeliveryStatus::kAccepted},
    {"queued", DeliveryStatus::kAccepted},
    {"scheduled", DeliveryStatus::kAccepted},
    {"sending", DeliveryStatus::kAccepted},
    {"sent", DeliveryStatus::kSent},
    {"delivered", DeliveryStatus::kDelivered},
    {"read", DeliveryStatus::kDelivered},
    {"undelivered", DeliveryStatus::kUndelivered},
    {"failed", DeliveryStatus::kFailed},
    {"canceled", DeliveryStatus::kFailed},
}};

}  // namespace

bool IsMessageSid(std::string_view sid) { return IsSid(sid, "SM") || IsSid(sid, "MM"); }

bool IsAccountSid(std::string_view sid) { return IsSid(sid, "AC"); }

bool IsSignatureHeader(std::string_view value) {
  // Base64 of an HMAC-SHA1 (20 bytes): 27 characters of the alphabet and one '='.
  if (value.size() != 28 || value.back() != '=') return false;
  for (char c : value.substr(0, 27)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

std::optional<DeliveryStatus> MapMessageStatus(std::string_view twilio_status) {
  for (const auto& [name, status] : kStatuses) {
    if (name == twilio_status) return status;
  }
  return std::nullopt;
}

Result<InboundWebhook> ParseInbound(const FormParams& params) {
  InboundWebhook inbound;
  CHORUS_ASSIGN_OR_RETURN(inbound.message_sid, MessageSidOf(params));
  CHORUS_ASSIGN_OR_RETURN(inbound.account_sid, AccountSidOf(params));
  CHORUS_ASSIGN_OR_RETURN(inbound.from, AddressOf(params, "From"));
  CHORUS_ASSIGN_OR_RETURN(inbound.to, AddressOf(params, "To"));
  CHORUS_ASSIGN_OR_RETURN(inbound.body, BodyOf(params));
  CHORUS_ASSIGN_OR_RETURN(inbound.num_media, NumMediaOf(params));
  return inbound;
}

Result<StatusWebhook> ParseStatus(const FormParams& params) {
  StatusWebhook callback;
  CHORUS_ASSIGN_OR_RETURN(callback.message_sid, MessageSidOf(params));
  CHORUS_ASSIGN_OR_RETURN(callback.account_sid, AccountSidOf(params));
  CHORUS_ASSIGN_OR_RETURN(const std::string* raw_status, Single(params, "MessageStatus"));
  if (raw_status == nullptr || raw_status->empty()) {
    return FieldError("MessageStatus", "is missing");
  }
  auto status = MapMessageStatus(*raw_status);
  if (!status) return FieldError("MessageStatus", "is not a known Twilio status");
  callback.raw_status = *raw_status;
  callback.status = *status;
  CHORUS_ASSIGN_OR_RETURN(callback.error_code, ErrorCodeOf(params));
  return callback;
}

std::string_view EmptyTwiml() { return R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)"; }

}  // namespace chorus::carriers::twilio

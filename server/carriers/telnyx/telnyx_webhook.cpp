#include "carriers/telnyx/telnyx_webhook.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <array>
#include <cmath>
#include <utility>

#include "core/segments.hpp"
#include "core/text.hpp"

namespace chorus::carriers::telnyx {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// Long concatenated messages and MMS text can exceed an SMS's 1600 characters; refusing one
// would lose it, so the bound only stops absurd input.
constexpr std::size_t kMaxTextCharacters = 10 * kMaxMessageCharacters;
constexpr std::size_t kMaxIdBytes = 128;
constexpr std::size_t kMaxAddressBytes = 64;

constexpr std::array<std::pair<std::string_view, DeliveryStatus>, 9> kStatuses{{
    {"queued", DeliveryStatus::kAccepted},
    {"sending", DeliveryStatus::kAccepted},
    {"sent", DeliveryStatus::kSent},
    {"delivery_unconfirmed", DeliveryStatus::kSent},
    {"delivered", DeliveryStatus::kDelivered},
    {"read", DeliveryStatus::kDelivered},
    {"delivery_failed", DeliveryStatus::kUndelivered},
    {"expired", DeliveryStatus::kUndelivered},
    {"sending_failed", DeliveryStatus::kFailed},
}};

Error Field(std::string_view path, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(path) + " " + std::string(problem));
}

const Value* Get(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? nullptr : &it->second;
}

const Struct* Object(const Value* value) {
  return value != nullptr && value->kind_case() == Value::kStructValue ? &value->struct_value()
                                                                       : nullptr;
}

const ListValue* List(const Value* value) {
  return value != nullptr && value->kind_case() == Value::kListValue ? &value->list_value()
                                                                     : nullptr;
}

// A string field: nullopt when absent, an error when of another type.
Result<std::optional<std::string>> String(const Struct& object, const std::string& name,
                                          std::string_view path) {
  const Value* value = Get(object, name);
  if (value == nullptr || value->kind_case() == Value::kNullValue) {
    return std::optional<std::string>();
  }
  if (value->kind_case() != Value::kStringValue) return Field(path, "is not a string");
  return std::optional<std::string>(value->string_value());
}

Result<std::string> Required(const Struct& object, const std::string& name,
                             std::string_view path, std::size_t max_bytes) {
  CHORUS_ASSIGN_OR_RETURN(std::optional<std::string> value, String(object, name, path));
  if (!value || value->empty()) return Field(path, "is missing");
  if (value->size() > max_bytes) return Field(path, "is too long");
  for (char c : *value) {
    if (c <= ' ' || c > '~') return Field(path, "is malformed");
  }
  return *value;
}

Result<std::string> Text(const Struct& payload) {
  CHORUS_ASSIGN_OR_RETURN(std::optional<std::string> text,
                          String(payload, "text", "data.payload.text"));
  if (!text) return std::string();  // a picture-only MMS
  if (!IsValidUtf8(*text)) return Field("data.payload.text", "is not UTF-8");
  if (CountCodePoints(*text) > kMaxTextCharacters) {
    return Field("data.payload.text", "is longer than 16000 characters");
  }
  // PostgreSQL text cannot hold U+0000: keep the message, with each NUL shown as U+FFFD.
  std::string out;
  out.reserve(text->size());
  for (char c : *text) {
    if (c == '\0') out += "\xEF\xBF\xBD";
    else out += c;
  }
  return out;
}

// The first recipient: Chorus sends to one number at a time, and an inbound SMS has one.
Result<const Struct*> FirstRecipient(const Struct& payload) {
  const ListValue* to = List(Get(payload, "to"));
  if (to == nullptr || to->values_size() == 0) return Field("data.payload.to", "is missing");
  const Struct* first = Object(&to->values(0));
  if (first == nullptr) return Field("data.payload.to[0]", "is not an object");
  return first;
}

Result<WebhookContent> Inbound(const Struct& payload) {
  InboundMessage message;
  CHORUS_ASSIGN_OR_RETURN(message.carrier_message_id,
                          Required(payload, "id", "data.payload.id", kMaxIdBytes));
  const Struct* from = Object(Get(payload, "from"));
  if (from == nullptr) return Field("data.payload.from", "is missing");
  CHORUS_ASSIGN_OR_RETURN(message.from, Required(*from, "phone_number",
                                                 "data.payload.from.phone_number",
                                                 kMaxAddressBytes));
  CHORUS_ASSIGN_OR_RETURN(const Struct* to, FirstRecipient(payload));
  CHORUS_ASSIGN_OR_RETURN(message.to, Required(*to, "phone_number",
                                               "data.payload.to[0].phone_number",
                                               kMaxAddressBytes));
  CHORUS_ASSIGN_OR_RETURN(message.body, Text(payload));
  if (const ListValue* media = List(Get(payload, "media"))) message.num_media = media->values_size();
  WebhookContent content;
  content.messages.push_back(std::move(message));
  return content;
}

// Telnyx writes error codes as strings ("40300"); a number is accepted rather than lost. Only
// digits pass: the code ends up in logs and metrics labels.
std::string FirstErrorCode(const Struct& payload) {
  const ListValue* errors = List(Get(payload, "errors"));
  if (errors == nullptr || errors->values_size() == 0) return {};
  const Struct* first = Object(&errors->values(0));
  const Value* code = first == nullptr ? nullptr : Get(*first, "code");
  std::string text;
  if (code != nullptr && code->kind_case() == Value::kStringValue) text = code->string_value();
  if (code != nullptr && code->kind_case() == Value::kNumberValue) {
    const double number = code->number_value();
    if (number >= 0 && number < 1e9 && std::floor(number) == number) {
      text = std::to_string(static_cast<long>(number));
    }
  }
  if (text.empty() || text.size() > 10) return {};
  for (char c : text) {
    if (c < '0' || c > '9') return {};
  }
  return text;
}

Result<WebhookContent> Report(const Struct& payload) {
  DeliveryReport report;
  CHORUS_ASSIGN_OR_RETURN(report.carrier_message_id,
                          Required(payload, "id", "data.payload.id", kMaxIdBytes));
  CHORUS_ASSIGN_OR_RETURN(const Struct* to, FirstRecipient(payload));
  CHORUS_ASSIGN_OR_RETURN(report.raw_status,
                          Required(*to, "status", "data.payload.to[0].status", 64));
  auto status = MapStatus(report.raw_status);
  if (!status) return Field("data.payload.to[0].status", "is not a known Telnyx status");
  report.status = *status;
  report.error_code = FirstErrorCode(payload);
  WebhookContent content;
  content.reports.push_back(std::move(report));
  return content;
}

}  // namespace

std::optional<DeliveryStatus> MapStatus(std::string_view telnyx_status) {
  for (const auto& [name, status] : kStatuses) {
    if (name == telnyx_status) return status;
  }
  return std::nullopt;
}

Result<WebhookContent> ParseEvent(std::string_view json) {
  Struct event;
  // Refuses a key written twice in one object: which copy counts would be a guess.
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &event);
  if (!parsed.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "the body is not one JSON object with "
                                                  "distinct keys");
  }
  const Struct* data = Object(Get(event, "data"));
  if (data == nullptr) return Field("data", "is missing");
  CHORUS_ASSIGN_OR_RETURN(std::string type,
                          Required(*data, "event_type", "data.event_type", 64));
  const bool inbound = type == "message.received";
  const bool report = type == "message.sent" || type == "message.finalized";
  if (!inbound && !report) return WebhookContent{};
  const Struct* payload = Object(Get(*data, "payload"));
  if (payload == nullptr) return Field("data.payload", "is missing");
  return inbound ? Inbound(*payload) : Report(*payload);
}

}  // namespace chorus::carriers::telnyx

#include "carriers/telnyx/telnyx_carrier.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <array>
#include <cctype>
#include <cmath>
#include <map>

#include "carriers/telnyx/telnyx_signature.hpp"
#include "carriers/telnyx/telnyx_webhook.hpp"
#include "core/url.hpp"

namespace chorus::carriers::telnyx {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using transport::HttpRequestSpec;
using transport::HttpResponseSpec;

// docs/CARRIERS.md, Telnyx: the API's base URL; the send path is /v2/messages.
constexpr std::string_view kDefaultApiBase = "https://api.telnyx.com";
constexpr std::string_view kJson = "application/json";
// Telnyx's answers are a few KiB.
constexpr std::size_t kMaxJsonBytes = 64 * 1024;

const WebhookShape kWebhooks[] = {
    {"inbound", {"POST"}, kJson},
    {"status", {"POST"}, kJson},
};

// Error codes of the send API (docs/CARRIERS.md, Telnyx): the recipient or sender is wrong for
// good; retrying the same request cannot succeed.
constexpr std::array<std::string_view, 6> kInvalidNumberCodes = {"10002", "10016", "40310",
                                                                 "40012", "40013", "40001"};
constexpr std::string_view kOptedOutCode = "40300";
constexpr std::string_view kTooManyRequestsCode = "10011";
constexpr std::string_view kAuthFailedCode = "10009";

const std::string& Get(const std::map<std::string, std::string>& map, const std::string& key) {
  static const std::string kEmpty;
  auto it = map.find(key);
  return it == map.end() ? kEmpty : it->second;
}

Error Setting(std::string_view name, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(name) + ": " + std::string(problem));
}

Error NotAuthentic() {
  return MakeError(ErrorCode::kPermissionDenied, "the webhook could not be authenticated");
}

std::optional<Struct> ParseJsonObject(std::string_view body) {
  if (body.empty() || body.size() > kMaxJsonBytes) return std::nullopt;
  Struct object;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &object)
           .ok()) {
    return std::nullopt;
  }
  return object;
}

const Struct* ObjectField(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  if (it == object.fields().end() || it->second.kind_case() != Value::kStructValue) return nullptr;
  return &it->second.struct_value();
}

std::string StringField(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  if (it == object.fields().end() || it->second.kind_case() != Value::kStringValue) return {};
  return it->second.string_value();
}

// errors[0].code, a string of digits in Telnyx's answers (a number is accepted too).
std::string FirstErrorCode(const Struct& object) {
  auto errors = object.fields().find("errors");
  if (errors == object.fields().end() || errors->second.kind_case() != Value::kListValue ||
      errors->second.list_value().values_size() == 0) {
    return {};
  }
  const Value& first = errors->second.list_value().values(0);
  if (first.kind_case() != Value::kStructValue) return {};
  auto code = first.struct_value().fields().find("code");
  if (code == first.struct_value().fields().end()) return {};
  std::string text;
  if (code->second.kind_case() == Value::kStringValue) text = code->second.string_value();
  if (code->second.kind_case() == Value::kNumberValue) {
    const double number = code->second.number_value();
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

// A fixed text per class: Telnyx's own `detail` quotes the numbers ("Messages cannot be sent
// from '+1...' to '+1...'"), which must not reach a log.
SendOutcome Failure(SendResult result, std::string error_code, std::string_view description) {
  SendOutcome outcome;
  outcome.result = result;
  outcome.error_message = "Telnyx: " + std::string(description) + " (" + error_code + ")";
  outcome.error_code = std::move(error_code);
  return outcome;
}

// data.to[0].status: Chorus sends to one recipient at a time. Empty when absent.
std::string FirstRecipientStatus(const Struct& data) {
  auto to = data.fields().find("to");
  if (to == data.fields().end() || to->second.kind_case() != Value::kListValue ||
      to->second.list_value().values_size() == 0 ||
      to->second.list_value().values(0).kind_case() != Value::kStructValue) {
    return {};
  }
  return StringField(to->second.list_value().values(0).struct_value(), "status");
}

std::string ApiBase(const Channel& channel) {
  std::string api_base = Get(channel.settings, "api_base");
  if (api_base.empty()) api_base = std::string(kDefaultApiBase);
  while (api_base.ends_with('/')) api_base.pop_back();
  return api_base;
}

// Telnyx's message ids are UUIDs; the bound and the characters keep an id from another source
// from changing the URL's path.
bool IsMessageId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

SendOutcome ParseAccepted(const HttpResponseSpec& response) {
  auto object = ParseJsonObject(response.body);
  const Struct* data = object ? ObjectField(*object, "data") : nullptr;
  std::string id = data != nullptr ? StringField(*data, "id") : std::string();
  // A 2xx means Telnyx probably took the message: retrying could send it twice, so an answer
  // we cannot read is a permanent failure for a human to look at.
  if (id.empty() || id.size() > 128) {
    return Failure(SendResult::kPermanentFailure, "bad_response",
                   "success response without a message id");
  }
  SendOutcome outcome;
  outcome.result = SendResult::kAccepted;
  outcome.carrier_message_id = std::move(id);
  outcome.status = MapStatus(FirstRecipientStatus(*data)).value_or(DeliveryStatus::kAccepted);
  return outcome;
}

SendOutcome ParseRejected(const HttpResponseSpec& response) {
  auto object = ParseJsonObject(response.body);
  std::string code = object ? FirstErrorCode(*object) : std::string();
  std::string error_code = code.empty() ? "http_" + std::to_string(response.status) : code;
  if (code == kOptedOutCode) {
    return Failure(SendResult::kRecipientOptedOut, error_code, "recipient has opted out");
  }
  if (code == kTooManyRequestsCode || response.status == 429 || response.status >= 500) {
    SendOutcome outcome = Failure(SendResult::kRetry, error_code,
                                  response.status >= 500 ? "server error" : "too many requests");
    outcome.retry_after = response.retry_after;
    return outcome;
  }
  if (code == kAuthFailedCode || response.status == 401 || response.status == 403) {
    return Failure(SendResult::kPermanentFailure, error_code, "authentication failed");
  }
  for (std::string_view invalid : kInvalidNumberCodes) {
    if (code == invalid) {
      return Failure(SendResult::kPermanentFailure, error_code,
                     "recipient or sender cannot be used");
    }
  }
  if (response.status >= 400) {
    return Failure(SendResult::kPermanentFailure, error_code, "request rejected");
  }
  // 1xx/3xx: a proxy or a wrong api_base answered; no message was created.
  return Failure(SendResult::kRetry, error_code, "unexpected HTTP status");
}

}  // namespace

std::vector<ChannelSettingSpec> TelnyxCarrier::Settings() const {
  return {
      {"api_key", true, true},
      {"public_key", false, true},
      {"messaging_profile_id", false, false},
      {"api_base", false, false},
  };
}

Result<void> TelnyxCarrier::ValidateChannel(Channel& channel) const {
  const std::string& key = Get(channel.secrets, "api_key");
  if (key.find_first_not_of(" \t\r\n") == std::string::npos) return Setting("api_key", "required");
  for (char c : key) {
    if (c <= ' ' || c > '~') return Setting("api_key", "must be printable ASCII without spaces");
  }
  const std::string& public_key = Get(channel.settings, "public_key");
  if (public_key.empty()) return Setting("public_key", "required");
  if (!IsPublicKey(public_key)) {
    return Setting("public_key",
                   "must be the 32-byte Ed25519 public key in Base64 (44 characters), as the "
                   "Telnyx portal shows it");
  }
  const std::string& profile = Get(channel.settings, "messaging_profile_id");
  for (char c : profile) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
      return Setting("messaging_profile_id", "must be letters, digits and '-' (a UUID)");
    }
  }
  std::string& api_base = channel.settings["api_base"];
  if (api_base.empty()) api_base = std::string(kDefaultApiBase);
  while (api_base.ends_with('/') && !api_base.ends_with("://")) api_base.pop_back();
  if (auto url = ParseHttpUrl(api_base); !url.ok()) {
    return Setting("api_base", url.error().message + ", as in https://api.telnyx.com");
  }
  return Ok();
}

std::span<const WebhookShape> TelnyxCarrier::Webhooks() const { return kWebhooks; }

Result<WebhookContent> TelnyxCarrier::ReadWebhook(const Channel& channel, std::string_view,
                                                  const WebhookRequest& request) const {
  std::string_view signature = request.Header("telnyx-signature-ed25519");
  std::string_view timestamp = request.Header("telnyx-timestamp");
  auto seconds = ParseTimestamp(timestamp);
  if (!IsSignatureHeader(signature) || !seconds) return NotAuthentic();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       request.received_at.time_since_epoch())
                       .count();
  // A replayed webhook: its signature is genuine, its time is not now.
  if (*seconds > now + kTimestampTolerance.count() || *seconds < now - kTimestampTolerance.count()) {
    return NotAuthentic();
  }
  if (!VerifySignature(Get(channel.settings, "public_key"), timestamp, request.body, signature)) {
    return NotAuthentic();
  }
  return ParseEvent(request.body);
}

WebhookAnswer TelnyxCarrier::Answer(std::string_view, const WebhookContent&,
                                    std::span<const std::string>) const {
  return {200, "text/plain", ""};
}

Channel TelnyxCarrier::DecoyChannel() const {
  Channel decoy;
  decoy.carrier = std::string(kind());
  decoy.settings["public_key"] = RandomPublicKey();
  return decoy;
}

HttpRequestSpec TelnyxCarrier::BuildSend(const Channel& channel, const SendRequest& message) const {
  Struct body;
  auto& fields = *body.mutable_fields();
  fields["from"].set_string_value(channel.sender);
  fields["to"].set_string_value(message.to);
  fields["text"].set_string_value(message.body);
  if (const std::string& profile = Get(channel.settings, "messaging_profile_id"); !profile.empty()) {
    fields["messaging_profile_id"].set_string_value(profile);
  }
  if (!message.status_callback_url.empty()) {
    fields["webhook_url"].set_string_value(message.status_callback_url);
    // Delivery reports come to the channel's status URL only, not also the profile's.
    fields["use_profile_webhooks"].set_bool_value(false);
  }
  HttpRequestSpec request;
  request.method = "POST";
  request.url = ApiBase(channel) + "/v2/messages";
  request.headers = {
      {"Authorization", "Bearer " + Get(channel.secrets, "api_key")},
      {"Content-Type", std::string(kJson)},
      {"Accept", std::string(kJson)},
  };
  google::protobuf::util::MessageToJsonString(body, &request.body);
  return request;
}

SendOutcome TelnyxCarrier::ParseSend(const HttpResponseSpec& response) const {
  // The carrier may have taken a timed-out request; retrying accepts the risk of a duplicate
  // over silently dropping the message (transport::HttpResponseSpec::timed_out).
  if (response.timed_out) return Failure(SendResult::kRetry, "timeout", "no response before the deadline");
  if (response.status == 0) return Failure(SendResult::kRetry, "network", "no response");
  if (response.status >= 200 && response.status < 300) return ParseAccepted(response);
  return ParseRejected(response);
}

std::optional<HttpRequestSpec> TelnyxCarrier::BuildStatusQuery(
    const Channel& channel, std::string_view carrier_message_id) const {
  if (!IsMessageId(carrier_message_id)) return std::nullopt;
  HttpRequestSpec request;
  request.method = "GET";
  request.url = ApiBase(channel) + "/v2/messages/" + std::string(carrier_message_id);
  request.headers = {{"Authorization", "Bearer " + Get(channel.secrets, "api_key")},
                     {"Accept", std::string(kJson)}};
  return request;
}

StatusQueryOutcome TelnyxCarrier::ParseStatusQuery(const HttpResponseSpec& response) const {
  StatusQueryOutcome outcome;
  // 404: Telnyx has no message with this id for the key's account.
  if (response.status == 404) {
    outcome.found = StatusQueryOutcome::Found::kNo;
    return outcome;
  }
  if (response.status != 200) return outcome;  // kUnknown: ask again later
  auto object = ParseJsonObject(response.body);
  const Struct* data = object ? ObjectField(*object, "data") : nullptr;
  if (data == nullptr) return outcome;
  std::string raw = FirstRecipientStatus(*data);
  // A status the webhooks never carry is not guessed at.
  auto status = MapStatus(raw);
  if (!status) return outcome;
  outcome.found = StatusQueryOutcome::Found::kYes;
  outcome.status = *status;
  outcome.raw_status = std::move(raw);
  outcome.error_code = FirstErrorCode(*data);  // data.errors[0].code, as a webhook's
  return outcome;
}

}  // namespace chorus::carriers::telnyx

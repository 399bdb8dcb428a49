#include "carriers/twilio/twilio_carrier.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "carriers/form.hpp"
#include "carriers/twilio/twilio_webhook.hpp"

namespace chorus::carriers::twilio {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// CARRIERS.md §1(d): base from twilio-python ApiBase.py, path from the v2010 Message resource.
constexpr std::string_view kDefaultApiBase = "https://api.twilio.com";
// Twilio's JSON answers are a few KiB; a bigger body is not Twilio and is not worth parsing.
constexpr std::size_t kMaxJsonBytes = 64 * 1024;

// CARRIERS.md §1(d) error table: the recipient (or this sender/recipient pair) cannot be
// messaged, so retrying the same request cannot succeed.
constexpr std::array<int, 12> kUnreachableRecipientCodes = {
    21211, 21214, 21217, 21401, 21407, 21408, 21421, 21606, 21608, 21612, 21614, 21635};
constexpr int kOptedOutCode = 21610;
constexpr int kAuthFailedCode = 20003;
constexpr int kTooManyRequestsCode = 20429;

std::string SettingOr(const std::map<std::string, std::string>& map, const std::string& key,
                      std::string_view fallback) {
  auto it = map.find(key);
  return it == map.end() || it->second.empty() ? std::string(fallback) : it->second;
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(written < 0 ? 0 : static_cast<std::size_t>(written));
  return out;
}

std::optional<Struct> ParseJsonObject(std::string_view body) {
  if (body.empty() || body.size() > kMaxJsonBytes) return std::nullopt;
  Struct object;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), &object, options);
  if (!status.ok()) return std::nullopt;
  return object;
}

std::string StringField(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  if (it == object.fields().end() || it->second.kind_case() != Value::kStringValue) return {};
  return it->second.string_value();
}

// Twilio sends `code` as a JSON number; accept a digit string too rather than lose it.
std::optional<int> CodeField(const Struct& object) {
  auto it = object.fields().find("code");
  if (it == object.fields().end()) return std::nullopt;
  const Value& value = it->second;
  if (value.kind_case() == Value::kStringValue) {
    const std::string& text = value.string_value();
    int code = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
    if (ec != std::errc() || end != text.data() + text.size() || code <= 0) return std::nullopt;
    return code;
  }
  if (value.kind_case() != Value::kNumberValue) return std::nullopt;
  double number = value.number_value();
  if (!(number > 0 && number < 1e9) || std::floor(number) != number) return std::nullopt;
  return static_cast<int>(number);
}

SendOutcome Failure(SendResult result, std::string error_code, std::string_view description) {
  SendOutcome outcome;
  outcome.result = result;
  outcome.error_message = "Twilio: " + std::string(description) + " (" + error_code + ")";
  outcome.error_code = std::move(error_code);
  return outcome;
}

SendOutcome ParseAccepted(const HttpResponseSpec& response) {
  auto object = ParseJsonObject(response.body);
  std::string sid = object ? StringField(*object, "sid") : std::string();
  // A 2xx means Twilio probably created the message even if we cannot read its SID: retrying
  // could send the member a second copy, so this is a permanent failure for a human to look at.
  if (!IsMessageSid(sid)) {
    return Failure(SendResult::kPermanentFailure, "bad_response",
                   "success response without a message SID");
  }
  SendOutcome outcome;
  outcome.result = SendResult::kAccepted;
  outcome.carrier_message_id = std::move(sid);
  // An unknown or missing status still means Twilio holds the message; callbacks will follow.
  outcome.status =
      MapMessageStatus(StringField(*object, "status")).value_or(DeliveryStatus::kAccepted);
  return outcome;
}

// error_message is a fixed text per class plus the code: Twilio's own `message` can quote the
// To number ("The 'To' number +1555... is not a valid phone number."), which must not be logged.
SendOutcome ParseRejected(const HttpResponseSpec& response) {
  auto object = ParseJsonObject(response.body);
  std::optional<int> code = object ? CodeField(*object) : std::nullopt;
  std::string error_code = code ? std::to_string(*code) : "http_" + std::to_string(response.status);
  auto is = [&](int wanted) { return code == wanted; };

  if (is(kOptedOutCode)) {
    return Failure(SendResult::kRecipientOptedOut, error_code, "recipient has opted out");
  }
  if (is(kTooManyRequestsCode) || response.status == 429 || response.status >= 500) {
    SendOutcome outcome = Failure(SendResult::kRetry, error_code,
                                  response.status >= 500 ? "server error" : "too many requests");
    outcome.retry_after = response.retry_after;
    return outcome;
  }
  if (is(kAuthFailedCode) || response.status == 401) {
    return Failure(SendResult::kPermanentFailure, error_code, "authentication failed");
  }
  if (code &&
      std::ranges::find(kUnreachableRecipientCodes, *code) != kUnreachableRecipientCodes.end()) {
    return Failure(SendResult::kPermanentFailure, error_code,
                   "recipient cannot be messaged from this sender");
  }
  if (response.status >= 400) {
    return Failure(SendResult::kPermanentFailure, error_code, "request rejected");
  }
  // 1xx/3xx: Twilio's API never answers a create this way, so a proxy or a wrong api_base did
  // and no message was created. Retrying cannot double-send; the dispatcher bounds attempts.
  return Failure(SendResult::kRetry, error_code, "unexpected HTTP status");
}

}  // namespace

HttpRequestSpec TwilioCarrier::BuildSend(const Channel& channel, const SendRequest& message) const {
  std::string api_base = SettingOr(channel.settings, "api_base", kDefaultApiBase);
  while (api_base.ends_with('/')) api_base.pop_back();
  std::string account_sid = SettingOr(channel.settings, "account_sid", "");
  std::string auth_token = SettingOr(channel.secrets, "auth_token", "");

  FormParams form{{"To", message.to}, {"From", channel.sender}, {"Body", message.body}};
  if (!message.status_callback_url.empty()) {
    form.emplace_back("StatusCallback", message.status_callback_url);
  }

  HttpRequestSpec request;
  request.method = "POST";
  request.url = api_base + "/2010-04-01/Accounts/" + account_sid + "/Messages.json";
  request.headers = {
      {"Authorization", "Basic " + Base64(account_sid + ":" + auth_token)},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"},
  };
  request.body = EncodeForm(form);
  return request;
}

SendOutcome TwilioCarrier::ParseSend(const HttpResponseSpec& response) const {
  // The carrier may have taken a timed-out request; the dispatcher accepts that risk of a
  // duplicate over silently dropping the message (carrier.hpp, HttpResponseSpec::timed_out).
  if (response.timed_out) {
    return Failure(SendResult::kRetry, "timeout", "no response before the deadline");
  }
  if (response.status == 0) {
    return Failure(SendResult::kRetry, "network", "no response");
  }
  if (response.status >= 200 && response.status < 300) return ParseAccepted(response);
  return ParseRejected(response);
}

}  // namespace chorus::carriers::twilio

#include "carriers/twilio/twilio_carrier.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "carriers/form.hpp"
#include "carriers/twilio/twilio_signature.hpp"
#include "carriers/twilio/twilio_webhook.hpp"
#include "core/base64.hpp"
#include "core/url.hpp"

namespace chorus::carriers::twilio {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using transport::HttpRequestSpec;
using transport::HttpResponseSpec;

// docs/CARRIERS.md, Twilio: the API's base URL, and the path of the v2010 Message resource.
constexpr std::string_view kDefaultApiBase = "https://api.twilio.com";
// A form larger than this is not Twilio's (its webhooks carry about 20 fields; MMS adds two per
// medium, at most 10 media): refusing it early caps the work an unauthenticated request costs.
constexpr std::size_t kMaxFormPairs = 200;
constexpr std::string_view kFormType = "application/x-www-form-urlencoded";

const WebhookShape kWebhooks[] = {
    {"inbound", {"POST"}, kFormType},
    {"status", {"POST"}, kFormType},
};
// Twilio's JSON answers are a few KiB, a page of the Messages list up to about 100 KiB; a
// bigger body is not Twilio and is not worth parsing.
constexpr std::size_t kMaxJsonBytes = 64 * 1024;
constexpr std::size_t kMaxListBytes = 1024 * 1024;
// A page of the Messages list: the recipient's latest messages from this sender.
constexpr std::string_view kLookupPageSize = "50";

// docs/CARRIERS.md, Twilio, Sending (Twilio's error dictionary): the recipient (or this sender/recipient pair) cannot be
// messaged, so retrying the same request cannot succeed.
constexpr std::array<int, 12> kUnreachableRecipientCodes = {
    21211, 21214, 21217, 21401, 21407, 21408, 21421, 21606, 21608, 21612, 21614, 21635};
constexpr int kOptedOutCode = 21610;
constexpr int kAuthFailedCode = 20003;
constexpr int kTooManyRequestsCode = 20429;

std::optional<Struct> ParseJsonObject(std::string_view body,
                                      std::size_t max_bytes = kMaxJsonBytes) {
  if (body.empty() || body.size() > max_bytes) return std::nullopt;
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

// Twilio sends `code` (and a message's `error_code`) as a JSON number; accept a digit string
// too rather than lose it. Absent or null: nullopt.
std::optional<int> CodeField(const Struct& object, const std::string& name = "code") {
  auto it = object.fields().find(name);
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

std::string RandomHex(std::size_t digits) {
  std::string bytes((digits + 1) / 2, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
    bytes.assign(bytes.size(), '\x5a');  // never used to sign anything real
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char b : bytes) {
    out += kHex[static_cast<unsigned char>(b) >> 4];
    out += kHex[static_cast<unsigned char>(b) & 0x0F];
  }
  out.resize(digits);
  return out;
}

Error NotAuthentic() {
  return MakeError(ErrorCode::kPermissionDenied, "the webhook could not be authenticated");
}

Error Setting(std::string_view name, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(name) + ": " + std::string(problem));
}

const std::string& Get(const std::map<std::string, std::string>& map, const std::string& key) {
  static const std::string kEmpty;
  auto it = map.find(key);
  return it == map.end() ? kEmpty : it->second;
}

// Twilio's resources carry RFC 2822 dates in UTC: "Wed, 02 Dec 2026 12:00:00 +0000".
std::optional<std::chrono::system_clock::time_point> ParseRfc2822(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::size_t comma = text.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  std::string rest(text.substr(comma + 2));
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char month[4] = {};
  char zone[6] = {};
  if (std::sscanf(rest.c_str(), "%2d %3s %4d %2d:%2d:%2d %5s", &day, month, &year, &hour, &minute,
                  &second, zone) != 7 ||
      std::string_view(zone) != "+0000") {
    return std::nullopt;
  }
  int month_index = -1;
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == month) month_index = i;
  }
  if (month_index < 0) return std::nullopt;
  std::tm utc{};
  utc.tm_year = year - 1900;
  utc.tm_mon = month_index;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  const std::time_t seconds = timegm(&utc);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

std::string Basic(const Channel& channel) {
  return "Basic " + Base64Encode(Get(channel.settings, "account_sid") + ":" +
                                 Get(channel.secrets, "auth_token"));
}

std::string ApiBase(const Channel& channel) {
  std::string api_base = Get(channel.settings, "api_base");
  if (api_base.empty()) api_base = std::string(kDefaultApiBase);
  while (api_base.ends_with('/')) api_base.pop_back();
  return api_base;
}

}  // namespace

std::vector<ChannelSettingSpec> TwilioCarrier::Settings() const {
  return {
      {"account_sid", false, true},
      {"auth_token", true, true},
      {"api_base", false, false},
  };
}

Result<void> TwilioCarrier::ValidateChannel(Channel& channel) const {
  const std::string& sid = Get(channel.settings, "account_sid");
  if (sid.empty()) return Setting("account_sid", "required");
  if (!IsAccountSid(sid)) {
    return Setting("account_sid", "must be \"AC\" followed by 32 hexadecimal characters");
  }
  const std::string& token = Get(channel.secrets, "auth_token");
  if (token.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Setting("auth_token", "required");
  }
  std::string& api_base = channel.settings["api_base"];
  if (api_base.empty()) api_base = std::string(kDefaultApiBase);
  while (api_base.ends_with('/') && !api_base.ends_with("://")) api_base.pop_back();
  if (auto url = ParseHttpUrl(api_base); !url.ok()) {
    return Setting("api_base", url.error().message + ", as in https://api.twilio.com");
  }
  return Ok();
}

std::span<const WebhookShape> TwilioCarrier::Webhooks() const { return kWebhooks; }

Result<WebhookContent> TwilioCarrier::ReadWebhook(const Channel& channel, std::string_view kind,
                                                  const WebhookRequest& request) const {
  // The signature header first: without a well-formed one the body is not even decoded.
  std::string_view signature = request.Header("X-Twilio-Signature");
  if (!IsSignatureHeader(signature)) return NotAuthentic();
  auto params = ParseForm(request.body, kMaxFormPairs);
  if (!params.ok()) return params.take_error();
  if (!ValidateSignature(Get(channel.secrets, "auth_token"), request.url, *params, signature)) {
    return NotAuthentic();
  }
  WebhookContent content;
  if (kind == "inbound") {
    CHORUS_ASSIGN_OR_RETURN(InboundWebhook in, ParseInbound(*params));
    // A genuine signature from another account's token cannot happen; an AccountSid that is
    // not the channel's means the number is wired to the wrong channel. Refused like a forgery.
    if (in.account_sid != Get(channel.settings, "account_sid")) return NotAuthentic();
    content.messages.push_back({std::move(in.message_sid), std::move(in.from), std::move(in.to),
                                std::move(in.body), in.num_media});
    return content;
  }
  CHORUS_ASSIGN_OR_RETURN(StatusWebhook status, ParseStatus(*params));
  if (status.account_sid != Get(channel.settings, "account_sid")) return NotAuthentic();
  content.reports.push_back({std::move(status.message_sid), std::move(status.raw_status),
                             status.status, std::move(status.error_code)});
  return content;
}

WebhookAnswer TwilioCarrier::Answer(std::string_view kind, const WebhookContent&,
                                    std::span<const std::string>) const {
  // Twilio expects TwiML for an incoming message; an empty <Response/> sends nothing back.
  if (kind == "inbound") return {200, "text/xml", std::string(EmptyTwiml())};
  return {200, "text/plain", ""};
}

Channel TwilioCarrier::DecoyChannel() const {
  Channel decoy;
  decoy.carrier = std::string(kind());
  decoy.settings["account_sid"] = "AC" + RandomHex(32);
  decoy.secrets["auth_token"] = RandomHex(32);
  return decoy;
}

std::optional<HttpRequestSpec> TwilioCarrier::BuildLookup(
    const Channel& channel, const SendRequest& message,
    std::chrono::system_clock::time_point) const {
  HttpRequestSpec request;
  request.method = "GET";
  request.url = ApiBase(channel) + "/2010-04-01/Accounts/" + Get(channel.settings, "account_sid") +
                "/Messages.json?" +
                EncodeForm({{"To", message.to},
                            {"From", channel.sender},
                            {"PageSize", std::string(kLookupPageSize)}});
  request.headers = {{"Authorization", Basic(channel)}, {"Accept", "application/json"}};
  return request;
}

// The list holds the recipient's messages from this sender, newest first. Ours is the one with
// our body created since we queued it (the slack in `since` covers clock skew; an identical
// text queued within that slack could be mistaken for ours: docs/CARRIERS.md).
LookupOutcome TwilioCarrier::ParseLookup(const SendRequest& message,
                                         std::chrono::system_clock::time_point since,
                                         const HttpResponseSpec& response) const {
  LookupOutcome outcome;
  if (response.status != 200) return outcome;  // kUnknown: ask again later
  auto object = ParseJsonObject(response.body, kMaxListBytes);
  if (!object) return outcome;
  auto list = object->fields().find("messages");
  if (list == object->fields().end() || list->second.kind_case() != Value::kListValue) {
    return outcome;
  }
  for (const Value& item : list->second.list_value().values()) {
    if (item.kind_case() != Value::kStructValue) continue;
    const Struct& m = item.struct_value();
    const std::string sid = StringField(m, "sid");
    auto created = ParseRfc2822(StringField(m, "date_created"));
    if (!IsMessageSid(sid) || !created || *created < since) continue;
    if (StringField(m, "to") != message.to || StringField(m, "body") != message.body) continue;
    if (!StringField(m, "direction").starts_with("outbound")) continue;
    outcome.found = LookupOutcome::Found::kYes;
    outcome.carrier_message_id = sid;
    outcome.status = MapMessageStatus(StringField(m, "status")).value_or(DeliveryStatus::kAccepted);
    return outcome;
  }
  outcome.found = LookupOutcome::Found::kNo;
  return outcome;
}

std::optional<HttpRequestSpec> TwilioCarrier::BuildStatusQuery(
    const Channel& channel, std::string_view carrier_message_id) const {
  // Our ids came from Twilio's own answers; anything else would rewrite the URL's path.
  if (!IsMessageSid(carrier_message_id)) return std::nullopt;
  HttpRequestSpec request;
  request.method = "GET";
  request.url = ApiBase(channel) + "/2010-04-01/Accounts/" + Get(channel.settings, "account_sid") +
                "/Messages/" + std::string(carrier_message_id) + ".json";
  request.headers = {{"Authorization", Basic(channel)}, {"Accept", "application/json"}};
  return request;
}

StatusQueryOutcome TwilioCarrier::ParseStatusQuery(const HttpResponseSpec& response) const {
  StatusQueryOutcome outcome;
  // 404 (Twilio's 20404): the account holds no message with this SID (deleted, or not ours).
  if (response.status == 404) {
    outcome.found = StatusQueryOutcome::Found::kNo;
    return outcome;
  }
  if (response.status != 200) return outcome;  // kUnknown: ask again later
  auto object = ParseJsonObject(response.body);
  if (!object) return outcome;
  std::string raw = StringField(*object, "status");
  // A status the callbacks never carry (receiving, partially_delivered) is not guessed at.
  auto status = MapMessageStatus(raw);
  if (!status) return outcome;
  outcome.found = StatusQueryOutcome::Found::kYes;
  outcome.status = *status;
  outcome.raw_status = std::move(raw);
  if (auto code = CodeField(*object, "error_code")) outcome.error_code = std::to_string(*code);
  return outcome;
}

std::optional<HttpRequestSpec> TwilioCarrier::BuildTestInbound(const Channel& channel,
                                                               const std::string& url,
                                                               const std::string& from,
                                                               const std::string& text) const {
  FormParams form{{"MessageSid", "SM" + RandomHex(32)},
                  {"AccountSid", Get(channel.settings, "account_sid")},
                  {"From", from},
                  {"To", channel.sender},
                  {"Body", text},
                  {"NumMedia", "0"}};
  HttpRequestSpec request;
  request.url = url;
  request.headers = {
      {"Content-Type", std::string(kFormType)},
      {"X-Twilio-Signature", ComputeSignature(Get(channel.secrets, "auth_token"), url, form)},
  };
  request.body = EncodeForm(form);
  return request;
}

HttpRequestSpec TwilioCarrier::BuildSend(const Channel& channel, const SendRequest& message) const {
  std::string account_sid = Get(channel.settings, "account_sid");

  FormParams form{{"To", message.to}, {"From", channel.sender}, {"Body", message.body}};
  if (!message.status_callback_url.empty()) {
    form.emplace_back("StatusCallback", message.status_callback_url);
  }

  HttpRequestSpec request;
  request.method = "POST";
  request.url = ApiBase(channel) + "/2010-04-01/Accounts/" + account_sid + "/Messages.json";
  request.headers = {
      {"Authorization", Basic(channel)},
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

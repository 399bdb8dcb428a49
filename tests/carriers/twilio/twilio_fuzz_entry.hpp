#pragma once

#include <array>
#include <string>
#include <string_view>

#include "carriers/form.hpp"
#include "carriers/twilio/twilio_carrier.hpp"
#include "carriers/twilio/twilio_signature.hpp"
#include "carriers/twilio/twilio_test_signer.hpp"
#include "carriers/twilio/twilio_webhook.hpp"

namespace chorus::fuzz {

/// Inputs the form fuzzer starts from: real Twilio webhook shapes and known edge cases. Used by
/// the replay unit test; for libFuzzer, write them to a corpus directory or start empty.
inline constexpr std::array<std::string_view, 16> kFormSeeds = {
    "",
    "a=1&&b=2&c",
    "ToCountry=US&SmsMessageSid=SM0123456789abcdef0123456789abcdef&NumMedia=0"
    "&SmsSid=SM0123456789abcdef0123456789abcdef&Body=JOIN+nyc&To=%2B15550100002"
    "&MessageSid=SM0123456789abcdef0123456789abcdef"
    "&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15550100001",
    "MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=undelivered&ErrorCode=30003",
    "MessageSid=MM0123456789abcdef0123456789abcdef&MessageStatus=delivered&NumMedia=2",
    "Body=%E2%82%AC+%F0%9F%98%80&From=whatsapp%3A%2B15550100001",
    "a=%G1",
    "a=%4",
    "=x",
    "a=%C0%AF&b=%ED%A0%80&c=%F4%90%80%80",
    "https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d",
    "http://u:p@[::1]:80/x?y=1#z",
    R"({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})",
    R"({"code": 21610, "message": "m", "more_info": "u", "status": 400})",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    R"({"code": 1e400, "sid": "\ud800"})",
};

inline constexpr std::string_view kFuzzToken = "12345";

/// Raw-input checks: the bytes as a carrier's HTTP answer and as a webhook URL.
inline bool FuzzRawInput(std::string_view input) {
  namespace twilio = carriers::twilio;
  for (int http_status : {0, 201, 400, 429, 503}) {
    transport::HttpResponseSpec response{http_status, false, std::string(input), std::nullopt};
    carriers::SendOutcome outcome = twilio::TwilioCarrier().ParseSend(response);
    if (outcome.result == carriers::SendResult::kAccepted) {
      if (!twilio::IsMessageSid(outcome.carrier_message_id)) return false;
    } else if (outcome.error_code.empty() || outcome.error_message.empty()) {
      return false;
    }
  }
  std::string signature = twilio::ComputeSignature(kFuzzToken, input, {});
  (void)twilio::ValidateJsonBodySignature(kFuzzToken, input, input, signature);
  return twilio::ValidateSignature(kFuzzToken, input, {}, signature);
}

/// Checks on what ParseForm accepted: encode(parse(x)) re-parses to the same pairs, the webhook
/// parsers keep their promises, a computed signature validates.
inline bool FuzzParsedForm(std::string_view input, const carriers::FormParams& params) {
  namespace twilio = carriers::twilio;
  auto again = carriers::ParseForm(carriers::EncodeForm(params));
  if (!again.ok() || *again != params) return false;

  auto inbound = twilio::ParseInbound(params);
  if (inbound.ok() && !twilio::IsMessageSid(inbound->message_sid)) return false;
  auto status = twilio::ParseStatus(params);
  if (status.ok() && !twilio::MapMessageStatus(status->raw_status)) return false;

  for (std::string_view url : {std::string_view("https://chorus.example/t"), input}) {
    std::string signature = twilio::ComputeSignature(kFuzzToken, url, params);
    if (!twilio::ValidateSignature(kFuzzToken, url, params, signature)) return false;
  }
  return true;
}

/// The fuzz entry shared by the libFuzzer target and the replay unit test: runs every Twilio
/// parser on `input`; false when a property that must hold for any input breaks. Never throws.
inline bool FuzzFormOnce(std::string_view input) {
  if (!FuzzRawInput(input)) return false;
  auto params = carriers::ParseForm(input);
  if (!params.ok()) return !params.error().message.empty();
  return FuzzParsedForm(input, *params);
}

inline constexpr std::string_view kFuzzAccountSid = "AC0123456789abcdef0123456789abcdef";
inline constexpr std::string_view kFuzzUrl = "https://chorus.example/webhooks/twilio/fuzz/inbound";

/// The port's ReadWebhook, as the webhook route calls it: with a signature header made of the
/// input (never authentic), and, for bytes that parse as a form, signed by the independent
/// test signer (authentic: accepted with sane content, or refused as malformed, or as another
/// account's).
inline bool FuzzTwilioWebhook(std::string_view input) {
  static const carriers::twilio::TwilioCarrier carrier;
  Channel channel;
  channel.carrier = "twilio";
  channel.settings["account_sid"] = std::string(kFuzzAccountSid);
  channel.secrets["auth_token"] = std::string(kFuzzToken);
  carriers::WebhookRequest request{"POST", kFuzzUrl, input, {}, std::chrono::system_clock::now()};
  request.headers = {{"X-Twilio-Signature", input.substr(0, 28)}};
  for (std::string_view kind : {"inbound", "status"}) {
    auto forged = carrier.ReadWebhook(channel, kind, request);
    if (forged.ok()) return false;
  }
  auto form = testing::twilio::Decode(input);
  if (!form) return true;
  const std::string signature = testing::twilio::Sign(kFuzzToken, kFuzzUrl, *form);
  request.headers = {{"X-Twilio-Signature", signature}};
  for (std::string_view kind : {"inbound", "status"}) {
    auto read = carrier.ReadWebhook(channel, kind, request);
    if (read.ok()) {
      for (const auto& m : read->messages) {
        if (!carriers::twilio::IsMessageSid(m.carrier_message_id)) return false;
      }
      for (const auto& r : read->reports) {
        if (!carriers::twilio::IsMessageSid(r.carrier_message_id)) return false;
      }
      if (read->messages.size() + read->reports.size() != 1) return false;
    } else if (read.error().code != ErrorCode::kInvalidArgument &&
               read.error().code != ErrorCode::kPermissionDenied) {
      return false;
    }
  }
  return true;
}

}  // namespace chorus::fuzz

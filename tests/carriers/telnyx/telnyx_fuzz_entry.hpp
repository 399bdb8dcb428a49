#pragma once

// The Telnyx webhook path under the fuzzer: the event parser on any bytes, the port's
// ReadWebhook with whatever headers the bytes make (refused, never accepted), and, for bytes
// that parse, the same bytes signed with the test key: accepted, with the parser's content.

#include <chrono>
#include <string>
#include <string_view>

#include "carriers/telnyx/telnyx_carrier.hpp"
#include "carriers/telnyx/telnyx_test_signer.hpp"
#include "carriers/telnyx/telnyx_webhook.hpp"

namespace chorus::fuzz {

inline const testing::telnyx::TestSigner& FuzzTelnyxSigner() {
  static const testing::telnyx::TestSigner signer(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");  // RFC 8032 TEST 1
  return signer;
}

inline Channel FuzzTelnyxChannel() {
  Channel c;
  c.carrier = "telnyx";
  c.slug = "fuzz";
  c.settings["public_key"] = FuzzTelnyxSigner().public_key_base64();
  c.secrets["api_key"] = "KEYfuzz";
  return c;
}

inline bool Sane(const carriers::WebhookContent& content) {
  for (const auto& m : content.messages) {
    if (m.carrier_message_id.empty() || m.num_media < 0) return false;
    if (m.body.find('\0') != std::string::npos) return false;
  }
  for (const auto& r : content.reports) {
    if (r.carrier_message_id.empty() || r.raw_status.empty()) return false;
  }
  return true;
}

inline bool SameContent(const carriers::WebhookContent& a, const carriers::WebhookContent& b) {
  if (a.messages.size() != b.messages.size() || a.reports.size() != b.reports.size()) return false;
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    if (a.messages[i].carrier_message_id != b.messages[i].carrier_message_id ||
        a.messages[i].body != b.messages[i].body)
      return false;
  }
  for (std::size_t i = 0; i < a.reports.size(); ++i) {
    if (a.reports[i].status != b.reports[i].status) return false;
  }
  return true;
}

inline bool FuzzTelnyxWebhook(std::string_view input) {
  static const carriers::telnyx::TelnyxCarrier carrier;
  static const Channel channel = FuzzTelnyxChannel();
  const auto now = std::chrono::system_clock::now();
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());

  // Headers made of the input itself: never authentic.
  carriers::WebhookRequest forged{"POST", "https://chorus.example/webhooks/telnyx/fuzz/inbound",
                                  input, {}, now};
  forged.headers = {{"telnyx-signature-ed25519", input.substr(0, 88)},
                    {"telnyx-timestamp", timestamp}};
  auto refused = carrier.ReadWebhook(channel, "inbound", forged);
  if (refused.ok() || refused.error().code != ErrorCode::kPermissionDenied) return false;

  auto parsed = carriers::telnyx::ParseEvent(input);
  if (!parsed.ok()) {
    return parsed.error().code == ErrorCode::kInvalidArgument && !parsed.error().message.empty();
  }
  if (!Sane(*parsed)) return false;
  const std::string signature = FuzzTelnyxSigner().Sign(timestamp, input);
  carriers::WebhookRequest signed_request = forged;
  signed_request.headers = {{"telnyx-signature-ed25519", signature},
                            {"telnyx-timestamp", timestamp}};
  auto read = carrier.ReadWebhook(channel, "inbound", signed_request);
  return read.ok() && SameContent(*read, *parsed);
}

}  // namespace chorus::fuzz

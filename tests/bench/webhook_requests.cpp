#include "bench/webhook_requests.hpp"

#include <cstdio>
#include <stdexcept>

#include <chrono>
#include <optional>

#include "carriers/telnyx/telnyx_payloads.hpp"
#include "carriers/telnyx/telnyx_test_signer.hpp"
#include "carriers/twilio/twilio_test_signer.hpp"

namespace chorus::bench {
namespace {

constexpr std::uint64_t kSenderSpace = 10'000'000;  // +1555 and 7 digits

std::string Hex16(std::uint64_t v) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(v));
  return out;
}

}  // namespace

RequestSet::RequestSet(WebhookSpec spec, std::size_t count) : spec_(std::move(spec)) {
  if (spec_.sender_offset + count > kSenderSpace) {
    throw std::invalid_argument("sender offset + count exceeds the 10,000,000 +1555 numbers");
  }
  if (spec_.carrier != "twilio" && spec_.carrier != "telnyx") {
    throw std::invalid_argument("--carrier: twilio or telnyx");
  }
  if (spec_.public_base_url.empty()) {
    spec_.public_base_url = "http://" + spec_.host + ":" + std::to_string(spec_.port);
  }
  signed_url_ = spec_.public_base_url + spec_.path;
  const bool twilio = spec_.carrier == "twilio";
  head_ = "POST " + spec_.path + " HTTP/1.1\r\nHost: " + spec_.host + ":" +
          std::to_string(spec_.port) +
          (twilio ? "\r\nUser-Agent: TwilioProxy/1.1\r\nAccept: */*\r\n"
                    "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
                  : "\r\nUser-Agent: telnyx-webhooks\r\nAccept: */*\r\n"
                    "Content-Type: application/json\r\n");
  // Telnyx signs a timestamp it checks within five minutes: one for the set, taken now.
  const std::string timestamp =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  std::optional<testing::telnyx::TestSigner> signer;
  if (!twilio) signer.emplace(spec_.telnyx_seed);
  offsets_.reserve(count + 1);
  offsets_.push_back(0);
  for (std::size_t i = 0; i < count; ++i) {
    if (twilio) {
      AddTwilio(i);
    } else {
      AddTelnyx(i, timestamp, *signer);
    }
    if (i == 0) arena_.reserve(arena_.size() * count + 1024);
    offsets_.push_back(arena_.size());
  }
}

RequestSet::RequestSet(const std::vector<std::string>& requests) {
  offsets_.reserve(requests.size() + 1);
  offsets_.push_back(0);
  for (const std::string& request : requests) {
    arena_ += request;
    offsets_.push_back(arena_.size());
  }
}

void RequestSet::AddTwilio(std::size_t i) {
  const std::string sid = MessageSid(i);
  // The fields and order of a real Twilio inbound SMS webhook (empty geo fields included:
  // Twilio sends them empty for numbers it cannot place, and they are signed all the same).
  const testing::twilio::Params params = {{"ToCountry", "US"},
                                          {"ToState", ""},
                                          {"SmsMessageSid", sid},
                                          {"NumMedia", "0"},
                                          {"ToCity", ""},
                                          {"FromZip", ""},
                                          {"SmsSid", sid},
                                          {"FromState", ""},
                                          {"SmsStatus", "received"},
                                          {"FromCity", ""},
                                          {"Body", spec_.body},
                                          {"FromCountry", "US"},
                                          {"To", spec_.to},
                                          {"ToZip", ""},
                                          {"NumSegments", "1"},
                                          {"MessageSid", sid},
                                          {"AccountSid", spec_.account_sid},
                                          {"From", Sender(i)},
                                          {"ApiVersion", "2010-04-01"}};
  const std::string form = testing::twilio::Encode(params);
  arena_ += head_;
  arena_ += "X-Twilio-Signature: " + testing::twilio::Sign(spec_.auth_token, signed_url_, params) +
            "\r\n";
  arena_ += "I-Twilio-Idempotency-Token: " + Hex16(spec_.run_id ^ 0x5a5a5a5a5a5a5a5aULL) +
            Hex16(spec_.sender_offset + i) + "\r\n";
  arena_ += "Content-Length: " + std::to_string(form.size()) + "\r\n\r\n";
  arena_ += form;
}

void RequestSet::AddTelnyx(std::size_t i, const std::string& timestamp,
                           const testing::telnyx::TestSigner& signer) {
  // Telnyx's own example event shape (tests/carriers/telnyx/telnyx_payloads.hpp); the text is
  // plain ASCII without quotes, so it is its own JSON string.
  const std::string event = testing::telnyx::InboundEvent(MessageSid(i), Sender(i), spec_.to,
                                                          "\"" + spec_.body + "\"");
  arena_ += head_;
  arena_ += "telnyx-signature-ed25519: " + signer.Sign(timestamp, event) + "\r\n";
  arena_ += "telnyx-timestamp: " + timestamp + "\r\n";
  arena_ += "Content-Length: " + std::to_string(event.size()) + "\r\n\r\n";
  arena_ += event;
}

std::string RequestSet::MessageSid(std::size_t i) const {
  const std::string hex = Hex16(spec_.run_id) + Hex16(spec_.sender_offset + i);
  if (spec_.carrier == "twilio") return "SM" + hex;
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);  // a UUID, as Telnyx's ids are
}

std::string RequestSet::Sender(std::size_t i) const {
  char out[16];
  std::snprintf(out, sizeof out, "+1555%07llu",
                static_cast<unsigned long long>(spec_.sender_offset + i));
  return out;
}

std::int64_t RequestSet::IndexOfSender(std::string_view e164) const {
  if (e164.size() != 12 || e164.substr(0, 5) != "+1555") return -1;
  std::uint64_t n = 0;
  for (char c : e164.substr(5)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n < spec_.sender_offset || n - spec_.sender_offset >= size()) return -1;
  return static_cast<std::int64_t>(n - spec_.sender_offset);
}

}  // namespace chorus::bench

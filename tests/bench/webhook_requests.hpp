#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::testing::telnyx {
class TestSigner;
}

namespace chorus::bench {

/// What every benchmark webhook has in common; each request then gets its own MessageSid and
/// its own sender.
struct WebhookSpec {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string path = "/webhooks/twilio/bench/inbound";
  std::string public_base_url;  // what the server signs against; empty: http://host:port
  std::string auth_token;
  std::string account_sid = "AC00000000000000000000000000000000";
  std::string to = "+15550100000";
  std::string body = "Hello from the benchmark";
  std::uint64_t sender_offset = 0;  // sender i is +1555 followed by 7 digits of offset + i
  std::uint64_t run_id = 0;         // first 16 hex digits of every MessageSid of this run
  /// "twilio" (form + X-Twilio-Signature) or "telnyx" (a message.received JSON event signed
  /// with Ed25519 by the key of `telnyx_seed`, 32 bytes in hex).
  std::string carrier = "twilio";
  std::string telnyx_seed;
};

/// Complete HTTP/1.1 requests (headers, body and signature as the carrier computes them),
/// built before anything is timed, back to back in one buffer: sending request i is one
/// write of bytes(i), with no formatting, signing or allocation on the hot path.
class RequestSet {
 public:
  /// Throws std::invalid_argument when offset + count does not fit 7 digits.
  RequestSet(WebhookSpec spec, std::size_t count);
  /// Requests written elsewhere (the organizer API's searches), in this order: no MessageSid
  /// or sender.
  explicit RequestSet(const std::vector<std::string>& requests);

  std::size_t size() const { return offsets_.size() - 1; }
  std::string_view bytes(std::size_t i) const {
    return std::string_view(arena_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  const WebhookSpec& spec() const { return spec_; }

  /// Request i's message id: a Twilio MessageSid, or a Telnyx message UUID.
  std::string MessageSid(std::size_t i) const;
  std::string Sender(std::size_t i) const;
  /// Index of a sender of this set, or -1.
  std::int64_t IndexOfSender(std::string_view e164) const;

 private:
  void AddTwilio(std::size_t i);
  void AddTelnyx(std::size_t i, const std::string& timestamp,
                 const testing::telnyx::TestSigner& signer);

  WebhookSpec spec_;
  std::string head_;
  std::string signed_url_;
  std::string arena_;
  std::vector<std::size_t> offsets_;
};

}  // namespace chorus::bench

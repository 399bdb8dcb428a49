#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
};

/// Complete HTTP/1.1 requests (headers, form body and X-Twilio-Signature as Twilio computes
/// it), built before anything is timed, back to back in one buffer: sending request i is one
/// write of bytes(i), with no formatting, signing or allocation on the hot path.
class RequestSet {
 public:
  /// Throws std::invalid_argument when offset + count does not fit 7 digits.
  RequestSet(WebhookSpec spec, std::size_t count);

  std::size_t size() const { return offsets_.size() - 1; }
  std::string_view bytes(std::size_t i) const {
    return std::string_view(arena_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  const WebhookSpec& spec() const { return spec_; }

  std::string MessageSid(std::size_t i) const;
  std::string Sender(std::size_t i) const;
  /// Index of a sender of this set, or -1.
  std::int64_t IndexOfSender(std::string_view e164) const;

 private:
  WebhookSpec spec_;
  std::string arena_;
  std::vector<std::size_t> offsets_;
};

}  // namespace chorus::bench

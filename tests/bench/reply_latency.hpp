#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/load_generator.hpp"
#include "bench/webhook_requests.hpp"

namespace chorus::bench {

struct ReplyLatencyOptions {
  WebhookSpec webhook;  // body: a keyword with a reply; senders: fresh members
  LoadOptions load;     // open loop: load.rate webhooks per second
  double seconds = 20;
  std::string carrier_address = "127.0.0.1";
  std::uint16_t carrier_port = 8089;  // where the bench channel's api_base points
  std::string carrier_account_sid;
  std::string carrier_auth_token;
  std::vector<std::string> callback_statuses = {"sent", "delivered"};  // posted back per reply
  int carrier_threads = 1;
  std::string expected_reply = "PONG";
  std::chrono::milliseconds reply_wait{10'000};  // after the last webhook
  std::map<std::string, pid_t> cpu_watch;
  std::string timeline_path;  // per second of due time: webhooks, ack and reply p50/p99/max
};

/// Webhook-to-reply latency: a fake Twilio (tests/fakes, in this process, answering sends like
/// Twilio and posting signed status callbacks back) receives the server's replies; webhooks
/// from distinct members go out at a fixed rate (open loop), each reply is matched to its
/// webhook by the member's number, and its latency counts from the webhook's due time.
/// Appends `reply.*` key=value lines to `key_values`. Returns the exit code.
int RunReplyLatency(const ReplyLatencyOptions& options, std::string* key_values);

}  // namespace chorus::bench

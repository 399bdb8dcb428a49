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
  /// Every webhook: its due time (Unix seconds), ack and reply latency in ms (-1: none), so a
  /// script can take the percentiles of any window (run.sh: while timers fire).
  std::string samples_path;
  /// > 0: also run the receiver of a flow's webhook step on this port (bench/webhook_receiver),
  /// checking signatures with receiver_secret; its counts go to `reply.receiver_*`.
  std::uint16_t receiver_port = 0;
  std::string receiver_secret;
  std::string prefix = "reply";  // of the key=value results
  /// After the replies, keep the fake up until this many messages to numbers outside the set
  /// were accepted (another channel's backlog), at most strangers_wait.
  std::size_t expect_strangers = 0;
  std::chrono::milliseconds strangers_wait{120'000};
};

/// Webhook-to-reply latency: a fake Twilio (tests/fakes, in this process, answering sends like
/// Twilio and posting signed status callbacks back) receives the server's replies; webhooks
/// from distinct members go out at a fixed rate (open loop), each reply is matched to its
/// webhook by the member's number, and its latency counts from the webhook's due time.
/// Messages to numbers outside the set (a flow's timers on another channel) are counted as
/// `reply.strangers`.
/// Appends `PREFIX.*` key=value lines (default `reply.*`) to `key_values`. Returns the exit code.
int RunReplyLatency(const ReplyLatencyOptions& options, std::string* key_values);

}  // namespace chorus::bench

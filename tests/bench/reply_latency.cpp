#include "bench/reply_latency.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "bench/cpu_usage.hpp"
#include "bench/latency_stats.hpp"

#ifdef CHORUS_BENCH_HAVE_FAKE_TWILIO
#include "carriers/twilio/fake_twilio.hpp"
#endif

namespace chorus::bench {

#ifndef CHORUS_BENCH_HAVE_FAKE_TWILIO

int RunReplyLatency(const ReplyLatencyOptions&, std::string*) {
  std::fprintf(stderr,
               "reply-latency: this chorus-bench was built without tests/fakes "
               "(target chorus_fake_twilio)\n");
  return 1;
}

#else

int RunReplyLatency(const ReplyLatencyOptions& o, std::string* kv) {
  const auto count = static_cast<std::size_t>(o.load.rate * o.seconds);
  if (o.load.rate <= 0 || count == 0) {
    std::fprintf(stderr, "reply-latency: needs --rate and --seconds above 0\n");
    return 1;
  }
  const RequestSet set(o.webhook, count);

  fakes::FakeTwilioOptions carrier_options;
  carrier_options.address = o.carrier_address;
  carrier_options.port = o.carrier_port;
  carrier_options.account_sid = o.carrier_account_sid;
  carrier_options.auth_token = o.carrier_auth_token;
  carrier_options.callback_statuses = o.callback_statuses;
  carrier_options.io_threads = o.carrier_threads;
  fakes::FakeTwilio carrier(carrier_options);

  // Arrival of the first reply per member, as steady_clock ticks (0: none yet). Written on
  // the fake's I/O thread, read after the run.
  auto reply_at = std::make_unique<std::atomic<std::int64_t>[]>(count);
  for (std::size_t i = 0; i < count; ++i) reply_at[i] = 0;
  std::atomic<std::size_t> replies{0}, duplicates{0}, strangers{0}, wrong_body{0};
  carrier.SetOnAccepted([&](const fakes::ReceivedMessage& m) {
    const std::int64_t i = set.IndexOfSender(m.to);
    if (i < 0) {
      ++strangers;
      return;
    }
    if (m.body != o.expected_reply) ++wrong_body;
    std::int64_t none = 0;
    if (reply_at[i].compare_exchange_strong(none, m.received_at.time_since_epoch().count())) {
      ++replies;
    } else {
      ++duplicates;
    }
  });
  if (auto started = carrier.Start(); !started.ok()) {
    std::fprintf(stderr, "reply-latency: fake Twilio: %s\n", started.error().message.c_str());
    return 1;
  }
  std::printf("reply-latency: fake Twilio on %s; %zu webhooks at %.0f/s, body \"%s\"\n",
              carrier.api_base().c_str(), count, o.load.rate, o.webhook.body.c_str());
  std::fflush(stdout);

  const CpuSample cpu_before = SampleCpu(o.cpu_watch);
  const std::string window_start = UtcNow();
  const auto wall_start = Clock::now();
  const LoadResult load = RunLoad(set, 0, count, o.load);
  const auto deadline = Clock::now() + o.reply_wait;
  while (replies.load() < load.ok && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - wall_start).count();
  const std::string window_end = UtcNow();
  const CpuSample cpu_after = SampleCpu(o.cpu_watch);
  // Let the status callbacks of the last replies reach the server before the fake goes away.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  carrier.Stop();

  std::vector<std::int64_t> samples;
  samples.reserve(count);
  std::size_t missing = 0;
  // Request i is due i / rate seconds in: one bucket per second of the run.
  const auto per_second = static_cast<std::size_t>(o.load.rate);
  std::vector<std::vector<std::int64_t> > ack_by_second(count / per_second + 1),
      reply_by_second(count / per_second + 1);
  for (std::size_t i = 0; i < count; ++i) {
    if (load.status[i] < 200 || load.status[i] >= 300) continue;
    ack_by_second[i / per_second].push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(load.answered[i] - load.started[i])
            .count());
    const std::int64_t at = reply_at[i].load();
    if (at == 0) {
      ++missing;
      continue;
    }
    const Clock::time_point reply{Clock::duration(at)};
    samples.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(reply - load.started[i]).count());
    reply_by_second[i / per_second].push_back(samples.back());
  }
  const LatencySummary reply = Summarize(std::move(samples));
  // Which seconds the tail comes from: a steady queue looks alike every second, a stall or a
  // periodic job (sweeper, checkpoint, autovacuum) shows as a few bad seconds.
  std::string timeline =
      "# second  webhooks  ack_p50_ms ack_p99_ms  reply_p50_ms reply_p99_ms reply_max_ms\n";
  std::vector<std::pair<double, std::size_t> > worst;
  for (std::size_t s = 0; s < reply_by_second.size(); ++s) {
    if (ack_by_second[s].empty()) continue;
    const LatencySummary a = Summarize(ack_by_second[s]);
    const LatencySummary r = Summarize(reply_by_second[s]);
    char line[160];
    std::snprintf(line, sizeof line, "%6zu %9zu %11.1f %10.1f %13.1f %12.1f %12.1f\n", s, a.count,
                  a.p50_ms, a.p99_ms, r.p50_ms, r.p99_ms, r.max_ms);
    timeline += line;
    worst.emplace_back(r.p99_ms, s);
  }
  std::sort(worst.rbegin(), worst.rend());
  if (!o.timeline_path.empty()) std::ofstream(o.timeline_path, std::ios::trunc) << timeline;
  std::printf("  webhooks acknowledged (from due time):\n%s", FormatLoad(load).c_str());
  std::printf("  webhook-to-reply (from due time): %s\n", FormatSummary(reply).c_str());
  std::printf(
      "  replies %zu, missing %zu, duplicates %zu, unexpected recipients %zu, "
      "other bodies %zu\n",
      replies.load(), missing, duplicates.load(), strangers.load(), wrong_body.load());
  std::printf("  worst seconds by reply p99:");
  for (std::size_t i = 0; i < worst.size() && i < 5; ++i) {
    std::printf(" s%zu %.0f ms;", worst[i].second, worst[i].first);
  }
  std::printf("\n%s", FormatCpu(cpu_before, cpu_after, wall).c_str());

  *kv += LoadKeyValues("reply.ack", load);
  char line[600];
  std::snprintf(line, sizeof line,
                "reply.rate=%.0f\nreply.count=%zu\nreply.replies=%zu\nreply.missing=%zu\n"
                "reply.duplicates=%zu\nreply.wrong_body=%zu\nreply.p50_ms=%.2f\nreply.p90_ms=%.2f\n"
                "reply.p99_ms=%.2f\nreply.p999_ms=%.2f\nreply.max_ms=%.2f\nreply.mean_ms=%.2f\n",
                o.load.rate, count, replies.load(), missing, duplicates.load(), wrong_body.load(),
                reply.p50_ms, reply.p90_ms, reply.p99_ms, reply.p999_ms, reply.max_ms,
                reply.mean_ms);
  *kv += line;
  *kv += CpuKeyValues("reply", cpu_before, cpu_after);
  *kv += "reply.window_start=" + window_start + "\nreply.window_end=" + window_end + "\n";
  const bool ok = load.ok == count && missing == 0;
  return ok ? 0 : 2;
}

#endif

}  // namespace chorus::bench

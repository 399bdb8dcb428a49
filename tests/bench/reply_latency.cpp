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
#include "bench/webhook_receiver.hpp"

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
  // Messages to other numbers (the timers phase's texts on another channel): per second since
  // `origin`, and the last one's arrival.
  constexpr std::size_t kStrangerSeconds = 3600;
  auto strangers_by_second = std::make_unique<std::atomic<std::size_t>[]>(kStrangerSeconds);
  for (std::size_t i = 0; i < kStrangerSeconds; ++i) strangers_by_second[i] = 0;
  std::atomic<std::int64_t> last_stranger_at{0};
  const auto origin = Clock::now();
  carrier.SetOnAccepted([&](const fakes::ReceivedMessage& m) {
    const std::int64_t i = set.IndexOfSender(m.to);
    if (i < 0) {
      ++strangers;
      const auto second = static_cast<std::size_t>(
          std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(
                                        m.received_at - origin).count()));
      ++strangers_by_second[std::min(second, kStrangerSeconds - 1)];
      std::int64_t seen = last_stranger_at.load();
      const std::int64_t at = m.received_at.time_since_epoch().count();
      while (seen < at && !last_stranger_at.compare_exchange_weak(seen, at)) {
      }
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
  std::unique_ptr<WebhookReceiver> receiver;
  if (o.receiver_port > 0) {
    receiver = std::make_unique<WebhookReceiver>(
        WebhookReceiverOptions{o.carrier_address, o.receiver_port, o.receiver_secret});
    if (auto started = receiver->Start(); !started.ok()) {
      std::fprintf(stderr, "reply-latency: webhook receiver: %s\n",
                   started.error().message.c_str());
      return 1;
    }
    std::printf("reply-latency: webhook receiver on %s:%u\n", o.carrier_address.c_str(),
                static_cast<unsigned>(o.receiver_port));
  }
  std::printf("reply-latency: fake Twilio on %s; %zu webhooks at %.0f/s, body \"%s\"\n",
              carrier.api_base().c_str(), count, o.load.rate, o.webhook.body.c_str());
  std::fflush(stdout);

  const CpuSample cpu_before = SampleCpu(o.cpu_watch);
  const std::string window_start = UtcNow();
  const auto wall_start = Clock::now();
  const auto unix_start = std::chrono::system_clock::now();
  const LoadResult load = RunLoad(set, 0, count, o.load);
  const auto deadline = Clock::now() + o.reply_wait;
  while (replies.load() < load.ok && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - wall_start).count();
  const std::string window_end = UtcNow();
  const CpuSample cpu_after = SampleCpu(o.cpu_watch);
  // Keep carrying the other texts (a backlog another channel is sending) until they are in.
  if (o.expect_strangers > 0) {
    const auto give_up = Clock::now() + o.strangers_wait;
    while (strangers.load() < o.expect_strangers && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::printf("reply-latency: %zu of %zu messages to other numbers accepted\n",
                strangers.load(), o.expect_strangers);
  }
  // Let the status callbacks of the last replies reach the server before the fake goes away.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  carrier.Stop();
  WebhookReceiverCounts calls;
  if (receiver) {
    receiver->Stop();
    calls = receiver->Counts();
  }

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
  if (!o.samples_path.empty()) {
    std::ofstream out(o.samples_path, std::ios::trunc);
    out << "# due_unix_s ack_ms reply_ms (-1: none)\n";
    char row[96];
    for (std::size_t i = 0; i < count; ++i) {
      const auto due = unix_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                        load.started[i] - wall_start);
      const double due_s = std::chrono::duration<double>(due.time_since_epoch()).count();
      double ack = -1, rep = -1;
      if (load.status[i] >= 200 && load.status[i] < 300) {
        ack = std::chrono::duration<double, std::milli>(load.answered[i] - load.started[i]).count();
        if (const std::int64_t at = reply_at[i].load(); at != 0) {
          rep = std::chrono::duration<double, std::milli>(Clock::time_point{Clock::duration(at)} -
                                                          load.started[i])
                    .count();
        }
      }
      std::snprintf(row, sizeof row, "%.3f %.3f %.3f\n", due_s, ack, rep);
      out << row;
    }
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
  if (strangers.load() > 0) {
    timeline += "# second since the fake started, messages to other numbers accepted\n";
    for (std::size_t sec = 0; sec < kStrangerSeconds; ++sec) {
      if (const std::size_t n = strangers_by_second[sec].load(); n > 0) {
        timeline += "other " + std::to_string(sec) + " " + std::to_string(n) + "\n";
      }
    }
  }
  if (!o.timeline_path.empty()) std::ofstream(o.timeline_path, std::ios::trunc) << timeline;
  std::printf("  webhooks acknowledged (from due time):\n%s", FormatLoad(load).c_str());
  std::printf("  webhook-to-reply (from due time): %s\n", FormatSummary(reply).c_str());
  std::printf(
      "  replies %zu, missing %zu, duplicates %zu, unexpected recipients %zu, "
      "other bodies %zu\n",
      replies.load(), missing, duplicates.load(), strangers.load(), wrong_body.load());
  if (receiver) {
    std::printf("  webhook receiver: %zu calls, %zu distinct call ids, %zu bad signatures\n",
                calls.calls, calls.distinct, calls.bad_signature);
  }
  std::printf("  worst seconds by reply p99:");
  for (std::size_t i = 0; i < worst.size() && i < 5; ++i) {
    std::printf(" s%zu %.0f ms;", worst[i].second, worst[i].first);
  }
  std::printf("\n%s", FormatCpu(cpu_before, cpu_after, wall).c_str());

  const std::string& p = o.prefix;
  *kv += LoadKeyValues(p + ".ack", load);
  auto put = [&](const char* key, const std::string& value) {
    *kv += p + "." + key + "=" + value + "\n";
  };
  auto fixed = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", v);
    return std::string(text);
  };
  put("rate", std::to_string(static_cast<long long>(o.load.rate)));
  put("count", std::to_string(count));
  put("replies", std::to_string(replies.load()));
  put("missing", std::to_string(missing));
  put("duplicates", std::to_string(duplicates.load()));
  put("wrong_body", std::to_string(wrong_body.load()));
  put("strangers", std::to_string(strangers.load()));
  put("p50_ms", fixed(reply.p50_ms));
  put("p90_ms", fixed(reply.p90_ms));
  put("p99_ms", fixed(reply.p99_ms));
  put("p999_ms", fixed(reply.p999_ms));
  put("max_ms", fixed(reply.max_ms));
  put("mean_ms", fixed(reply.mean_ms));
  auto unix_of = [&](Clock::time_point t) {
    return std::chrono::duration<double>(
               (unix_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                 t - wall_start))
                   .time_since_epoch())
        .count();
  };
  put("unix_start", fixed(unix_of(wall_start)));
  if (const std::int64_t last = last_stranger_at.load(); last != 0) {
    put("strangers_last_unix", fixed(unix_of(Clock::time_point{Clock::duration(last)})));
  }
  if (receiver) {
    put("receiver_calls", std::to_string(calls.calls));
    put("receiver_distinct", std::to_string(calls.distinct));
    put("receiver_bad_signature", std::to_string(calls.bad_signature));
  }
  *kv += CpuKeyValues(p, cpu_before, cpu_after);
  put("window_start", window_start);
  put("window_end", window_end);
  const bool ok = load.ok == count && missing == 0;
  return ok ? 0 : 2;
}

#endif

}  // namespace chorus::bench

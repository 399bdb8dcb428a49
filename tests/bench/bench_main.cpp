// chorus-bench MODE [--option value ...]: the benchmark of BENCHMARKS.md, one mode per
// measurement. tests/bench/run.sh runs them all against a private PostgreSQL cluster.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "bench/cpu_usage.hpp"
#include "bench/fan_out.hpp"
#include "bench/load_cost.hpp"
#include "bench/load_generator.hpp"
#include "bench/member_search.hpp"
#include "bench/metrics_report.hpp"
#include "bench/minimal_server.hpp"
#include "bench/options.hpp"
#include "bench/pg_insert.hpp"
#include "bench/reply_latency.hpp"
#include "bench/webhook_requests.hpp"

namespace chorus::bench {
namespace {

constexpr const char* kUsage = R"(usage: chorus-bench MODE [--option value ...]

loadgen        signed Twilio inbound webhooks over keep-alive connections
  --host 127.0.0.1 --port 8080 --path /webhooks/twilio/bench/inbound
  --public-base-url URL (default http://HOST:PORT)  --auth-token T  --account-sid AC...
  --carrier twilio|telnyx  --telnyx-seed HEX (the Ed25519 key Telnyx webhooks are signed with)
  --to +15550100000  --body TEXT  --sender-offset 0  --run-id N (default random)
  --connections 64  --threads 1  --rotate (open loop: connections take turns)
  closed loop: --requests 200000 [--seconds S: stop sending after S s] --warmup 0
  open loop:   --rate R --seconds D (latency from each request's due time)
  --acked-sids FILE   write the MessageSid of every 2xx (warm-up included)
  --start-at UNIX   start the timed part at this wall-clock time (alongside member-search)
  --cpu-watch name=pid,...   CPU used by these process trees during the timed phase
  --out FILE   append key=value results
minimal-server   200 to everything, on the project's http::Server
  --address 127.0.0.1 --port 8090 --io-threads 2
pg-insert      inbound_messages batched-insert rate, durable commits
  --url DSN --channel bench --batches 64,256,512 --connections 1,2 --seconds 5
  --body TEXT --cpu-watch postgres=PID --out FILE
reply-latency  webhook-to-reply latency through an in-process fake Twilio
  (loadgen's webhook options) --rate 1000 --seconds 20 --body PING --expect-reply PONG
  --sender-offset 5000000 --carrier-port 8089 --carrier-account-sid AC...
  --carrier-auth-token T --carrier-threads 1 --callbacks sent,delivered|none
  --reply-wait-ms 10000 --cpu-watch ... --timeline FILE --out FILE --prefix reply
  --samples FILE (due time, ack and reply latency of every webhook)
  --expect-others N --others-wait-ms 120000: afterwards, keep the fake up until N messages to
    numbers outside the set were accepted (another channel's backlog)
  --receiver-port P --receiver-secret-env NAME: also answer a flow's webhook step (200 at
    once) on P, checking X-Chorus-Signature with the secret in environment variable NAME
member-search  GET /v1/members in an open loop, latency per kind of query
  --host 127.0.0.1 --port 8080 --token-env NAME (the API token is in this variable)
  --queries FILE (lines "KIND PAGES QUERY": empty 1 chapter=ny&tag=x&limit=100; PAGES 2-5
    times pages 2 to 5, reached by following next_cursor)
  --rate 10 --seconds 60 --connections 16 --start-at UNIX --cpu-watch ... --prefix search
  --out FILE --linger S (stay up S s after the run, for a process watching this one's CPU)
idle-check     CPU used by processes outside --cpu-watch trees over --seconds 2
  --warn-cores 0.25 [--wait-quiet S: sample again until quiet, S s at most]
  --prefix NAME --out FILE
load-cost      one processing transaction's loading, empty backlog vs a large one
  --url DSN (a fresh migrated and applied database no server processes) --batch 256
  --backlog 100000 --repeat 40 --out FILE
fan-out        a broadcast's fan-out (PgBroadcastQueue::FanOut) to every member, next to a raw
  INSERT ... SELECT of the same rows (a fresh migrated and applied database; seeds it)
  --url DSN --organization bench --channel bench --members 1000000
  --batch 0 (0: the runner's fan_out_batch) --runs 2 --profile-members 25000 (0: no profile) --profile-rounds 3
  --server-log FILE (PostgreSQL's log: the auto_explain plan of one batch) --cpu-watch ...
  --prefix fanout --out FILE
metrics        the server's own view: group-commit batch sizes and more
  --url http://127.0.0.1:8080/metrics  --save FILE | --since FILE [--out FILE]
)";

void Append(const std::string& path, const std::string& text) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::app);
  out << text;
}

std::uint64_t RandomRunId() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

WebhookSpec ReadWebhook(Options& o, const std::string& default_body, std::uint64_t offset) {
  WebhookSpec w;
  w.host = o.Str("host", w.host);
  w.port = static_cast<std::uint16_t>(o.Int("port", w.port));
  w.path = o.Str("path", w.path);
  w.public_base_url = o.Str("public-base-url", "");
  w.auth_token = o.Str("auth-token", "");
  w.account_sid = o.Str("account-sid", w.account_sid);
  w.to = o.Str("to", w.to);
  w.carrier = o.Str("carrier", w.carrier);
  w.telnyx_seed = o.Str("telnyx-seed", "");
  w.body = o.Str("body", default_body);
  w.sender_offset =
      static_cast<std::uint64_t>(o.Int("sender-offset", static_cast<std::int64_t>(offset)));
  const std::int64_t run_id = o.Int("run-id", 0);
  w.run_id = run_id != 0 ? static_cast<std::uint64_t>(run_id) : RandomRunId();
  return w;
}

LoadOptions ReadLoad(Options& o, const WebhookSpec& w) {
  LoadOptions l;
  l.host = w.host;
  l.port = w.port;
  l.connections = static_cast<int>(o.Int("connections", l.connections));
  l.threads = static_cast<int>(o.Int("threads", l.threads));
  l.drain_timeout = std::chrono::milliseconds(o.Int("drain-timeout-ms", 30'000));
  l.rotate = o.Flag("rotate");
  return l;
}

bool RefuseUnknown(const Options& o) {
  const auto unknown = o.Unknown();
  for (const auto& name : unknown)
    std::fprintf(stderr, "chorus-bench: unknown option --%s\n", name.c_str());
  return !unknown.empty();
}

int LoadGen(Options& o) {
  const WebhookSpec webhook = ReadWebhook(o, "Hello from the benchmark", 0);
  LoadOptions load = ReadLoad(o, webhook);
  load.rate = o.Num("rate", 0);
  const double seconds = o.Num("seconds", 0);
  const auto warmup = static_cast<std::size_t>(o.Int("warmup", 0));
  std::size_t requests = static_cast<std::size_t>(o.Int("requests", 200'000));
  if (load.rate > 0) {
    requests = static_cast<std::size_t>(load.rate * seconds);
  } else {
    load.max_seconds = seconds;
  }
  const std::string acked_path = o.Str("acked-sids", "");
  const double start_at = o.Num("start-at", 0);
  const auto cpu_watch = ParseCpuWatch(o.Str("cpu-watch", ""), "loadgen");
  const std::string out = o.Str("out", "");
  const std::string prefix = o.Str("prefix", "loadgen");
  if (RefuseUnknown(o)) return 2;

  const auto build_start = Clock::now();
  const RequestSet set(webhook, warmup + requests);
  std::printf("loadgen: %zu signed requests built in %.2f s (%zu bytes each, body \"%s\")\n",
              set.size(), std::chrono::duration<double>(Clock::now() - build_start).count(),
              set.bytes(0).size(), webhook.body.c_str());
  std::string acked;
  auto collect_acked = [&](const LoadResult& r, std::size_t begin) {
    if (acked_path.empty()) return;
    for (std::size_t i = 0; i < r.status.size(); ++i) {
      if (r.status[i] >= 200 && r.status[i] < 300) acked += set.MessageSid(begin + i) + "\n";
    }
  };
  std::size_t warmup_ok = 0;
  if (warmup > 0) {
    LoadOptions w = load;
    w.rate = 0;
    w.max_seconds = 0;
    const LoadResult r = RunLoad(set, 0, warmup, w);
    warmup_ok = r.ok;
    std::printf("loadgen: warm-up\n%s", FormatLoad(r).c_str());
    collect_acked(r, 0);
  }
  if (start_at > 0 && !SleepUntilUnix(start_at)) {
    std::fprintf(stderr, "loadgen: the start time had passed when the requests were ready\n");
    return 1;
  }
  std::printf("loadgen: %s, %d connections to %s:%u%s\n",
              load.rate > 0
                  ? ("open loop at " + std::to_string(static_cast<long>(load.rate)) + "/s").c_str()
                  : "closed loop",
              load.connections, load.host.c_str(), static_cast<unsigned>(load.port),
              webhook.path.c_str());
  std::fflush(stdout);
  const CpuSample cpu_before = SampleCpu(cpu_watch);
  const std::string window_start = UtcNow();
  const auto t0 = Clock::now();
  const LoadResult r = RunLoad(set, warmup, warmup + requests, load);
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::string window_end = UtcNow();
  const CpuSample cpu_after = SampleCpu(cpu_watch);
  std::printf("%s", FormatLoad(r).c_str());
  std::printf("%s", FormatCpu(cpu_before, cpu_after, wall).c_str());
  collect_acked(r, warmup);
  if (!acked_path.empty()) {
    std::ofstream f(acked_path, std::ios::trunc);
    f << acked;
  }
  std::string kv = LoadKeyValues(prefix, r);
  kv += prefix + ".warmup_ok=" + std::to_string(warmup_ok) + "\n";
  kv +=
      prefix + ".window_start=" + window_start + "\n" + prefix + ".window_end=" + window_end + "\n";
  kv += prefix + ".connections=" + std::to_string(load.connections) + "\n";
  kv += prefix + ".request_bytes=" + std::to_string(set.bytes(0).size()) + "\n";
  kv += CpuKeyValues(prefix, cpu_before, cpu_after);
  Append(out, kv);
  return r.issued > 0 && r.ok > 0 ? 0 : 1;
}

int MemberSearch(Options& o) {
  MemberSearchOptions m;
  m.host = o.Str("host", m.host);
  m.port = static_cast<std::uint16_t>(o.Int("port", m.port));
  m.queries_path = o.Str("queries", "");
  m.rate = o.Num("rate", m.rate);
  m.seconds = o.Num("seconds", m.seconds);
  m.connections = static_cast<int>(o.Int("connections", m.connections));
  m.start_at = o.Num("start-at", 0);
  m.linger = o.Num("linger", 0);
  m.cpu_watch = ParseCpuWatch(o.Str("cpu-watch", ""), "search");
  m.prefix = o.Str("prefix", m.prefix);
  // From the environment, so the token is not in the process list.
  const std::string token_env = o.Str("token-env", "");
  const std::string out = o.Str("out", "");
  if (RefuseUnknown(o)) return 2;
  const char* token = token_env.empty() ? nullptr : std::getenv(token_env.c_str());
  if (token == nullptr || *token == '\0') {
    std::fprintf(stderr, "member-search: --token-env names no set variable\n");
    return 2;
  }
  m.token = token;
  std::string kv;
  const int code = RunMemberSearch(m, &kv);
  Append(out, kv);
  return code;
}

int MinimalServer(Options& o) {
  MinimalServerOptions m;
  m.address = o.Str("address", m.address);
  m.port = static_cast<std::uint16_t>(o.Int("port", m.port));
  m.io_threads = static_cast<int>(o.Int("io-threads", m.io_threads));
  if (RefuseUnknown(o)) return 2;
  return RunMinimalServer(m);
}

int PgInsert(Options& o) {
  PgInsertOptions p;
  p.url = o.Str("url", "");
  p.channel_slug = o.Str("channel", p.channel_slug);
  p.batch_sizes = o.IntList("batches", "64,256,512");
  p.connections = o.IntList("connections", "1,2");
  p.seconds = o.Num("seconds", p.seconds);
  p.body = o.Str("body", p.body);
  p.run_id = RandomRunId();
  p.cpu_watch = ParseCpuWatch(o.Str("cpu-watch", ""), "bench");
  const std::string out = o.Str("out", "");
  if (RefuseUnknown(o)) return 2;
  if (p.url.empty()) {
    std::fprintf(stderr, "pg-insert: --url is required\n");
    return 2;
  }
  std::string kv;
  const int code = RunPgInsert(p, &kv);
  Append(out, kv);
  return code;
}

int ReplyLatency(Options& o) {
  ReplyLatencyOptions r;
  r.webhook = ReadWebhook(o, "PING", 5'000'000);
  r.load = ReadLoad(o, r.webhook);
  r.load.rate = o.Num("rate", 1000);
  r.seconds = o.Num("seconds", r.seconds);
  r.carrier_address = o.Str("carrier-address", r.carrier_address);
  r.carrier_port = static_cast<std::uint16_t>(o.Int("carrier-port", r.carrier_port));
  r.carrier_account_sid = o.Str("carrier-account-sid", r.webhook.account_sid);
  r.carrier_auth_token = o.Str("carrier-auth-token", r.webhook.auth_token);
  r.expected_reply = o.Str("expect-reply", r.expected_reply);
  r.reply_wait = std::chrono::milliseconds(o.Int("reply-wait-ms", 10'000));
  r.cpu_watch = ParseCpuWatch(o.Str("cpu-watch", ""), "bench");
  r.timeline_path = o.Str("timeline", "");
  r.carrier_threads = static_cast<int>(o.Int("carrier-threads", r.carrier_threads));
  r.samples_path = o.Str("samples", "");
  r.prefix = o.Str("prefix", r.prefix);
  r.expect_strangers = static_cast<std::size_t>(o.Int("expect-others", 0));
  r.strangers_wait = std::chrono::milliseconds(o.Int("others-wait-ms", 120'000));
  r.receiver_port = static_cast<std::uint16_t>(o.Int("receiver-port", 0));
  if (const std::string env = o.Str("receiver-secret-env", ""); !env.empty()) {
    const char* secret = std::getenv(env.c_str());
    if (secret == nullptr || *secret == '\0') {
      std::fprintf(stderr, "reply-latency: %s is not set\n", env.c_str());
      return 2;
    }
    r.receiver_secret = secret;
  }
  r.callback_statuses.clear();
  {
    std::stringstream in(o.Str("callbacks", "sent,delivered"));
    for (std::string status; std::getline(in, status, ',');) {
      if (!status.empty() && status != "none") r.callback_statuses.push_back(status);
    }
  }
  const std::string out = o.Str("out", "");
  if (RefuseUnknown(o)) return 2;
  std::string kv;
  const int code = RunReplyLatency(r, &kv);
  Append(out, kv);
  return code;
}

// What else is running: a timed phase on a shared machine is only as good as its quiet.
int IdleCheck(Options& o) {
  const double seconds = o.Num("seconds", 2);
  const auto watch = ParseCpuWatch(o.Str("cpu-watch", ""), "bench");
  const std::string out = o.Str("out", "");
  const std::string prefix = o.Str("prefix", "idle");
  const double warn_cores = o.Num("warn-cores", 0.25);
  const double wait_quiet = o.Num("wait-quiet", 0);  // seconds to wait for a quiet machine
  if (RefuseUnknown(o)) return 2;
  double others = 0;
  std::string busiest = BusyOutside(watch, seconds, &others);
  const auto give_up =
      Clock::now() + std::chrono::milliseconds(static_cast<long>(wait_quiet * 1000));
  if (others > warn_cores && wait_quiet > 0) {
    std::printf("waiting up to %.0f s for a quiet machine (other processes: %.2f cores)\n",
                wait_quiet, others);
    std::fflush(stdout);
    while (others > warn_cores && Clock::now() < give_up) {
      busiest = BusyOutside(watch, seconds, &others);
    }
  }
  std::printf("other processes used %.2f cores over %.1f s before %s\n", others, seconds,
              prefix.c_str());
  if (others > warn_cores) {
    std::printf("WARNING: the machine is not quiet; numbers of %s may be disturbed. Busiest:\n%s",
                prefix.c_str(), busiest.c_str());
  }
  char line[120];
  std::snprintf(line, sizeof line, "%s.others_cores_before=%.2f\n", prefix.c_str(), others);
  Append(out, line);
  return 0;
}

int LoadCost(Options& o) {
  LoadCostOptions l;
  l.url = o.Str("url", "");
  l.batch = static_cast<std::size_t>(o.Int("batch", static_cast<std::int64_t>(l.batch)));
  l.backlog = static_cast<std::size_t>(o.Int("backlog", static_cast<std::int64_t>(l.backlog)));
  l.repeat = static_cast<int>(o.Int("repeat", l.repeat));
  const std::string out = o.Str("out", "");
  if (RefuseUnknown(o)) return 2;
  if (l.url.empty()) {
    std::fprintf(stderr, "load-cost: --url is required\n");
    return 2;
  }
  std::string kv;
  const int code = RunLoadCost(l, &kv);
  Append(out, kv);
  return code;
}

int FanOut(Options& o) {
  FanOutOptions f;
  f.url = o.Str("url", "");
  f.organization = o.Str("organization", f.organization);
  f.channel = o.Str("channel", f.channel);
  f.members = o.Int("members", f.members);
  f.batch = static_cast<int>(o.Int("batch", f.batch));
  f.runs = static_cast<int>(o.Int("runs", f.runs));
  f.profile_members = o.Int("profile-members", f.profile_members);
  f.profile_rounds = static_cast<int>(o.Int("profile-rounds", f.profile_rounds));
  f.server_log = o.Str("server-log", "");
  f.cpu_watch = ParseCpuWatch(o.Str("cpu-watch", ""), "bench");
  f.prefix = o.Str("prefix", f.prefix);
  const std::string out = o.Str("out", "");
  if (RefuseUnknown(o)) return 2;
  if (f.url.empty() || f.members <= 0 || f.runs <= 0) {
    std::fprintf(stderr, "fan-out: --url is required; --members and --runs must be positive\n");
    return 2;
  }
  std::string kv;
  const int code = RunFanOut(f, &kv);
  Append(out, kv);
  return code;
}

int Metrics(Options& o) {
  const std::string url = o.Str("url", "http://127.0.0.1:8080/metrics");
  const std::string save = o.Str("save", "");
  const std::string since = o.Str("since", "");
  const std::string out = o.Str("out", "");
  const std::string prefix = o.Str("prefix", "metrics");
  if (RefuseUnknown(o)) return 2;
  const std::string text = FetchText(url);
  if (text.empty()) {
    std::fprintf(stderr, "metrics: nothing from %s\n", url.c_str());
    return 1;
  }
  if (!save.empty()) {
    std::ofstream(save, std::ios::trunc) << text;
    return 0;
  }
  std::string before;
  if (!since.empty()) {
    std::ifstream in(since);
    before.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string kv;
  std::printf("%s", MetricsDelta(before, text, prefix, &kv).c_str());
  Append(out, kv);
  return 0;
}

}  // namespace
}  // namespace chorus::bench

int main(int argc, char** argv) {
  using namespace chorus::bench;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string mode = argv[1];
  try {
    Options options(argc, argv, 2);
    if (mode == "loadgen") return LoadGen(options);
    if (mode == "minimal-server") return MinimalServer(options);
    if (mode == "member-search") return MemberSearch(options);
    if (mode == "pg-insert") return PgInsert(options);
    if (mode == "reply-latency") return ReplyLatency(options);
    if (mode == "metrics") return Metrics(options);
    if (mode == "load-cost") return LoadCost(options);
    if (mode == "fan-out") return FanOut(options);
    if (mode == "idle-check") return IdleCheck(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chorus-bench %s: %s\n", mode.c_str(), e.what());
    return 2;
  }
  std::fprintf(stderr, "chorus-bench: unknown mode %s\n%s", mode.c_str(), kUsage);
  return 2;
}

#include "bench/pg_insert.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "bench/cpu_usage.hpp"
#include "bench/latency_stats.hpp"
#include "store/pg/inbox_statements.hpp"
#include "store/pg/pg_array.hpp"

namespace chorus::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string Hex16(std::uint64_t v) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(v));
  return out;
}

struct Combination {
  double rows_per_second = 0;
  double commits_per_second = 0;
  LatencySummary commit;
  std::size_t rows = 0;
};

Combination Measure(const PgInsertOptions& o, std::int64_t org, std::int64_t channel,
                    int connections, std::size_t batch, std::atomic<std::uint64_t>& counter) {
  std::vector<std::unique_ptr<pqxx::connection>> conns;
  // PgInboxStore's own statements, prepared as the server prepares them: the senders' members
  // first, then the messages with their member.
  using store::pg::kInsertInbound;
  using store::pg::kUpsertSenders;
  for (int i = 0; i < connections; ++i) {
    conns.push_back(std::make_unique<pqxx::connection>(o.url));
    conns.back()->prepare(kUpsertSenders.name, kUpsertSenders.sql);
    conns.back()->prepare(kInsertInbound.name, kInsertInbound.sql);
  }
  std::mutex mutex;
  std::vector<std::int64_t> commit_ns;
  std::atomic<std::size_t> rows{0};
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::nanoseconds(static_cast<std::int64_t>(o.seconds * 1e9));
  std::atomic<std::int64_t> last_end{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::int64_t> orgs(batch, org), channels(batch, channel), media(batch, 0);
      std::vector<std::string> sids(batch), senders(batch), recipients(batch, "+15550100000"),
          bodies(batch, o.body);
      std::vector<bool> e164(batch, true);
      std::vector<std::int64_t> local;
      std::int64_t local_end = 0;
      while (Clock::now() < deadline) {
        const std::uint64_t first = counter.fetch_add(batch);
        for (std::size_t i = 0; i < batch; ++i) {
          sids[i] = "SM" + Hex16(o.run_id) + Hex16(first + i);
          char sender[16];
          std::snprintf(sender, sizeof sender, "+1555%07llu",
                        static_cast<unsigned long long>((first + i) % 10'000'000));
          senders[i] = sender;
        }
        const auto t0 = Clock::now();
        pqxx::work tx(*conns[t]);
        tx.exec_prepared(kUpsertSenders.name, store::pg::IntArray(orgs),
                         store::pg::TextArray(senders));
        const pqxx::result r =
            tx.exec_prepared(kInsertInbound.name, store::pg::IntArray(orgs), store::pg::IntArray(channels),
                           store::pg::TextArray(sids), store::pg::TextArray(senders),
                           store::pg::BoolArray(e164), store::pg::TextArray(recipients),
                           store::pg::TextArray(bodies), store::pg::IntArray(media));
        tx.commit();
        const auto t1 = Clock::now();
        rows += r.size();
        local.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        local_end = (t1 - start).count();
      }
      std::lock_guard lock(mutex);
      last_end = std::max<std::int64_t>(last_end.load(), local_end);
      commit_ns.insert(commit_ns.end(), local.begin(), local.end());
    });
  }
  for (auto& t : threads) t.join();
  Combination c;
  const double elapsed = static_cast<double>(last_end.load()) / 1e9;
  c.rows = rows.load();
  c.rows_per_second = elapsed > 0 ? static_cast<double>(c.rows) / elapsed : 0;
  c.commits_per_second = elapsed > 0 ? static_cast<double>(commit_ns.size()) / elapsed : 0;
  c.commit = Summarize(std::move(commit_ns));
  return c;
}

}  // namespace

int RunPgInsert(const PgInsertOptions& o, std::string* key_values) {
  std::int64_t org = 0, channel = 0;
  try {
    pqxx::connection c(o.url);
    pqxx::work tx(c);
    const pqxx::result r =
        tx.exec_params("SELECT organization_id, id FROM channels WHERE slug = $1", o.channel_slug);
    if (r.empty()) {
      std::fprintf(stderr, "pg-insert: no channel %s (apply the bench workspace first)\n",
                   o.channel_slug.c_str());
      return 1;
    }
    org = r[0][0].as<std::int64_t>();
    channel = r[0][1].as<std::int64_t>();
    const pqxx::result settings = tx.exec(
        "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
        "current_setting('full_page_writes'), current_setting('wal_sync_method')");
    std::printf(
        "pg-insert: fsync=%s synchronous_commit=%s full_page_writes=%s wal_sync_method=%s\n",
        settings[0][0].c_str(), settings[0][1].c_str(), settings[0][2].c_str(),
        settings[0][3].c_str());
    *key_values += std::string("pg.fsync=") + settings[0][0].c_str() + "\n" +
                   "pg.synchronous_commit=" + settings[0][1].c_str() + "\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg-insert: %s\n", e.what());
    return 1;
  }
  std::atomic<std::uint64_t> counter{0};
  std::printf(
      "pg-insert: inbound_messages rows (body %zu bytes), one commit per batch, %.0f s each\n",
      o.body.size(), o.seconds);
  std::printf("  %-12s %-6s %12s %12s %-32s %s\n", "connections", "batch", "rows/s", "commits/s",
              "commit latency", "cpu: postgres / others (cores)");
  try {
    for (const std::int64_t n : o.connections) {
      for (const std::int64_t batch : o.batch_sizes) {
        const CpuSample before = SampleCpu(o.cpu_watch);
        const auto started = std::chrono::steady_clock::now();
        const Combination c =
            Measure(o, org, channel, static_cast<int>(n), static_cast<std::size_t>(batch), counter);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const CpuSample after = SampleCpu(o.cpu_watch);
        double ours = 0;
        for (const auto& [name, value] : after.trees) ours += value - before.trees.at(name);
        const double others = (after.machine_busy - before.machine_busy - ours) / wall;
        const double pg_cores =
            after.trees.count("postgres")
                ? (after.trees.at("postgres") - before.trees.at("postgres")) / wall
                : 0;
        char latency[64];
        std::snprintf(latency, sizeof latency, "p50 %.2f ms p99 %.2f ms", c.commit.p50_ms,
                      c.commit.p99_ms);
        std::printf("  %-12lld %-6lld %12.0f %12.0f %-32s %.2f / %.2f%s\n",
                    static_cast<long long>(n), static_cast<long long>(batch), c.rows_per_second,
                    c.commits_per_second, latency, pg_cores, others,
                    others > 0.25 ? " DISTURBED" : "");
        std::fflush(stdout);
        char line[300];
        std::snprintf(line, sizeof line,
                      "pg.c%lld_b%lld.rows_per_second=%.0f\npg.c%lld_b%lld.commit_p50_ms=%.2f\n"
                      "pg.c%lld_b%lld.commit_p99_ms=%.2f\npg.c%lld_b%lld.others_cores=%.2f\n",
                      static_cast<long long>(n), static_cast<long long>(batch), c.rows_per_second,
                      static_cast<long long>(n), static_cast<long long>(batch), c.commit.p50_ms,
                      static_cast<long long>(n), static_cast<long long>(batch), c.commit.p99_ms,
                      static_cast<long long>(n), static_cast<long long>(batch), others);
        *key_values += line;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg-insert: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace chorus::bench

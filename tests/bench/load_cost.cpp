#include "bench/load_cost.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <vector>

#include "bench/latency_stats.hpp"
#include "store/pg/pg_processing_store.hpp"

namespace chorus::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Members +PREFIX and 7 digits from FIRST, COUNT of them, each with one inbound message and
// one due timer of no session, waiting, or processed (history: what a live system has behind
// it).
void AddMembers(pqxx::connection& c, std::int64_t org, std::int64_t channel,
                const std::string& prefix, std::size_t first, std::size_t count, bool processed) {
  pqxx::work tx(c);
  tx.exec_params(R"sql(
WITH m AS (
  INSERT INTO members (organization_id, phone_e164)
  SELECT $1, $5 || lpad(g::text, 7, '0') FROM generate_series($3::bigint, $3::bigint + $4 - 1) g
  RETURNING organization_id, id, phone_e164),
i AS (
  INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender,
                                sender_is_e164, recipient, body, member_id, processed_at, outcome)
  SELECT m.organization_id, $2, 'SMloader' || m.id, m.phone_e164, true, '+15550100000',
         'waiting', m.id, CASE WHEN $6 THEN now() END, CASE WHEN $6 THEN 'keyword' END FROM m)
INSERT INTO member_events (organization_id, member_id, kind, channel_id, token, payload, due_at,
                           processed_at, outcome)
SELECT m.organization_id, m.id, 'timer', $2, 1, '{"timer": "wait"}', now() - interval '1 second',
       CASE WHEN $6 THEN now() END, CASE WHEN $6 THEN 'fired' END
  FROM m
)sql",
                 org, channel, static_cast<std::int64_t>(first), static_cast<std::int64_t>(count),
                 prefix, processed);
  tx.commit();
}

void Analyze(pqxx::connection& c) { pqxx::nontransaction(c).exec("ANALYZE"); }

// `warmup` untimed batches first: PostgreSQL settles on a prepared statement's generic plan
// after five executions, and keeps it until the statistics change.
LatencySummary Time(store::pg::PgProcessingStore& store,
                    const std::vector<ingest::MemberKey>& keys, int repeat, int warmup,
                    std::size_t* events, bool* ok) {
  std::vector<std::int64_t> ns;
  for (int i = 0; i < repeat + warmup; ++i) {
    std::size_t loaded = 0;
    const auto start = Clock::now();
    auto result = store.ProcessBatch(keys, [&loaded](const ingest::BatchContext& ctx) {
      loaded = ctx.events.size();
      return ingest::BatchEffects{};  // nothing written, nothing marked: the batch stays
    });
    const auto took = Clock::now() - start;
    if (!result.ok()) {
      std::fprintf(stderr, "load-cost: ProcessBatch failed: %s\n", result.error().message.c_str());
      *ok = false;
      return {};
    }
    *events = loaded;
    if (i >= warmup) ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
  }
  return Summarize(std::move(ns));
}

}  // namespace

int RunLoadCost(const LoadCostOptions& o, std::string* kv) {
  pqxx::connection c(o.url);
  std::int64_t org = 0, channel = 0;
  {
    pqxx::nontransaction tx(c);
    const pqxx::row r = tx.exec_params1(
        "SELECT o.id, ch.id FROM organizations o JOIN channels ch ON ch.organization_id = o.id "
        "WHERE o.slug = $1 AND ch.slug = $2",
        o.organization, o.channel);
    org = r[0].as<std::int64_t>();
    channel = r[1].as<std::int64_t>();
    const pqxx::row pending = tx.exec1(
        "SELECT (SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL) + "
        "(SELECT count(*) FROM member_events WHERE processed_at IS NULL)");
    if (pending[0].as<std::int64_t>() != 0) {
      std::fprintf(stderr, "load-cost: the database already has waiting events; use a fresh one\n");
      return 1;
    }
  }
  // History first (processed messages and timers of other members) and its statistics, as
  // autovacuum leaves them on a live system that keeps up: nothing waiting. Then the batch's
  // members with their waiting events.
  AddMembers(c, org, channel, "+1559", 0, o.backlog, true);
  Analyze(c);
  AddMembers(c, org, channel, "+1557", 0, o.batch, false);
  std::vector<ingest::MemberKey> keys;
  for (const auto& row : pqxx::nontransaction(c).exec_params(
           "SELECT id FROM members WHERE organization_id = $1 AND phone_e164 LIKE '+1557%' "
           "ORDER BY id",
           org)) {
    keys.push_back(ingest::MemberKey{org, row[0].as<std::int64_t>()});
  }
  store::pg::PgProcessingStore store(o.url);
  bool ok = true;
  std::size_t events_empty = 0, events_stale = 0, events_analyzed = 0;
  const LatencySummary empty = Time(store, keys, o.repeat, 5, &events_empty, &ok);
  // The backlog arrives (an outage, a burst of timers) faster than autovacuum analyzes: first
  // timed with the statistics of an empty backlog, then after ANALYZE.
  const auto seed_start = Clock::now();
  AddMembers(c, org, channel, "+1558", 0, o.backlog, false);
  const double seeded = std::chrono::duration<double>(Clock::now() - seed_start).count();
  // The plan of the empty backlog, still cached (a batch may take seconds here: a few).
  const LatencySummary stale = Time(store, keys, std::min(o.repeat, 5), 0, &events_stale, &ok);
  Analyze(c);  // a new plan at the next execution
  const LatencySummary analyzed = Time(store, keys, o.repeat, 1, &events_analyzed, &ok);
  if (!ok) return 1;
  std::printf("load-cost: a batch of %zu members (%zu waiting events), timed %zu, %zu and %zu "
              "times, with %zu members of history\n",
              keys.size(), events_empty, empty.count, stale.count, analyzed.count, o.backlog);
  std::printf("  empty backlog (statistics: nothing waiting):      %s\n", FormatSummary(empty).c_str());
  std::printf("  %zu events waiting (seeded in %.1f s), statistics from before:  %s\n",
              2 * o.backlog, seeded, FormatSummary(stale).c_str());
  std::printf("  %zu events waiting, after ANALYZE:                %s\n", 2 * o.backlog,
              FormatSummary(analyzed).c_str());
  auto put = [&](const std::string& key, double v) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2f", v);
    *kv += "loader." + key + "=" + text + "\n";
  };
  *kv += "loader.batch=" + std::to_string(keys.size()) + "\nloader.batch_events=" +
         std::to_string(events_empty) + "\nloader.backlog_events=" +
         std::to_string(2 * o.backlog) + "\n";
  put("empty_p50_ms", empty.p50_ms);
  put("empty_p90_ms", empty.p90_ms);
  put("empty_max_ms", empty.max_ms);
  put("stale_p50_ms", stale.p50_ms);
  put("stale_p90_ms", stale.p90_ms);
  put("stale_max_ms", stale.max_ms);
  put("backlog_p50_ms", analyzed.p50_ms);
  put("backlog_p90_ms", analyzed.p90_ms);
  put("backlog_max_ms", analyzed.max_ms);
  return events_empty == 2 * keys.size() && events_stale == events_empty &&
                 events_analyzed == events_empty
             ? 0
             : 1;
}

}  // namespace chorus::bench

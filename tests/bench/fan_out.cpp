#include "bench/fan_out.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

#include "bench/cpu_usage.hpp"
#include "bench/latency_stats.hpp"
#include "broadcasts/broadcast.hpp"
#include "broadcasts/runner.hpp"
#include "store/pg/pg_broadcast_store.hpp"

namespace chorus::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The broadcast: personalised (a merge field with a fallback) in the organization's default
// language and in Spanish, whose accents make it UCS-2, as they would be.
constexpr const char* kEnglish =
    "Hi {{first_name|friend}}, the housing rally is Saturday at noon at City Hall. Can you "
    "come? Reply YES or NO. Reply STOP to opt out.";
constexpr const char* kSpanish =
    "Hola {{first_name|amigo}}, la marcha por la vivienda es el sábado al mediodía en City "
    "Hall. ¿Vienes? Responde SÍ o NO. Responde STOP para salir.";
// The baseline's constant body: the English text as a member without a first name gets it.
constexpr const char* kConstantBody =
    "Hi friend, the housing rally is Saturday at noon at City Hall. Can you come? Reply YES or "
    "NO. Reply STOP to opt out.";

// The same 15 columns FanOut writes (store/pg/pg_broadcast_store.cpp, FanOutSql).
constexpr const char* kColumns =
    "organization_id, channel_id, member_id, recipient, body, kind, priority, segments, encoding,"
    " body_hash, status, next_attempt_at, broadcast_id, expires_at, error_code";

void Exec(pqxx::connection& c, const std::string& sql) { pqxx::nontransaction(c).exec(sql); }

// Every timed part starts from an empty outbound_messages (this database holds nothing else
// there), fresh statistics and a finished checkpoint: neither side pays the other's dead rows,
// grown indexes or dirty pages.
void Reset(pqxx::connection& c) {
  Exec(c, "TRUNCATE outbound_messages");
  Exec(c, "VACUUM ANALYZE outbound_messages");
  Exec(c, "CHECKPOINT");
}

std::string Seed(std::int64_t members, std::int64_t org) {
  const std::string n = std::to_string(members);
  const std::string o = std::to_string(org);
  return R"sql(
SELECT setseed(0.25);
-- Every +1 area code phone_time_zones knows (an area code split into longer prefixes counts
-- once; a number there may match none of them, and then gets the organization's zone).
CREATE TEMP TABLE area AS
SELECT (row_number() OVER (ORDER BY a) - 1)::int AS i, a
  FROM (SELECT DISTINCT substr(prefix, 2, 3) AS a FROM phone_time_zones
         WHERE prefix LIKE '1%' AND length(prefix) >= 4) s;
CREATE TEMP TABLE seed AS
SELECT g, random() AS r1, random() AS r2, random() AS r3
  FROM generate_series(0, )sql" + n + R"sql( - 1) g;
INSERT INTO chapters (organization_id, slug, name, country)
SELECT )sql" + o + R"sql(, 'fanout-' || i, 'Chapter ' || i, 'US' FROM generate_series(1, 12) i;
-- Member g: area code g mod the number of area codes, a subscriber number 2000000-9999999
-- (exchange 200-999), unique per area code; 15 % es, 5 % zh, 10 % en, the rest without a
-- language (the organization's default, en); 90 % with a first name (some outside GSM-7, as
-- names are), all with a zip; joined over three years.
INSERT INTO members (organization_id, phone_e164, language, joined_at, created_at, updated_at, fields)
SELECT )sql" + o + R"sql(,
       '+1' || a.a || (2000000 + (s.g / na.n) * 4999 % 8000000)::text,
       CASE WHEN s.r1 < 0.15 THEN 'es' WHEN s.r1 < 0.20 THEN 'zh' WHEN s.r1 < 0.30 THEN 'en' END,
       t.at, t.at, t.at,
       CASE WHEN s.r2 < 0.10 THEN jsonb_build_object('zip', lpad((10000 + s.g % 90000)::text, 5, '0'))
            ELSE jsonb_build_object('first_name',
                   CASE WHEN s.r1 < 0.15 THEN (ARRAY['José', 'María', 'Lucía', 'Andrés', 'Carmen', 'Luis'])[1 + floor(s.r3 * 6)::int]
                        WHEN s.r1 < 0.20 THEN (ARRAY['伟', '芳', 'Li', 'Wei'])[1 + floor(s.r3 * 4)::int]
                        ELSE (ARRAY['Maria', 'James', 'Aisha', 'Olivia', 'Jamal', 'Priya', 'Noah', 'Zoë'])[1 + floor(s.r3 * 8)::int] END,
                   'zip', lpad((10000 + s.g % 90000)::text, 5, '0')) END
  FROM seed s
  JOIN (SELECT count(*)::int AS n FROM area) na ON true
  JOIN area a ON a.i = s.g % na.n
  CROSS JOIN LATERAL (SELECT now() - interval '3 years' * (1 - s.g::float8 / )sql" + n + R"sql() AS at) t
 ORDER BY s.g;
-- 85 % in one chapter each (chapters without a time zone: the zone comes from the number).
INSERT INTO member_chapters (organization_id, member_id, chapter_id, joined_at)
SELECT m.organization_id, m.id, c.ids[1 + floor(random() * 12)::int], m.created_at
  FROM members m,
       (SELECT array_agg(id ORDER BY id) AS ids FROM chapters
         WHERE organization_id = )sql" + o + R"sql( AND slug LIKE 'fanout-%') c
 WHERE m.organization_id = )sql" + o + R"sql( AND random() < 0.85;
)sql";
}

struct Part {
  double seconds = 0;
  std::int64_t rows = 0;
  int batches = 0;
  bool finished = false;
  std::vector<std::int64_t> batch_ns;
  std::string cpu_line;
  std::string cpu_kv;
  double postgres_cpu = -1;  // core-seconds of the watched "postgres" tree; -1: not watched
  double others_cores = -1;  // what processes outside the watched trees used, in cores
};

// Cores used outside the watched trees between two samples, over `seconds`.
double OthersCores(const CpuSample& before, const CpuSample& after, double seconds) {
  double watched = 0;
  for (const auto& [name, value] : after.trees) {
    const auto it = before.trees.find(name);
    watched += value - (it == before.trees.end() ? 0 : it->second);
  }
  const double busy = after.machine_busy - before.machine_busy;
  return seconds > 0 ? std::max(0.0, busy - watched) / seconds : -1;
}

// CPU of the PostgreSQL tree between two samples: less sensitive than wall time to other
// processes on a shared machine (each side here is one backend, single-threaded).
double PostgresCpu(const CpuSample& before, const CpuSample& after) {
  const auto b = before.trees.find("postgres");
  const auto a = after.trees.find("postgres");
  if (b == before.trees.end() || a == after.trees.end()) return -1;
  return a->second - b->second;
}

struct Context {
  const FanOutOptions* o = nullptr;
  pqxx::connection* c = nullptr;
  std::int64_t org = 0;
  std::int64_t channel = 0;
  std::string default_language;
  std::string zone_literal;  // the organization's zone, quoted
  std::string database;      // quoted
  int batch = 0;
};

std::int64_t CreateBroadcast(const Context& x, const std::string& name) {
  broadcasts::Draft d;
  d.name = name;
  d.variants = {{"en", kEnglish}, {"es", kSpanish}};
  d.channels = {x.o->channel};
  d.ignore_quiet_hours = false;
  if (auto problem = broadcasts::CheckDraft(d, x.default_language)) {
    throw std::runtime_error("draft refused: " + problem->field + ": " + problem->message);
  }
  store::pg::PgBroadcastStore store(x.o->url);
  auto w = store.Create(broadcasts::Caller{x.org, "token:1", 1, {}, "", ""}, d);
  if (!w.ok()) throw std::runtime_error("Create failed: " + w.error().message);
  if (w->outcome != broadcasts::Outcome::kDone) {
    throw std::runtime_error("Create refused: " + w->problem.field + ": " + w->problem.message);
  }
  if (w->broadcast.status != broadcasts::Status::kSending) {
    throw std::runtime_error("the broadcast is not sending (approval threshold?)");
  }
  return w->broadcast.id;
}

// FanOut in a loop, as the runner calls it, until it reports finished or `limit` rows are
// written (0: no limit).
Part FanOutLoop(const Context& x, std::int64_t id, std::int64_t limit, const std::string& cpu_prefix) {
  store::pg::PgBroadcastQueue queue(x.o->url);
  const broadcasts::ActiveBroadcast b{x.org, id, false};
  Part p;
  const CpuSample before = SampleCpu(x.o->cpu_watch);
  const auto start = Clock::now();
  for (;;) {
    const auto t = Clock::now();
    auto step = queue.FanOut(b, x.batch);
    if (!step.ok()) throw std::runtime_error("FanOut failed: " + step.error().message);
    p.batch_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count());
    ++p.batches;
    p.rows += step->written;
    if (step->finished) {
      p.finished = true;
      break;
    }
    if (step->written == 0) throw std::runtime_error("FanOut wrote nothing and did not finish");
    if (limit > 0 && p.rows >= limit) break;
  }
  p.seconds = Since(start);
  const CpuSample after = SampleCpu(x.o->cpu_watch);
  p.cpu_line = FormatCpu(before, after, p.seconds);
  p.postgres_cpu = PostgresCpu(before, after);
  p.others_cores = OthersCores(before, after, p.seconds);
  if (!cpu_prefix.empty()) p.cpu_kv = CpuKeyValues(cpu_prefix, before, after);
  return p;
}

constexpr const char* kRawAll = R"sql(
INSERT INTO outbound_messages (%COLUMNS%)
SELECT m.organization_id, $2, m.id, m.phone_e164, $3, 'bulk', 10, 1, 'gsm7', hashtext($3), 'held',
       now(), $4, NULL, NULL
  FROM members m
 WHERE m.organization_id = $1 AND m.joined_at IS NOT NULL AND m.erased_at IS NULL
)sql";

constexpr const char* kRawBatch = R"sql(
WITH b AS (
  SELECT m.organization_id, m.id, m.phone_e164 FROM members m
   WHERE m.organization_id = $1 AND m.id > $5 AND m.joined_at IS NOT NULL AND m.erased_at IS NULL
   ORDER BY m.id
   LIMIT $6
), ins AS (
  INSERT INTO outbound_messages (%COLUMNS%)
  SELECT b.organization_id, $2, b.id, b.phone_e164, $3, 'bulk', 10, 1, 'gsm7', hashtext($3),
         'held', now(), $4, NULL, NULL
    FROM b
  RETURNING member_id
)
SELECT coalesce(max(member_id), 0), count(*) FROM ins
)sql";

std::string WithColumns(std::string sql) {
  const std::string key = "%COLUMNS%";
  sql.replace(sql.find(key), key.size(), kColumns);
  return sql;
}

// The raw baseline: one statement, one transaction.
Part RawInsert(const Context& x, std::int64_t broadcast_id, const std::string& cpu_prefix) {
  Part p;
  const std::string sql = WithColumns(kRawAll);
  const CpuSample before = SampleCpu(x.o->cpu_watch);
  const auto start = Clock::now();
  {
    pqxx::work tx(*x.c);
    p.rows = static_cast<std::int64_t>(
        tx.exec_params(sql, x.org, x.channel, std::string(kConstantBody), broadcast_id).affected_rows());
    tx.commit();
  }
  p.seconds = Since(start);
  p.batches = 1;
  p.finished = true;
  const CpuSample after = SampleCpu(x.o->cpu_watch);
  p.cpu_line = FormatCpu(before, after, p.seconds);
  p.postgres_cpu = PostgresCpu(before, after);
  p.cpu_kv = CpuKeyValues(cpu_prefix, before, after);
  return p;
}

// The raw insert in keyset batches of x.batch, one transaction each, `limit` rows.
Part RawBatches(const Context& x, std::int64_t broadcast_id, std::int64_t limit) {
  Part p;
  const std::string sql = WithColumns(kRawBatch);
  std::int64_t after = 0;
  const CpuSample cpu_before = SampleCpu(x.o->cpu_watch);
  const auto start = Clock::now();
  while (p.rows < limit) {
    const auto t = Clock::now();
    pqxx::work tx(*x.c);
    const pqxx::row r = tx.exec_params1(sql, x.org, x.channel, std::string(kConstantBody),
                                        broadcast_id, after, x.batch);
    tx.commit();
    p.batch_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count());
    ++p.batches;
    const std::int64_t n = r[1].as<std::int64_t>();
    if (n == 0) break;
    after = r[0].as<std::int64_t>();
    p.rows += n;
  }
  p.seconds = Since(start);
  const CpuSample cpu_after = SampleCpu(x.o->cpu_watch);
  p.postgres_cpu = PostgresCpu(cpu_before, cpu_after);
  p.others_cores = OthersCores(cpu_before, cpu_after, p.seconds);
  return p;
}

struct Check {
  std::int64_t rows = 0, members = 0, held = 0, held_by_quiet_hours = 0, ucs2 = 0,
               segments = 0, fallback = 0, spanish = 0;
};

Check CheckRows(const Context& x, std::int64_t broadcast_id) {
  pqxx::nontransaction tx(*x.c);
  const pqxx::row r = tx.exec_params1(
      "SELECT count(*), count(DISTINCT member_id), count(*) FILTER (WHERE status = 'held'),"
      " count(*) FILTER (WHERE next_attempt_at > created_at + interval '1 second'),"
      " count(*) FILTER (WHERE encoding = 'ucs2'), coalesce(sum(segments), 0),"
      " count(*) FILTER (WHERE body LIKE 'Hi friend,%' OR body LIKE 'Hola amigo,%'),"
      " count(*) FILTER (WHERE body LIKE 'Hola %')"
      " FROM outbound_messages WHERE organization_id = $1 AND broadcast_id = $2",
      x.org, broadcast_id);
  Check k;
  k.rows = r[0].as<std::int64_t>();
  k.members = r[1].as<std::int64_t>();
  k.held = r[2].as<std::int64_t>();
  k.held_by_quiet_hours = r[3].as<std::int64_t>();
  k.ucs2 = r[4].as<std::int64_t>();
  k.segments = r[5].as<std::int64_t>();
  k.fallback = r[6].as<std::int64_t>();
  k.spanish = r[7].as<std::int64_t>();
  return k;
}

std::string Fixed(double v, int digits = 2) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

double MeanMs(const std::vector<std::int64_t>& ns, std::size_t from, std::size_t to) {
  to = std::min(to, ns.size());
  if (from >= to) return 0;
  return std::accumulate(ns.begin() + static_cast<long>(from), ns.begin() + static_cast<long>(to), 0.0) /
         static_cast<double>(to - from) / 1e6;
}

// A piece of the compiled plan replaced, for the profile.
struct Variant {
  std::string key;    // for the key=value lines
  std::string label;  // for the report
  std::vector<std::pair<std::string, std::string>> plan;  // piece -> SQL
  bool quiet = true;
  bool jit = true;  // false: jit = off for the database (FanOut's new connection takes it)
};

void Override(const Context& x, std::int64_t id, const Variant& v) {
  pqxx::work tx(*x.c);
  for (const auto& [piece, sql] : v.plan) {
    tx.exec_params("UPDATE broadcasts SET plan = jsonb_set(plan, ARRAY[$3], to_jsonb($4::text))"
                   " WHERE organization_id = $1 AND id = $2",
                   x.org, id, piece, sql);
  }
  if (!v.quiet) {
    tx.exec_params("UPDATE broadcasts SET quiet_start = NULL, quiet_end = NULL"
                   " WHERE organization_id = $1 AND id = $2",
                   x.org, id);
  }
  tx.commit();
}

void Retire(const Context& x, std::int64_t id) {
  pqxx::work tx(*x.c);
  tx.exec_params("UPDATE broadcasts SET status = 'cancelled', cancelled_at = now(),"
                 " finished_at = now() WHERE organization_id = $1 AND id = $2",
                 x.org, id);
  tx.commit();
}

// The plan of one FanOut batch under auto_explain, from the server's log.
std::string ExplainOneBatch(const Context& x, const std::string& log_path) {
  const std::string& db = x.database;
  std::ifstream probe(log_path, std::ios::ate | std::ios::binary);
  if (!probe) return "(server log " + log_path + " not readable)\n";
  const std::streamoff offset = probe.tellg();
  probe.close();
  for (const char* setting :
       {"session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 0",
        "auto_explain.log_analyze = on", "auto_explain.log_buffers = on",
        "auto_explain.log_timing = on", "auto_explain.log_verbose = off"}) {
    Exec(*x.c, "ALTER DATABASE " + db + " SET " + setting);
  }
  std::string out;
  try {
    // Into the table as the last timed run left it (a million rows), analyzed: the plan a
    // batch gets once the table is large, not the first batch's plan for an empty table.
    Exec(*x.c, "ANALYZE outbound_messages");
    const std::int64_t id = CreateBroadcast(x, "bench fan-out explain");
    store::pg::PgBroadcastQueue queue(x.o->url);  // a new connection: the settings apply
    auto step = queue.FanOut(broadcasts::ActiveBroadcast{x.org, id, false}, x.batch);
    if (!step.ok()) out = "(FanOut failed: " + step.error().message + ")\n";
    Retire(x, id);
  } catch (const std::exception& e) {
    out = std::string("(explain failed: ") + e.what() + ")\n";
  }
  Exec(*x.c, "ALTER DATABASE " + db + " RESET ALL");
  if (!out.empty()) return out;
  std::ifstream log(log_path, std::ios::binary);
  log.seekg(offset);
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  // auto_explain's message: "LOG:  duration: N ms  plan:", then tab-indented lines: the query
  // text, then the plan. The one whose plan inserts into outbound_messages.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("duration:") == std::string::npos || lines[i].find("plan:") == std::string::npos)
      continue;
    std::size_t end = i + 1;
    while (end < lines.size() && !lines[end].empty() && lines[end][0] == '\t') ++end;
    bool insert = false;
    for (std::size_t k = i + 1; k < end; ++k) {
      if (lines[k].find("Insert on outbound_messages") != std::string::npos) insert = true;
    }
    if (!insert) continue;
    const auto at = lines[i].find("duration:");
    out = "  " + lines[i].substr(at) + "\n";
    bool plan = false;
    for (std::size_t k = i + 1; k < end; ++k) {
      if (!plan && lines[k].find("(cost=") != std::string::npos) plan = true;
      if (plan) out += "  " + lines[k].substr(1) + "\n";
    }
    return out;
  }
  return "(no auto_explain plan found in " + log_path + ")\n";
}

}  // namespace

int RunFanOut(const FanOutOptions& o, std::string* kv) {
  pqxx::connection c(o.url);
  Context x;
  x.o = &o;
  x.c = &c;
  x.batch = o.batch > 0 ? o.batch : broadcasts::RunnerOptions{}.fan_out_batch;
  std::string quiet_start, quiet_end, zone;
  {
    pqxx::nontransaction tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT o.id, ch.id, o.default_language, o.time_zone, quote_literal(o.time_zone),"
        " o.quiet_hours_start, o.quiet_hours_end FROM organizations o JOIN channels ch"
        " ON ch.organization_id = o.id WHERE o.slug = $1 AND ch.slug = $2",
        o.organization, o.channel);
    if (r.empty()) {
      std::fprintf(stderr, "fan-out: no organization %s with a channel %s\n", o.organization.c_str(),
                   o.channel.c_str());
      return 2;
    }
    x.org = r[0][0].as<std::int64_t>();
    x.channel = r[0][1].as<std::int64_t>();
    x.default_language = r[0][2].c_str();
    zone = r[0][3].c_str();
    x.zone_literal = r[0][4].c_str();
    quiet_start = r[0][5].c_str();
    quiet_end = r[0][6].c_str();
    x.database = tx.exec1("SELECT quote_ident(current_database())")[0].c_str();
    const pqxx::row used = tx.exec1(
        "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM outbound_messages)");
    if (used[0].as<std::int64_t>() != 0) {
      std::fprintf(stderr, "fan-out: the database already has members or messages; use a fresh one\n");
      return 2;
    }
  }
  const std::string& p = o.prefix;
  auto put = [&](const std::string& key, const std::string& value) {
    *kv += p + "." + key + "=" + value + "\n";
  };

  // ---------------------------------------------------------------- seed
  const auto seed_start = Clock::now();
  Exec(c, Seed(o.members, x.org));
  Exec(c, "VACUUM ANALYZE");
  Exec(c, "CHECKPOINT");
  const double seeded = Since(seed_start);
  std::int64_t areas = 0, zoned = 0, in_chapters = 0;
  {
    pqxx::nontransaction tx(c);
    const pqxx::row r = tx.exec_params1(
        "SELECT (SELECT count(DISTINCT substr(phone_e164, 3, 3)) FROM members WHERE organization_id = $1),"
        " (SELECT count(*) FROM members WHERE organization_id = $1 AND chorus_phone_zone(phone_e164) IS NOT NULL),"
        " (SELECT count(DISTINCT member_id) FROM member_chapters WHERE organization_id = $1)",
        x.org);
    areas = r[0].as<std::int64_t>();
    zoned = r[1].as<std::int64_t>();
    in_chapters = r[2].as<std::int64_t>();
  }
  std::printf("fan-out: seeded %lld joined members in %.1f s (%lld area codes; %lld numbers with a "
              "zone by prefix, the rest get the organization's %s; %lld in a chapter), VACUUM "
              "ANALYZE, CHECKPOINT\n",
              static_cast<long long>(o.members), seeded, static_cast<long long>(areas),
              static_cast<long long>(zoned), zone.c_str(), static_cast<long long>(in_chapters));
  std::printf("fan-out: quiet hours %s-%s (organization), batch %d members a FanOut call\n",
              quiet_start.c_str(), quiet_end.c_str(), x.batch);
  std::fflush(stdout);
  put("members", std::to_string(o.members));
  put("batch", std::to_string(x.batch));
  put("seed_seconds", Fixed(seeded, 1));
  put("zoned_by_prefix", std::to_string(zoned));
  put("quiet_hours", quiet_start + "-" + quiet_end);
  put("window_start", UtcNow());

  // ---------------------------------------------------------------- the timed runs
  bool ok = true;
  std::vector<double> fan_seconds, raw_seconds, fan_cpu, raw_cpu;
  for (int run = 1; run <= o.runs; ++run) {
    const std::string r = std::to_string(run);
    // The fan-out.
    const std::int64_t id = CreateBroadcast(x, "bench fan-out " + r);
    Reset(c);
    std::printf("\nfan-out run %d: broadcast %lld, FanOut x %d members until finished\n", run,
                static_cast<long long>(id), x.batch);
    std::fflush(stdout);
    const Part f = FanOutLoop(x, id, 0, p + "_fan" + r);
    const Check fc = CheckRows(x, id);
    const LatencySummary fb = Summarize(f.batch_ns);
    std::printf("  %lld rows in %.2f s: %.0f rows/s, %d FanOut calls\n", static_cast<long long>(f.rows),
                f.seconds, f.rows / f.seconds, f.batches);
    std::printf("  per call: %s\n", FormatSummary(fb).c_str());
    std::printf("  mean of the first 10 calls %.1f ms, of the last 10 full ones %.1f ms\n",
                MeanMs(f.batch_ns, 0, 10),
                MeanMs(f.batch_ns, f.batch_ns.size() >= 11 ? f.batch_ns.size() - 11 : 0, f.batch_ns.size() - 1));
    std::printf("  rows: %lld for %lld members, %lld held (%lld until their quiet hours end), %lld "
                "UCS-2, %lld segments, %lld with the fallback name, %lld in Spanish\n",
                static_cast<long long>(fc.rows), static_cast<long long>(fc.members),
                static_cast<long long>(fc.held), static_cast<long long>(fc.held_by_quiet_hours),
                static_cast<long long>(fc.ucs2), static_cast<long long>(fc.segments),
                static_cast<long long>(fc.fallback), static_cast<long long>(fc.spanish));
    std::printf("%s", f.cpu_line.c_str());
    std::fflush(stdout);
    if (!f.finished || fc.rows != o.members || fc.members != o.members) {
      std::printf("  FAILED: expected %lld rows, one per member, and the fan-out finished\n",
                  static_cast<long long>(o.members));
      ok = false;
    }
    fan_seconds.push_back(f.seconds);
    put("fan" + r + ".seconds", Fixed(f.seconds, 3));
    put("fan" + r + ".rows", std::to_string(f.rows));
    put("fan" + r + ".rows_per_second", Fixed(f.rows / f.seconds, 0));
    put("fan" + r + ".calls", std::to_string(f.batches));
    put("fan" + r + ".call_p50_ms", Fixed(fb.p50_ms));
    put("fan" + r + ".call_max_ms", Fixed(fb.max_ms));
    put("fan" + r + ".held_by_quiet_hours", std::to_string(fc.held_by_quiet_hours));
    put("fan" + r + ".ucs2", std::to_string(fc.ucs2));
    put("fan" + r + ".segments", std::to_string(fc.segments));
    put("fan" + r + ".postgres_cpu", Fixed(f.postgres_cpu));
    *kv += f.cpu_kv;

    // The baseline, under another broadcast id (never fanned out).
    const std::int64_t raw_id = CreateBroadcast(x, "bench raw insert " + r);
    Retire(x, raw_id);
    Reset(c);
    std::printf("\nraw INSERT ... SELECT run %d: one statement, the same columns, a constant body\n", run);
    std::fflush(stdout);
    const Part w = RawInsert(x, raw_id, p + "_raw" + r);
    const Check wc = CheckRows(x, raw_id);
    std::printf("  %lld rows in %.2f s: %.0f rows/s\n", static_cast<long long>(w.rows), w.seconds,
                w.rows / w.seconds);
    std::printf("%s", w.cpu_line.c_str());
    if (wc.rows != o.members) {
      std::printf("  FAILED: expected %lld rows\n", static_cast<long long>(o.members));
      ok = false;
    }
    raw_seconds.push_back(w.seconds);
    put("raw" + r + ".seconds", Fixed(w.seconds, 3));
    put("raw" + r + ".rows", std::to_string(w.rows));
    put("raw" + r + ".rows_per_second", Fixed(w.rows / w.seconds, 0));
    put("raw" + r + ".postgres_cpu", Fixed(w.postgres_cpu));
    fan_cpu.push_back(f.postgres_cpu);
    raw_cpu.push_back(w.postgres_cpu);
    *kv += w.cpu_kv;
    std::printf("  run %d: fan-out / raw = %.2f\n", run, f.seconds / w.seconds);
    put("ratio" + r, Fixed(f.seconds / w.seconds));
    std::fflush(stdout);
  }
  put("window_end", UtcNow());
  const double fan_mean = std::accumulate(fan_seconds.begin(), fan_seconds.end(), 0.0) / fan_seconds.size();
  const double raw_mean = std::accumulate(raw_seconds.begin(), raw_seconds.end(), 0.0) / raw_seconds.size();
  const double ratio = fan_mean / raw_mean;
  std::printf("\nfan-out: mean %.2f s (%.0f rows/s); raw insert: mean %.2f s (%.0f rows/s); ratio %.2f: "
              "target (within 2x) %s\n",
              fan_mean, o.members / fan_mean, raw_mean, o.members / raw_mean, ratio,
              ratio <= 2.0 ? "MET" : "NOT MET");
  put("fan_mean_seconds", Fixed(fan_mean, 3));
  put("raw_mean_seconds", Fixed(raw_mean, 3));
  put("ratio", Fixed(ratio));
  put("target_met", ratio <= 2.0 ? "yes" : "no");
  const double fan_cpu_sum = std::accumulate(fan_cpu.begin(), fan_cpu.end(), 0.0);
  const double raw_cpu_sum = std::accumulate(raw_cpu.begin(), raw_cpu.end(), 0.0);
  if (fan_cpu_sum > 0 && raw_cpu_sum > 0) {
    std::printf("PostgreSQL CPU: fan-out %.1f core-s, raw insert %.1f core-s (means); ratio %.2f\n",
                fan_cpu_sum / fan_cpu.size(), raw_cpu_sum / raw_cpu.size(), fan_cpu_sum / raw_cpu_sum);
    put("cpu_ratio", Fixed(fan_cpu_sum / raw_cpu_sum));
  }
  std::fflush(stdout);

  if (!o.server_log.empty()) {
    std::printf("\none FanOut call of %d members under auto_explain (ANALYZE, BUFFERS; timing adds "
                "its own overhead), into the table the last run filled:\n%s",
                x.batch, ExplainOneBatch(x, o.server_log).c_str());
  }

  // ---------------------------------------------------------------- where the time goes
  if (o.profile_members > 0) {
    const std::string pool = "('{" + std::to_string(x.channel) + "}'::bigint[])[1 + m.id % 1]";
    std::string constant_body;
    {
      pqxx::nontransaction tx(c);
      constant_body = tx.exec_params1("SELECT quote_literal($1)", std::string(kConstantBody))[0].c_str();
    }
    const std::string& z = x.zone_literal;
    const std::vector<Variant> variants = {
        {"as_created", "as created (the timed runs' statement)", {}, true},
        {"jit_off", "as created, jit = off (PostgreSQL compiles each batch's statement by default)",
         {}, true, false},
        {"zone_subquery_constant", "zone: (SELECT org zone), no lookups; release still a function call a row",
         {{"zone", "(SELECT " + z + "::text)"}}, true},
        {"zone_constant", "zone: the org's zone as a literal; release inlined",
         {{"zone", z}}, true},
        {"zone_prefix_only", "zone: chorus_phone_zone only (no field or chapter lookup)",
         {{"zone", "coalesce(chorus_phone_zone(m.phone_e164), " + z + ")"}}, true},
        {"quiet_off", "quiet hours off (zone still computed as the argument)", {}, false},
        {"quiet_off_zone_constant", "quiet hours off and zone a literal (no zone, no release)",
         {{"zone", z}}, false},
        {"no_sticky", "channel: pool[1 + id % n] only (no sticky-sender subquery)",
         {{"channel", pool}}, true},
        {"segments_constant", "segments 1, encoding gsm7 (no chorus_segments, chorus_is_gsm7)",
         {{"segments", "1"}, {"encoding", "'gsm7'"}}, true},
        {"body_constant", "body: (SELECT literal), no rendering; segments still counted a row",
         {{"body", "(SELECT " + constant_body + "::text)"}}, true},
        {"body_literal", "body a literal: no rendering, and the segment count folds to a constant",
         {{"body", constant_body}}, true},
        {"all_removed", "zone, release, sticky, segments, rendering all removed",
         {{"zone", z}, {"channel", pool}, {"segments", "1"}, {"encoding", "'gsm7'"}, {"body", constant_body}},
         false},
        {"all_removed_jit_off", "the same and jit = off: FanOut's batching, cursor, ON CONFLICT",
         {{"zone", z}, {"channel", pool}, {"segments", "1"}, {"encoding", "'gsm7'"}, {"body", constant_body}},
         false, false},
    };
    std::printf("\nwhere the time goes: the first %lld members, through FanOut x %d, each variant "
                "from an empty table\n",
                static_cast<long long>(o.profile_members), x.batch);
    double full_us = 0, full_cpu_us = 0;
    std::printf("  %-78s %8s %11s %13s %14s %s\n", "", "wall", "wall us/row", "vs as created",
                "postgres CPU us/row, vs as created", "  others (cores)");
    auto report = [&](const std::string& key, const std::string& label, const Part& part) {
      const double rows = static_cast<double>(std::max<std::int64_t>(part.rows, 1));
      const double us = part.seconds * 1e6 / rows;
      const double cpu_us = part.postgres_cpu >= 0 ? part.postgres_cpu * 1e6 / rows : -1;
      if (key == "as_created") {
        full_us = us;
        full_cpu_us = cpu_us;
      }
      std::printf("  %-78s %7.2f s %11.1f %+13.1f %10.1f %+8.1f %10.2f%s\n", label.c_str(),
                  part.seconds, us, us - full_us, cpu_us, cpu_us - full_cpu_us, part.others_cores,
                  part.others_cores > 0.25 ? " DISTURBED" : "");
      std::fflush(stdout);
      put("profile." + key + ".seconds", Fixed(part.seconds, 3));
      put("profile." + key + ".rows", std::to_string(part.rows));
      put("profile." + key + ".us_per_row", Fixed(us, 1));
      put("profile." + key + ".postgres_cpu_us_per_row", Fixed(cpu_us, 1));
      put("profile." + key + ".others_cores", Fixed(part.others_cores));
    };
    // Each variant once a round, `profile_rounds` rounds, and the least of each: a process that
    // took the machine for a while costs one round of a variant, not its result.
    auto run_variant = [&](const Variant& v) {
      const std::int64_t id = CreateBroadcast(x, "bench fan-out profile " + v.key);
      Override(x, id, v);
      Reset(c);
      if (!v.jit) Exec(c, "ALTER DATABASE " + x.database + " SET jit = off");
      const Part part = FanOutLoop(x, id, o.profile_members, "");
      if (!v.jit) Exec(c, "ALTER DATABASE " + x.database + " RESET jit");
      Retire(x, id);
      return part;
    };
    auto run_raw_batches = [&] {
      const std::int64_t id = CreateBroadcast(x, "bench raw batches");
      Retire(x, id);
      Reset(c);
      return RawBatches(x, id, o.profile_members);
    };
    auto run_raw_single = [&] {
      const std::int64_t id = CreateBroadcast(x, "bench raw profile");
      Retire(x, id);
      Reset(c);
      // The single statement over the same first members, for scale.
      Part part;
      const CpuSample cpu_before = SampleCpu(o.cpu_watch);
      const auto start = Clock::now();
      {
        pqxx::work tx(c);
        part.rows = static_cast<std::int64_t>(
            tx.exec_params(WithColumns(kRawAll) + " AND m.id <= (SELECT id FROM members WHERE"
                                                  " organization_id = $1 ORDER BY id OFFSET $5 - 1 LIMIT 1)",
                           x.org, x.channel, std::string(kConstantBody), id, o.profile_members)
                .affected_rows());
        tx.commit();
      }
      part.seconds = Since(start);
      const CpuSample cpu_after = SampleCpu(o.cpu_watch);
      part.postgres_cpu = PostgresCpu(cpu_before, cpu_after);
      part.others_cores = OthersCores(cpu_before, cpu_after, part.seconds);
      return part;
    };
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& v : variants) labels.emplace_back(v.key, v.label);
    labels.emplace_back("raw_batches", "raw INSERT ... SELECT in keyset batches (constant body, no ON CONFLICT)");
    labels.emplace_back("raw_single", "raw INSERT ... SELECT, one statement (as the baseline)");
    std::map<std::string, Part> best;  // least wall; postgres_cpu: the least of any round
    const int rounds = std::max(1, o.profile_rounds);
    for (int round = 1; round <= rounds; ++round) {
      std::printf("  round %d of %d\n", round, rounds);
      std::fflush(stdout);
      for (const auto& [key, label] : labels) {
        Part part;
        if (key == "raw_batches") part = run_raw_batches();
        else if (key == "raw_single") part = run_raw_single();
        else part = run_variant(*std::find_if(variants.begin(), variants.end(),
                                              [&](const Variant& v) { return v.key == key; }));
        auto found = best.find(key);
        if (found == best.end()) {
          best[key] = part;
          continue;
        }
        const double least_cpu = std::min(found->second.postgres_cpu, part.postgres_cpu);
        if (part.seconds < found->second.seconds) found->second = part;
        found->second.postgres_cpu = least_cpu;
      }
    }
    std::printf("  the least of %d round(s) each; \"others\": in the round of the least wall time\n", rounds);
    for (const auto& [key, label] : labels) report(key, label, best[key]);
  }
  Exec(c, "TRUNCATE outbound_messages");
  return ok ? 0 : 1;
}

}  // namespace chorus::bench

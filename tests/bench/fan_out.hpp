#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace chorus::bench {

/// Issue 8's fan-out benchmark (BENCHMARKS.md, phase 10): the time to enqueue a personalised
/// broadcast to every member of a large organization through PgBroadcastQueue::FanOut itself,
/// next to a raw INSERT ... SELECT of the same rows in the same run.
///
/// In a fresh database (migrated, tests/bench/workspace.json applied, nothing else in it):
/// seeds `members` joined members of the organization by SQL (US and Canadian numbers spread
/// over every +1 area code of phone_time_zones, so chorus_phone_zone finds a zone; 30 % with a
/// language (es, zh, en), 90 % with a first_name, 85 % in one of 12 chapters without a time
/// zone of their own), then VACUUM ANALYZE and CHECKPOINT. Then, `runs` times, alternating:
///   - the fan-out: a broadcast made by PgBroadcastStore::Create ("Hi {{first_name|friend}},
///     ..." in en and es, the channel pool {channel}, quiet hours on, so every row computes its
///     zone and release time), fanned out by calling FanOut in a loop with `batch` members a
///     call (default: broadcasts::RunnerOptions' fan_out_batch) until it reports finished;
///   - the baseline: one INSERT INTO outbound_messages (the same 15 columns) SELECT ... FROM
///     members of the same rows, a constant body, in one transaction;
/// each into an emptied table (TRUNCATE outbound_messages, VACUUM ANALYZE, CHECKPOINT before
/// each), so neither pays the other's dead rows, index growth or dirty pages.
/// Then, with `server_log`, one batch under auto_explain (ANALYZE, BUFFERS) into the table as
/// the last run left it, its plan copied from the server's log; and unless `profile_members`
/// is 0, where the time goes: the fan-out of that many members again through FanOut, each
/// time from an emptied table, once as created, once with jit off, and once with each costly
/// piece of the broadcast's compiled plan (broadcasts.plan, which FanOut reads every batch)
/// replaced by a constant; and a raw INSERT ... SELECT of as many rows in keyset batches of
/// `batch` and in one statement; all of them in `profile_rounds` interleaved rounds, the least
/// of each reported.
struct FanOutOptions {
  std::string url;
  std::string organization = "bench";
  std::string channel = "bench";
  std::int64_t members = 1'000'000;
  int batch = 0;  // 0: broadcasts::RunnerOptions{}.fan_out_batch
  int runs = 2;
  std::int64_t profile_members = 25'000;
  int profile_rounds = 3;  // each variant this many times, interleaved; the least is reported
  std::string server_log;  // PostgreSQL's log file: for the auto_explain plan of one batch
  std::map<std::string, pid_t> cpu_watch;
  std::string prefix = "fanout";
};

/// Prints the report and appends `prefix.*` key=value lines. 0 when every run wrote every
/// member exactly once, 1 otherwise, 2 when the database was not fresh.
int RunFanOut(const FanOutOptions& options, std::string* key_values);

}  // namespace chorus::bench

#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chorus::bench {

struct PgInsertOptions {
  std::string url;                     // a database migrated by `chorus migrate`
  std::string channel_slug = "bench";  // rows go to this channel's organization
  std::vector<std::int64_t> batch_sizes = {64, 256, 512};
  std::vector<std::int64_t> connections = {1, 2};
  double seconds = 5;  // per combination
  std::string body = "Hello from the benchmark";
  std::uint64_t run_id = 0;
  /// Process trees whose CPU is ours (the cluster, this process); the rest of the machine's
  /// busy time is reported per combination as disturbance.
  std::map<std::string, pid_t> cpu_watch;
};

/// The database baseline: how many inbound_messages rows per second this PostgreSQL makes
/// durable with the statement the server's group commit uses (multi-row INSERT over unnest'ed
/// array parameters, ON CONFLICT DO NOTHING RETURNING), one commit per batch, for every batch
/// size and connection count. Appends `pg.*` key=value lines to `key_values`. Returns the exit
/// code.
int RunPgInsert(const PgInsertOptions& options, std::string* key_values);

}  // namespace chorus::bench

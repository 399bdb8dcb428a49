#pragma once

#include <cstdint>
#include <string>

namespace chorus::bench {

struct LoadCostOptions {
  std::string url;             // a database migrated and applied, that no server processes
  std::string organization = "bench";
  std::string channel = "bench";
  std::size_t batch = 256;     // members per batch, the processor's largest batch
  /// Members of the backlog, one waiting message and timer each (and as many members with a
  /// processed message and timer each, the history the statistics are taken from).
  std::size_t backlog = 100'000;
  int repeat = 40;             // timed batches per condition (after 5 untimed)
};

/// What one processing transaction's loading costs with an empty backlog and behind a large
/// one, timed through PgProcessingStore::ProcessBatch itself: the batch's members each have a
/// waiting message and a due timer, and a decide that writes nothing, so the transaction is
/// the advisory locks, the load of the members' events (store/pg/processing_statements.hpp),
/// of the members, fields and sessions, and an empty commit, and the same batch can be timed
/// again and again. Three conditions: empty backlog with the statistics of a system that keeps
/// up (ANALYZE saw processed history and nothing waiting); the backlog added without a new
/// ANALYZE (an outage's backlog, before autovacuum analyzes); the same after ANALYZE.
/// Appends `loader.*` key=value lines. Returns the exit code.
int RunLoadCost(const LoadCostOptions& options, std::string* key_values);

}  // namespace chorus::bench

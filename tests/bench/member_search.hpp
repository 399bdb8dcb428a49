#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace chorus::bench {

/// GET /v1/members searches in an open loop, timed per kind of query (BENCHMARKS.md, phase 9).
///
/// The queries file has one search a line, `KIND PAGES QUERY [comment]`: a name for its row in
/// the report, the pages of it to time ("1", or "2-5": the second to the fifth page, reached by
/// following next_cursor), and the query string without cursor, e.g.
/// `empty 1 chapter=ny-nyc&tag=farmworker&limit=100`. Before anything is timed every line is
/// fetched once, page after page, which checks the token and the queries, records how many
/// members each page has, and finds the cursors (keyset positions: a cursor found now costs
/// what one followed live would). The timed run then cycles through the pages in a fixed
/// shuffled order, each request due at start + i / rate, its latency counted from then.
struct MemberSearchOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string token;  // an API token (`chorus token create`)
  std::string queries_path;
  double rate = 10;  // searches per second
  double seconds = 60;
  int connections = 16;
  double start_at = 0;  // Unix seconds: start the timed run then (0: at once)
  /// Seconds to stay up after the run: a process timing its own load alongside this one reads
  /// this one's CPU when its run ends, and an exited process has none to read.
  double linger = 0;
  std::map<std::string, pid_t> cpu_watch;
  std::string prefix = "search";
};

/// Prints the report and appends `prefix.*` lines (overall and `prefix.KIND.*`) to
/// `key_values`. 0 when every search was answered 200; 1 when some were not; 2 when the
/// queries could not be prepared.
int RunMemberSearch(const MemberSearchOptions& options, std::string* key_values);

}  // namespace chorus::bench

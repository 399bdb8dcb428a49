#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/latency_stats.hpp"
#include "bench/webhook_requests.hpp"

namespace chorus::bench {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int connections = 64;
  /// I/O threads of the generator (closed loop only; the open loop runs on one). Every
  /// thread takes cores from the server, so the default is one.
  int threads = 1;
  /// > 0: open loop, request i is due at start + i / rate and its latency counts from then,
  /// whether or not a connection was free (no coordinated omission). 0: closed loop, each
  /// connection sends its next request as soon as the previous one is answered.
  double rate = 0;
  /// Open loop: free connections take turns (the longest idle sends next) instead of the most
  /// recently freed sending next.
  bool rotate = false;
  /// Closed loop: stop sending after this long (0: when the range is used up).
  double max_seconds = 0;
  /// Once sending stops, how long to wait for the answers still outstanding.
  std::chrono::milliseconds drain_timeout{30'000};
};

struct LoadResult {
  std::size_t issued = 0;               // requests written
  std::size_t ok = 0;                   // 2xx answers
  std::size_t non_2xx = 0;              // other answers
  std::size_t failed = 0;               // no answer: connection reset, closed, or drain timeout
  std::size_t reconnects = 0;           // connections opened again after a close or an error
  std::map<int, std::size_t> statuses;  // every answer by status code
  double seconds = 0;                   // first send to last answer
  double ok_per_second = 0;
  LatencySummary latency;  // of the 2xx answers
  // Per request of the range, indexed from its beginning:
  std::vector<std::uint16_t> status;        // 0: no answer
  std::vector<Clock::time_point> started;   // due time (open loop) or send time (closed)
  std::vector<Clock::time_point> answered;  // valid when status != 0
};

/// Sends requests [begin, end) of `set` over keep-alive connections and measures each answer.
/// Raw Asio with a minimal response parser (status line, Content-Length, Connection): the
/// generator shares the machine with the server, so it does as little per request as it can.
LoadResult RunLoad(const RequestSet& set, std::size_t begin, std::size_t end,
                   const LoadOptions& options);

/// Sleeps until the wall clock reads `unix_seconds`, so that two processes start their timed
/// loads together (connections are opened afterwards: an idle new connection is closed by the
/// server after 10 s). False, without sleeping, when that time has passed.
bool SleepUntilUnix(double unix_seconds);

/// The report lines for a result, and the same as `prefix.key=value` lines for scripts.
std::string FormatLoad(const LoadResult& result);
std::string LoadKeyValues(const std::string& prefix, const LoadResult& result);

}  // namespace chorus::bench

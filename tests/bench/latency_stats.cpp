#include "bench/latency_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace chorus::bench {
namespace {

// Nearest-rank percentile: the smallest sample with at least p of the samples at or below it.
double Rank(const std::vector<std::int64_t>& sorted, double p) {
  const auto n = sorted.size();
  auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
  index = std::clamp<std::size_t>(index, 1, n) - 1;
  return static_cast<double>(sorted[index]) / 1e6;
}

}  // namespace

LatencySummary Summarize(std::vector<std::int64_t> samples_ns) {
  LatencySummary s;
  s.count = samples_ns.size();
  if (samples_ns.empty()) return s;
  std::sort(samples_ns.begin(), samples_ns.end());
  s.p50_ms = Rank(samples_ns, 0.50);
  s.p90_ms = Rank(samples_ns, 0.90);
  s.p99_ms = Rank(samples_ns, 0.99);
  s.p999_ms = Rank(samples_ns, 0.999);
  s.max_ms = static_cast<double>(samples_ns.back()) / 1e6;
  const long double total = std::accumulate(samples_ns.begin(), samples_ns.end(), 0.0L);
  s.mean_ms = static_cast<double>(total / static_cast<long double>(s.count) / 1e6L);
  return s;
}

std::string FormatSummary(const LatencySummary& s) {
  char line[200];
  std::snprintf(line, sizeof line,
                "p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms  (n=%zu)",
                s.p50_ms, s.p90_ms, s.p99_ms, s.p999_ms, s.max_ms, s.count);
  return line;
}

}  // namespace chorus::bench

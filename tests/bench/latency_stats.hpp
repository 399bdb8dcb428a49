#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chorus::bench {

/// Percentiles of exact samples (nanoseconds), computed by sorting a copy: no histogram
/// rounding, and cheap enough for a few hundred thousand samples after the timed phase.
struct LatencySummary {
  std::size_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};

LatencySummary Summarize(std::vector<std::int64_t> samples_ns);

/// "p50 1.23 ms  p90 ...": one line for reports.
std::string FormatSummary(const LatencySummary& s);

}  // namespace chorus::bench

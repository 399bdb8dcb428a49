#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// Monotonic counter. Lock-free; any thread.
class Counter {
 public:
  void Inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down. Lock-free; any thread.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Cumulative histogram with fixed upper bounds. Lock-free; any thread.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  std::uint64_t bucket(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // one per bound (not cumulative)
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

/// Latency buckets in seconds, 0.5 ms .. 10 s.
std::vector<double> LatencyBuckets();
/// Size buckets 1 .. 4096.
std::vector<double> SizeBuckets();

/// Named metric families with labels, rendered in Prometheus text format 0.0.4. Lookups take
/// a shared lock; callers on hot paths keep the returned reference (metrics live as long as
/// the registry). Thread-safe.
class Registry {
 public:
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                          std::vector<double> bounds);
  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(std::string_view name, std::string_view help, Kind kind);

  mutable std::shared_mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

/// `{a="x",b="y"}` with Prometheus escaping; empty for no labels.
std::string RenderLabels(const Labels& labels);

}  // namespace chorus::observability

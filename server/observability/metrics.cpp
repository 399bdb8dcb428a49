#include "observability/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <fmt/format.h>
#include <mutex>

namespace chorus::observability {
namespace {

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

std::string FormatDouble(double v) { return fmt::format("{}", v); }

// Inserts `le` into an already rendered label set.
std::string WithLe(const std::string& labels, const std::string& le) {
  std::string le_pair = "le=\"" + le + "\"";
  if (labels.empty()) return "{" + le_pair + "}";
  return labels.substr(0, labels.size() - 1) + "," + le_pair + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size())) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::Observe(double v) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  if (it != bounds_.end()) counts_[it - bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double old = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> SizeBuckets() { return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096}; }

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    AppendEscaped(out, labels[i].second);
    out += '"';
  }
  out += '}';
  return out;
}

Registry::Family& Registry::FamilyFor(std::string_view name, std::string_view help, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
  }
  assert(it->second.kind == kind);
  return it->second;
}

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::string key = RenderLabels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto c = f->second.counters.find(key);
      if (c != f->second.counters.end()) return *c->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = FamilyFor(name, help, Kind::kCounter).counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::string key = RenderLabels(labels);
  std::unique_lock lock(mutex_);
  auto& slot = FamilyFor(name, help, Kind::kGauge).gauges[key];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const Labels& labels, std::vector<double> bounds) {
  std::string key = RenderLabels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto h = f->second.histograms.find(key);
      if (h != f->second.histograms.end()) return *h->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = FamilyFor(name, help, Kind::kHistogram).histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

std::string Registry::Render() const {
  std::shared_lock lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter"
                       : family.kind == Kind::kGauge ? "gauge"
                                                     : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, type);
    for (const auto& [labels, c] : family.counters) {
      out += fmt::format("{}{} {}\n", name, labels, c->value());
    }
    for (const auto& [labels, g] : family.gauges) {
      out += fmt::format("{}{} {}\n", name, labels, FormatDouble(g->value()));
    }
    for (const auto& [labels, h] : family.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h->bounds().size(); ++i) {
        cumulative += h->bucket(i);
        out += fmt::format("{}_bucket{} {}\n", name, WithLe(labels, FormatDouble(h->bounds()[i])),
                           cumulative);
      }
      out += fmt::format("{}_bucket{} {}\n", name, WithLe(labels, "+Inf"), h->count());
      out += fmt::format("{}_sum{} {}\n", name, labels, FormatDouble(h->sum()));
      out += fmt::format("{}_count{} {}\n", name, labels, h->count());
    }
  }
  return out;
}

}  // namespace chorus::observability

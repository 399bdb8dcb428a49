#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/server.hpp"
#include "observability/metrics.hpp"

namespace chorus::http {

/// ServerObserver over the Prometheus registry. Every series a request touches is created up
/// front (per route) or once (per route and status, on first use), so answering a request
/// takes no registry lock and builds no label strings. Series:
///   chorus_http_requests_total{server,route,status}
///   chorus_http_request_duration_seconds{server,route}
///   chorus_http_connections{server}
///   chorus_http_connections_refused_total{server,reason}
///   chorus_http_exceptions_total{server}
/// Thread-safe.
class ServerMetrics final : public ServerObserver {
 public:
  ServerMetrics(observability::Registry& registry, std::string server,
                const std::vector<std::string>& routes);

  void OnRequest(std::string_view route, unsigned status,
                 std::chrono::duration<double> elapsed) override;
  void OnRefused(Refusal refusal) override;
  void OnConnections(std::size_t open) override;
  void OnException() override;

 private:
  static constexpr unsigned kMinStatus = 100;
  static constexpr unsigned kMaxStatus = 599;
  struct RouteSeries {
    std::string route;
    observability::Histogram* duration = nullptr;
    std::array<std::atomic<observability::Counter*>, kMaxStatus - kMinStatus + 1> by_status{};
  };
  RouteSeries& SeriesFor(std::string_view route);
  observability::Counter& StatusCounter(RouteSeries& series, unsigned status);

  observability::Registry& registry_;
  const std::string server_;
  std::map<std::string, std::unique_ptr<RouteSeries>, std::less<>> routes_;  // fixed after ctor
  RouteSeries* unmatched_ = nullptr;
  observability::Gauge& connections_;
  std::array<observability::Counter*, 3> refused_{};
  observability::Counter& exceptions_;
};

}  // namespace chorus::http

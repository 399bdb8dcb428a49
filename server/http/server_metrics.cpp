#include "http/server_metrics.hpp"

namespace chorus::http {
namespace {

constexpr const char* kRequests = "chorus_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests answered";
constexpr Refusal kRefusals[] = {Refusal::kPeerLimit, Refusal::kTableFull,
                                 Refusal::kNoDescriptors};

}  // namespace

ServerMetrics::ServerMetrics(observability::Registry& registry, std::string server,
                             const std::vector<std::string>& routes)
    : registry_(registry),
      server_(std::move(server)),
      connections_(registry.GetGauge("chorus_http_connections", "Open HTTP connections",
                                     {{"server", server_}})),
      exceptions_(registry.GetCounter("chorus_http_exceptions_total",
                                      "Exceptions that escaped a handler or a connection",
                                      {{"server", server_}})) {
  std::vector<std::string> all = routes;
  all.emplace_back("unmatched");
  for (const auto& route : all) {
    auto series = std::make_unique<RouteSeries>();
    series->route = route;
    series->duration = &registry.GetHistogram(
        "chorus_http_request_duration_seconds", "Time to answer a request",
        {{"server", server_}, {"route", route}}, observability::LatencyBuckets());
    routes_.emplace(route, std::move(series));
  }
  unmatched_ = routes_.at("unmatched").get();
  for (Refusal refusal : kRefusals) {
    refused_[static_cast<std::size_t>(refusal)] = &registry.GetCounter(
        "chorus_http_connections_refused_total",
        "Connections not served: per-peer cap, full table (accepting paused), out of descriptors",
        {{"server", server_}, {"reason", std::string(RefusalName(refusal))}});
  }
}

ServerMetrics::RouteSeries& ServerMetrics::SeriesFor(std::string_view route) {
  auto it = routes_.find(route);
  return it == routes_.end() ? *unmatched_ : *it->second;
}

observability::Counter& ServerMetrics::StatusCounter(RouteSeries& series, unsigned status) {
  if (status < kMinStatus || status > kMaxStatus) status = 500;
  auto& slot = series.by_status[status - kMinStatus];
  observability::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter != nullptr) return *counter;
  // First request with this status on this route: the registry returns the same counter to
  // racing threads, so either store is right.
  counter = &registry_.GetCounter(
      kRequests, kRequestsHelp,
      {{"server", server_}, {"route", series.route}, {"status", std::to_string(status)}});
  slot.store(counter, std::memory_order_release);
  return *counter;
}

void ServerMetrics::OnRequest(std::string_view route, unsigned status,
                              std::chrono::duration<double> elapsed) {
  RouteSeries& series = SeriesFor(route);
  StatusCounter(series, status).Inc();
  series.duration->Observe(elapsed.count());
}

void ServerMetrics::OnRefused(Refusal refusal) {
  refused_[static_cast<std::size_t>(refusal)]->Inc();
}

void ServerMetrics::OnConnections(std::size_t open) {
  connections_.Set(static_cast<double>(open));
}

void ServerMetrics::OnException() { exceptions_.Inc(); }

}  // namespace chorus::http

#pragma once

#include <functional>
#include <string>

#include "http/router.hpp"
#include "observability/metrics.hpp"

namespace chorus::http {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, for operators ("database unreachable", "migrations behind")
};

struct ServiceRouteDeps {
  std::function<Readiness()> readiness;  // cheap: reads state a background check maintains
  observability::Registry* metrics = nullptr;
};

/// GET /healthz (the process answers), /readyz (200 when the database is reachable and its
/// migrations are current, else 503 with the reason) and /metrics (Prometheus text 0.0.4).
void AddServiceRoutes(Router& router, ServiceRouteDeps deps);

}  // namespace chorus::http

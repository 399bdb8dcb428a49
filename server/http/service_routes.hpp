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

struct AdminRouteDeps {
  std::function<Readiness()> readiness;  // cheap: reads state a background check maintains
  observability::Registry* metrics = nullptr;
};

/// GET /healthz: 200 while the process answers. Served on the public listener (load
/// balancers probe it there) and on the admin listener.
void AddHealthRoute(Router& router);

/// The operator endpoints, for the admin listener only (CHORUS_ADMIN_LISTEN): GET /healthz,
/// /readyz (200 when the database is reachable and its migrations are current, else 503 with
/// the reason) and /metrics (Prometheus text 0.0.4). Every future admin route goes here.
void AddAdminRoutes(Router& router, AdminRouteDeps deps);

}  // namespace chorus::http

#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "carriers/registry.hpp"
#include "http/router.hpp"
#include "ingest/inbox.hpp"
#include "observability/metrics.hpp"
#include "workspace/workspace.hpp"

namespace chorus::http {

struct WebhookRouteDeps {
  std::function<workspace::SnapshotPtr()> snapshot;
  ingest::Inbox* inbox = nullptr;
  const carriers::Registry* carriers = nullptr;
  /// Scheme, host and port carriers use to reach us (CHORUS_PUBLIC_BASE_URL): signatures cover
  /// the URL as the carrier requested it, which differs from what we see behind a proxy.
  std::string public_base_url;
  observability::Registry* metrics = nullptr;  // optional: rejection counters
  std::function<std::chrono::system_clock::time_point()> now;  // default: the system clock
};

/// POST (and GET, for carriers that use it) /webhooks/{carrier}/{channel}/{kind}: one route for
/// every carrier. In order: an unknown carrier or kind is 404 and a method the carrier does not
/// use 405 (both public knowledge); a Content-Type whose media type is not the carrier's is 415;
/// then the carrier authenticates and parses the request (Carrier::ReadWebhook) against the
/// channel, or against a decoy channel when the slug names no channel of this carrier, so an
/// unknown channel gets exactly the answer of a bad signature: 403
/// {"code":"signature_invalid"} after the same work. An authentic but unreadable webhook is 400.
/// What it carried is made durable (one transaction per webhook) and only then answered as the
/// carrier expects; 503 with Retry-After when it could not be stored, so the carrier retries.
/// A repeat of a stored message is answered the same and stored once. Rejections are counted
/// in chorus_webhook_rejections_total{carrier,reason} and logged at most every 10 s per reason.
/// Requests are observed (metrics) under the carrier's own pattern,
/// "/webhooks/twilio/{channel}/inbound", rather than the generic one.
void AddWebhookRoutes(Router& router, WebhookRouteDeps deps);

/// Those patterns, one per registered carrier and webhook kind, for ServerMetrics.
std::vector<std::string> WebhookRoutePatterns(const carriers::Registry& carriers);

}  // namespace chorus::http

#pragma once

#include <string>

namespace chorus::bench {

/// GETs `url` (a /metrics endpoint) with the project's http::Client. Empty on failure.
std::string FetchText(const std::string& url);

/// What the server's own metrics say happened between two scrapes (`before` may be empty for
/// "since start"): webhooks per ingest transaction (the group commit), members per processing
/// transaction, the server-side time to answer an inbound webhook, and answers by status.
/// Readable text; `key_values` gets `prefix.*` lines.
std::string MetricsDelta(const std::string& before, const std::string& after,
                         const std::string& prefix, std::string* key_values);

}  // namespace chorus::bench

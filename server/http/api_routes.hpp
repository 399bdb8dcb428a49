#pragma once

#include <functional>

#include "api/api_store.hpp"
#include "http/router.hpp"

namespace chorus::http {

struct ApiRouteDeps {
  /// Runs a job on a database thread with that thread's store (app/store_pool.hpp); never on
  /// the I/O threads, so a slow query cannot stall webhooks.
  std::function<void(std::function<void(api::ApiStore&)>)> post;
  /// A member event was queued for this member (a reply from the inbox): processing may take
  /// it at once rather than at its next poll. Optional; called on a database thread.
  std::function<void(OrganizationId, MemberId)> member_event;
};

/// The organizer API under /v1 (docs/API.md): bearer tokens, the role table of api/access.hpp,
/// chapter scoping by the store, errors as {code, message, field, request_id}. 401 for a
/// missing, malformed or unknown token and 403 for a resource outside the token's reach, and
/// neither says whether the resource exists. GET /v1/openapi.json describes every route.
void AddApiRoutes(Router& router, ApiRouteDeps deps);

/// The OpenAPI 3 document served at /v1/openapi.json.
std::string_view OpenApiDocument();

}  // namespace chorus::http

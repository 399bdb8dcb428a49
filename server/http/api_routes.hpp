#pragma once

#include <functional>

#include "api/api_store.hpp"
#include "broadcasts/broadcast_store.hpp"
#include "workspace/channel_rules.hpp"
#include "workspace/workspace_editor.hpp"
#include "http/router.hpp"

namespace chorus::http {

/// One database thread's stores, each on that thread's own connection.
struct ApiBackends {
  api::ApiStore& api;
  workspace::WorkspaceEditor& workspace;
  broadcasts::BroadcastStore& broadcasts;
};

struct ApiRouteDeps {
  /// Runs a job on a database thread with that thread's stores (app/store_pool.hpp); never on
  /// the I/O threads, so a slow query cannot stall webhooks.
  std::function<void(std::function<void(ApiBackends)>)> post;
  /// A member event was queued for this member (a reply from the inbox): processing may take
  /// it at once rather than at its next poll. Optional; called on a database thread.
  std::function<void(OrganizationId, MemberId)> member_event;
  /// A write to the organization's workspace committed: this node reloads it before the answer
  /// leaves (other nodes follow the announcement). Optional; called on a database thread.
  std::function<void(OrganizationId)> workspace_changed;
  /// What carriers exist and how each checks a channel (channels written through the API).
  std::shared_ptr<const workspace::ChannelRules> channel_rules;
  /// A broadcast was created, approved or resumed: the runner may look at once. Optional.
  std::function<void()> broadcasts_changed;
};

/// The organizer API under /v1 (docs/API.md): bearer tokens, the role table of api/access.hpp,
/// chapter scoping by the store, errors as {code, message, field, request_id}. 401 for a
/// missing, malformed or unknown token and 403 for a resource outside the token's reach, and
/// neither says whether the resource exists. GET /v1/openapi.json describes every route.
void AddApiRoutes(Router& router, ApiRouteDeps deps);

/// The OpenAPI 3 document served at /v1/openapi.json.
std::string_view OpenApiDocument();

}  // namespace chorus::http

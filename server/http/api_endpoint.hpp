#pragma once

// The machinery every /v1 endpoint shares (private to http/): the request as a database job
// sees it, the answer it hands back, errors as {code, message, field, request_id}, and the
// handler that authenticates, checks the role table and runs the job on a database thread.
#include <google/protobuf/message.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/access.hpp"
#include "http/api_routes.hpp"

namespace chorus::http {

/// What a job on a database thread hands back to the I/O thread.
struct ApiReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string next_cursor;  // a CSV export's continuation (X-Next-Cursor)
  bool last = false;        // a stream's job: this is its last event
};

/// The request as a job needs it: copied, since the job outlives nothing of the I/O side.
struct ApiCall {
  std::string authorization;
  std::string idempotency_key;
  std::string if_match;  // the If-Match header: the revision a write replaces
  std::string method_and_path;
  std::string body;
  std::function<void(OrganizationId, MemberId)> member_event;
  std::function<void(OrganizationId)> workspace_changed;
  std::shared_ptr<const workspace::ChannelRules> channel_rules;
  std::function<void()> broadcasts_changed;
  std::string request_id;
  std::map<std::string, std::string> params;
  std::vector<std::string> path_params;
};

using MemberJob = std::function<ApiReply(api::ApiStore&, const api::Principal&, const ApiCall&)>;
using WorkspaceJob = std::function<ApiReply(ApiBackends, const api::Principal&, const ApiCall&)>;
/// A job using any of the thread's stores that writes nothing of the workspace (no reload).
struct BackendJob {
  std::function<ApiReply(ApiBackends, const api::Principal&, const ApiCall&)> run;
};

std::string ToJson(const google::protobuf::Message& message);
ApiReply Refuse(unsigned status, std::string_view code, std::string_view message,
                std::string_view field, const ApiCall& call);
ApiReply Forbidden(const ApiCall& call);
/// A store failure: the database is down (503, retry) or something unexpected (500).
ApiReply Failed(const Error& error, const ApiCall& call);
/// 409 for an Idempotency-Key already used by another request.
ApiReply KeyReused(const ApiCall& call);

template <typename Message>
ApiReply Ok(const Message& message, unsigned status = 200) {
  return ApiReply{status, ToJson(message)};
}

/// Reads a JSON body into `out`; a 400 naming the expected shape otherwise.
std::optional<ApiReply> ReadJsonBody(const ApiCall& call, google::protobuf::Message& out,
                                     std::string_view shape);

/// The first path parameter as a positive id.
std::optional<std::int64_t> PathId(const ApiCall& call);

/// The If-Match header as a revision ("3" or "\"3\""); nullopt when absent. `bad` is set when
/// it is present and malformed.
std::optional<int> IfMatch(const ApiCall& call, bool& bad);

Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, api::Resource resource,
                 api::Access access, MemberJob job);
Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, api::Resource resource,
                 api::Access access, WorkspaceJob job);

Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, api::Resource resource,
                 api::Access access, BackendJob job);

/// An endpoint answered with server-sent events: `job` runs like any endpoint's (bearer token,
/// role table) and its 200 answer's body is the first event's data; the job runs again every
/// `every`, each answer another event, until one is marked `last`, is not 200, the client
/// leaves or the server stops. Any other first answer is returned as usual.
Handler StreamEndpoint(std::shared_ptr<const ApiRouteDeps> deps, api::Resource resource,
                       api::Access access, BackendJob job, std::string event,
                       std::chrono::milliseconds every);

/// Broadcasts under /v1 (api_broadcast_routes.cpp).
void AddBroadcastApiRoutes(Router& router, const std::shared_ptr<const ApiRouteDeps>& deps);

/// The workspace's items under /v1 (api_workspace_routes.cpp).
void AddWorkspaceApiRoutes(Router& router, const std::shared_ptr<const ApiRouteDeps>& deps);

}  // namespace chorus::http

#include "http/api_endpoint.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <google/protobuf/util/json_util.h>

#include <charconv>

#include "api/token.hpp"
#include "chorus/api/v1/api.pb.h"
#include "core/percent_encoding.hpp"
#include "http/await_callback.hpp"

namespace chorus::http {
namespace {

namespace http_ = beast::http;
using api::Access;
using api::Resource;

using Job = WorkspaceJob;

}  // namespace

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

ApiReply Refuse(unsigned status, std::string_view code, std::string_view message,
                std::string_view field, const ApiCall& call) {
  chorus::api::v1::ApiError error;
  error.set_code(std::string(code));
  error.set_message(std::string(message));
  error.set_field(std::string(field));
  error.set_request_id(call.request_id);
  return ApiReply{status, ToJson(error)};
}

ApiReply Forbidden(const ApiCall& call) {
  return Refuse(403, "forbidden", "this token may not do that", "", call);
}

// A store failure: the database is down (503, retry) or something unexpected (500).
ApiReply Failed(const Error& error, const ApiCall& call) {
  if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kTimeout) {
    return Refuse(503, "unavailable", "the database is unavailable; retry later", "", call);
  }
  // The error's message is safe to log (store errors carry the SQLSTATE, never data).
  spdlog::error("api.failed request_id={} code={} message={}", call.request_id,
                ErrorCodeName(error.code), error.message);
  return Refuse(500, "internal", "the request could not be completed", "", call);
}


ApiReply KeyReused(const ApiCall& call) {
  return Refuse(409, "idempotency_key_reused", "this Idempotency-Key was used for another request",
                "Idempotency-Key", call);
}

std::optional<ApiReply> ReadJsonBody(const ApiCall& call, google::protobuf::Message& out,
                                     std::string_view shape) {
  if (google::protobuf::util::JsonStringToMessage(call.body, &out).ok()) return std::nullopt;
  return Refuse(400, "invalid_argument", "the body must be JSON: " + std::string(shape), "", call);
}

std::optional<std::int64_t> PathId(const ApiCall& call) {
  std::int64_t id = 0;
  const std::string& text = call.path_params.at(0);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<int> IfMatch(const ApiCall& call, bool& bad) {
  bad = false;
  if (call.if_match.empty()) return std::nullopt;
  std::string_view text = call.if_match;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  int revision = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), revision);
  if (ec != std::errc() || end != text.data() + text.size() || revision < 1) {
    bad = true;
    return std::nullopt;
  }
  return revision;
}

namespace {

// Splits "a=1&b=2" (after the '?'); nullopt names the parameter that is malformed or repeated.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view target,
                                                             std::string& bad) {
  std::map<std::string, std::string> params;
  const auto question = target.find('?');
  if (question == std::string_view::npos) return params;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq), PlusMeans::kSpace);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1),
                               PlusMeans::kSpace);
    if (!name || !value || name->empty() || name->size() > 64) {
      bad = name && !name->empty() && name->size() <= 64 ? *name : "query";
      return std::nullopt;
    }
    if (!params.emplace(*name, *value).second) {
      bad = *name;
      return std::nullopt;
    }
  }
  return params;
}

// Authenticates, checks the role table, then runs `job`; all on the database thread.
ApiReply Authorize(ApiBackends backends, const ApiCall& call, Resource resource, Access access,
                   const Job& job) {
  const auto bearer = api::ReadBearer(call.authorization);
  const ApiReply unauthenticated =
      Refuse(401, "unauthenticated", "a valid bearer token is required", "", call);
  if (!bearer) return unauthenticated;
  auto who = backends.api.Authenticate(bearer->hash, bearer->organization);
  if (!who.ok()) return Failed(who.error(), call);
  if (!*who) return unauthenticated;
  if (!api::Allowed((*who)->role, resource, access)) return Forbidden(call);
  return job(backends, **who, call);
}

Response ToResponse(const Request& req, ApiReply reply) {
  Response res{static_cast<http_::status>(reply.status), req.version()};
  res.set(http_::field::content_type, reply.content_type);
  res.set(http_::field::cache_control, "no-store");
  if (!reply.next_cursor.empty()) res.set("X-Next-Cursor", reply.next_cursor);
  if (reply.status == 401) res.set(http_::field::www_authenticate, "Bearer");
  res.body() = std::move(reply.body);
  return res;
}

// A plain function, not a coroutine: GCC 12 destroys a lambda's init-captures twice when the
// lambda is a temporary inside a co_await expression (seen as a double free here).
asio::awaitable<ApiReply> RunOnDatabase(const ApiRouteDeps& deps, Resource resource,
                                        Access access, std::shared_ptr<const Job> job,
                                        ApiCall call) {
  auto shared = std::make_shared<const ApiCall>(std::move(call));
  return AwaitCallback<ApiReply>(
      [&deps, resource, access, job, shared](std::function<void(ApiReply)> done) {
        deps.post([resource, access, job, shared, done](ApiBackends backends) {
          done(Authorize(backends, *shared, resource, access, *job));
        });
      });
}

// The request as a job sees it; nullopt (and the parameter at fault in `bad`) for a query
// string that is malformed or repeats a parameter.
std::optional<ApiCall> MakeCall(const ApiRouteDeps& deps, const Request& req,
                                const RequestContext& ctx, std::string& bad) {
  ApiCall call;
  call.authorization = std::string(req[http_::field::authorization]);
  call.idempotency_key = std::string(req["Idempotency-Key"]);
  call.if_match = std::string(req[http_::field::if_match]);
  call.method_and_path = std::string(req.method_string()) + " " + ctx.target;
  call.body = req.body();
  call.member_event = deps.member_event;
  call.workspace_changed = deps.workspace_changed;
  call.channel_rules = deps.channel_rules;
  call.broadcasts_changed = deps.broadcasts_changed;
  call.request_id = ctx.request_id;
  call.path_params = ctx.path_params;
  auto params = ParseQuery(ctx.target, bad);
  if (!params) {
    bad = bad.empty() ? "query" : bad;
    return std::nullopt;
  }
  call.params = std::move(*params);
  return call;
}

ApiReply BadQuery(const std::string& bad, const ApiCall& partial) {
  return Refuse(400, "invalid_argument", "a query parameter is malformed or repeated", bad, partial);
}

Handler AnyEndpoint(std::shared_ptr<const ApiRouteDeps> deps, Resource resource, Access access,
                    Job job) {
  return [deps, resource, access, job = std::make_shared<const Job>(std::move(job))](
             const Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
    std::string bad;
    auto call = MakeCall(*deps, req, ctx, bad);
    if (!call) {
      ApiCall partial;
      partial.request_id = ctx.request_id;
      co_return ToResponse(req, BadQuery(bad, partial));
    }
    ApiReply reply = co_await RunOnDatabase(*deps, resource, access, job, std::move(*call));
    co_return ToResponse(req, std::move(reply));
  };
}

// One event per answer of the job, `every` apart (a plain function: its parameters live in
// the coroutine's frame).
asio::awaitable<void> StreamEvents(std::shared_ptr<const ApiRouteDeps> deps, Resource resource,
                                   Access access, std::shared_ptr<const Job> job,
                                   std::shared_ptr<const ApiCall> call, std::string event,
                                   ApiReply first, std::chrono::milliseconds every,
                                   ChunkWriter write) {
  // An hour of events at most: a console that stays open reconnects (EventSource does).
  const auto until = std::chrono::steady_clock::now() + std::chrono::hours(1);
  ApiReply reply = std::move(first);
  for (;;) {
    if (!co_await write("event: " + event + "\ndata: " + reply.body + "\n\n")) co_return;
    if (reply.last || std::chrono::steady_clock::now() > until) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(every);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    reply = co_await RunOnDatabase(*deps, resource, access, job, *call);
    if (reply.status != 200) co_return;
  }
}

}  // namespace

Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, Resource resource, Access access,
                 MemberJob job) {
  return AnyEndpoint(std::move(deps), resource, access,
                     [job = std::move(job)](ApiBackends b, const api::Principal& who,
                                            const ApiCall& call) { return job(b.api, who, call); });
}

Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, Resource resource, Access access,
                 WorkspaceJob job) {
  if (access == Access::kRead) return AnyEndpoint(std::move(deps), resource, access, std::move(job));
  // A write that succeeded is served by this node before its answer leaves.
  return AnyEndpoint(std::move(deps), resource, access,
                     [job = std::move(job)](ApiBackends b, const api::Principal& who,
                                            const ApiCall& call) {
                       ApiReply reply = job(b, who, call);
                       if (reply.status < 300 && call.workspace_changed) {
                         call.workspace_changed(who.organization);
                       }
                       return reply;
                     });
}

Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, Resource resource, Access access,
                 BackendJob job) {
  return AnyEndpoint(std::move(deps), resource, access, std::move(job.run));
}

Handler StreamEndpoint(std::shared_ptr<const ApiRouteDeps> deps, Resource resource,
                       Access access, BackendJob job, std::string event,
                       std::chrono::milliseconds every) {
  auto shared_job = std::make_shared<const Job>(std::move(job.run));
  return [deps, resource, access, shared_job, event, every](
             const Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
    std::string bad;
    auto call = MakeCall(*deps, req, ctx, bad);
    if (!call) {
      ApiCall partial;
      partial.request_id = ctx.request_id;
      co_return ToResponse(req, BadQuery(bad, partial));
    }
    auto shared_call = std::make_shared<const ApiCall>(*call);
    ApiReply first = co_await RunOnDatabase(*deps, resource, access, shared_job, std::move(*call));
    if (first.status != 200) co_return ToResponse(req, std::move(first));
    Response res{http_::status::ok, req.version()};
    res.set(http_::field::content_type, "text/event-stream");
    res.set(http_::field::cache_control, "no-store");
    ctx.stream = [deps, resource, access, shared_job, shared_call, event, first, every](
                     ChunkWriter write) {
      return StreamEvents(deps, resource, access, shared_job, shared_call, event, first, every,
                          std::move(write));
    };
    co_return res;
  };
}

}  // namespace chorus::http

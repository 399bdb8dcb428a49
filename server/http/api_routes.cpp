#include "http/api_routes.hpp"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "api/access.hpp"
#include "api/cursor.hpp"
#include "api/member_query.hpp"
#include "api/token.hpp"
#include "chorus/api/v1/api.pb.h"
#include "core/percent_encoding.hpp"
#include "http/await_callback.hpp"

namespace chorus::http {
namespace {

namespace http_ = beast::http;
using api::Access;
using api::Resource;

/// What a job on a database thread hands back to the I/O thread.
struct ApiReply {
  unsigned status = 200;
  std::string body;
};

/// The request as a job needs it: copied, since the job outlives nothing of the I/O side.
struct ApiCall {
  std::string authorization;
  std::string request_id;
  std::map<std::string, std::string> params;
  std::vector<std::string> path_params;
};

using Job = std::function<ApiReply(api::ApiStore&, const api::Principal&, const ApiCall&)>;

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
  return Refuse(500, "internal", "the request could not be completed", "", call);
}

template <typename Message>
ApiReply Ok(const Message& message) {
  return ApiReply{200, ToJson(message)};
}

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

chorus::api::v1::Member ToProto(const api::MemberView& m, bool with_personal) {
  chorus::api::v1::Member out;
  out.set_id(m.id);
  if (with_personal) out.set_phone(m.phone);
  out.set_language(m.language);
  out.set_status(std::string(api::MemberStatusName(m.status)));
  for (const auto& c : m.chapters) out.add_chapters(c);
  for (const auto& t : m.tags) out.add_tags(t);
  for (const auto& [k, v] : m.fields) (*out.mutable_fields())[k] = v;
  out.set_joined_at(m.joined_at);
  out.set_created_at(m.created_at);
  return out;
}

ApiReply GetOrganization(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  auto org = store.Organization(who);
  if (!org.ok()) return Failed(org.error(), call);
  chorus::api::v1::Organization out;
  out.set_slug(org->slug);
  out.set_name(org->name);
  out.set_default_language(org->default_language);
  out.set_time_zone(org->time_zone);
  return Ok(out);
}

ApiReply ListChapters(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  if (!call.params.empty()) {
    return Refuse(400, "invalid_argument", "this listing takes no parameters",
                  call.params.begin()->first, call);
  }
  auto chapters = store.Chapters(who);
  if (!chapters.ok()) return Failed(chapters.error(), call);
  chorus::api::v1::ChapterList out;
  for (const auto& c : *chapters) {
    auto* p = out.add_chapters();
    p->set_id(c.id);
    p->set_slug(c.slug);
    p->set_name(c.name);
    p->set_parent(c.parent);
    p->set_country(c.country);
    p->set_time_zone(c.time_zone);
  }
  return Ok(out);
}

ApiReply SearchMembers(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  api::MemberQuery query;
  if (auto bad = api::ParseMemberQuery(call.params, query)) {
    return Refuse(400, bad->code, bad->message, bad->field, call);
  }
  if (query.chapter && !who.WholeOrganization()) {
    // Outside a leader's chapters, or no such chapter: the same answer.
    auto id = store.ChapterId(who, *query.chapter);
    if (!id.ok()) return Failed(id.error(), call);
    if (!*id || !who.Reaches(**id)) return Forbidden(call);
  }
  const bool personal = api::Allowed(who.role, Resource::kPersonal, Access::kRead);
  auto page = store.SearchMembers(who, query, personal);
  if (!page.ok()) {
    if (page.error().code == ErrorCode::kNotFound) {
      return Refuse(404, "not_found", "no such chapter", "chapter", call);
    }
    return Failed(page.error(), call);
  }
  chorus::api::v1::MemberPage out;
  for (const auto& m : page->members) *out.add_members() = ToProto(m, personal);
  if (page->next_after != 0) out.set_next_cursor(api::EncodeCursor(page->next_after));
  return Ok(out);
}

ApiReply GetMember(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  MemberId id = 0;
  const std::string& text = call.path_params.at(0);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Refuse(400, "invalid_argument", "a member id is a positive whole number", "id", call);
  }
  const bool personal = api::Allowed(who.role, Resource::kPersonal, Access::kRead);
  auto member = store.Member(who, id, personal);
  if (!member.ok()) return Failed(member.error(), call);
  if (!*member) {
    // A leader learns nothing about members outside their chapters, not even that they exist.
    if (!who.WholeOrganization()) return Forbidden(call);
    return Refuse(404, "not_found", "no such member", "id", call);
  }
  return Ok(ToProto(**member, personal));
}

// Authenticates, checks the role table, then runs `job`; all on the database thread.
ApiReply Authorize(api::ApiStore& store, const ApiCall& call, Resource resource, Access access,
                   const Job& job) {
  const auto bearer = api::ReadBearer(call.authorization);
  const ApiReply unauthenticated =
      Refuse(401, "unauthenticated", "a valid bearer token is required", "", call);
  if (!bearer) return unauthenticated;
  auto who = store.Authenticate(bearer->hash, bearer->organization);
  if (!who.ok()) return Failed(who.error(), call);
  if (!*who) return unauthenticated;
  if (!api::Allowed((*who)->role, resource, access)) return Forbidden(call);
  return job(store, **who, call);
}

Response ToResponse(const Request& req, ApiReply reply) {
  Response res{static_cast<http_::status>(reply.status), req.version()};
  res.set(http_::field::content_type, "application/json");
  res.set(http_::field::cache_control, "no-store");
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
        deps.post([resource, access, job, shared, done](api::ApiStore& store) {
          done(Authorize(store, *shared, resource, access, *job));
        });
      });
}

Handler Endpoint(std::shared_ptr<const ApiRouteDeps> deps, Resource resource, Access access,
                 Job job) {
  return [deps, resource, access, job = std::make_shared<const Job>(std::move(job))](
             const Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
    ApiCall call;
    call.authorization = std::string(req[http_::field::authorization]);
    call.request_id = ctx.request_id;
    call.path_params = ctx.path_params;
    std::string bad;
    auto params = ParseQuery(ctx.target, bad);
    if (!params) {
      co_return ToResponse(req, Refuse(400, "invalid_argument",
                                       "a query parameter is malformed or repeated", bad, call));
    }
    call.params = std::move(*params);
    ApiReply reply = co_await RunOnDatabase(*deps, resource, access, job, std::move(call));
    co_return ToResponse(req, std::move(reply));
  };
}

}  // namespace

void AddApiRoutes(Router& router, ApiRouteDeps deps) {
  auto shared = std::make_shared<const ApiRouteDeps>(std::move(deps));
  router.Add(Verb::get, "/v1/openapi.json",
             [](const Request& req, RequestContext&) -> asio::awaitable<Response> {
               Response res{http_::status::ok, req.version()};
               res.set(http_::field::content_type, "application/json");
               res.body() = std::string(OpenApiDocument());
               co_return res;
             });
  router.Add(Verb::get, "/v1/organization",
             Endpoint(shared, Resource::kOrganization, Access::kRead, GetOrganization));
  router.Add(Verb::get, "/v1/chapters",
             Endpoint(shared, Resource::kChapters, Access::kRead, ListChapters));
  router.Add(Verb::get, "/v1/members",
             Endpoint(shared, Resource::kMembers, Access::kRead, SearchMembers));
  router.Add(Verb::get, "/v1/members/{id}",
             Endpoint(shared, Resource::kMembers, Access::kRead, GetMember));
}

}  // namespace chorus::http

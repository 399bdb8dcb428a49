#include "http/api_routes.hpp"

#include "http/api_endpoint.hpp"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "api/access.hpp"
#include "api/cursor.hpp"
#include "api/member_query.hpp"
#include "api/token.hpp"
#include "chorus/api/v1/api.pb.h"
#include "core/percent_encoding.hpp"
#include "http/await_callback.hpp"
#include "ingest/member_edit.hpp"

namespace chorus::http {
namespace {

namespace http_ = beast::http;
using api::Access;
using api::Resource;

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

chorus::api::v1::Conversation ToProto(const api::ConversationView& c, bool with_personal) {
  chorus::api::v1::Conversation out;
  out.set_id(c.id);
  out.set_member_id(c.member_id);
  if (with_personal) out.set_phone(c.phone);
  out.set_channel(c.channel);
  out.set_kind(c.kind);
  out.set_status(c.status);
  out.set_opened_at(c.opened_at);
  out.set_closed_at(c.closed_at);
  if (c.story) {
    out.mutable_story()->set_body(c.story->body);
    out.mutable_story()->set_place(c.story->place);
    out.mutable_story()->set_share_consent(c.story->share_consent);
  }
  return out;
}

// Not within reach: a leader learns nothing of whether it exists; others get 404.
ApiReply Unreachable(const api::Principal& who, std::string_view what, const ApiCall& call) {
  if (!who.WholeOrganization()) return Forbidden(call);
  return Refuse(404, "not_found", std::string("no such ") + std::string(what), "id", call);
}

ApiReply ListConversations(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  api::ConversationQuery query;
  if (auto bad = api::ParseConversationQuery(call.params, query)) {
    return Refuse(400, bad->code, bad->message, bad->field, call);
  }
  const bool personal = api::Allowed(who.role, Resource::kPersonal, Access::kRead);
  auto page = store.Conversations(who, query, personal);
  if (!page.ok()) return Failed(page.error(), call);
  chorus::api::v1::ConversationPage out;
  for (const auto& c : page->conversations) *out.add_conversations() = ToProto(c, personal);
  if (page->next_after != 0) out.set_next_cursor(api::EncodeCursor(page->next_after));
  return Ok(out);
}

ApiReply GetConversation(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  auto found = store.Conversation(who, *id);
  if (!found.ok()) return Failed(found.error(), call);
  if (!*found) return Unreachable(who, "conversation", call);
  const bool personal = api::Allowed(who.role, Resource::kPersonal, Access::kRead);
  chorus::api::v1::ConversationDetail out;
  *out.mutable_conversation() = ToProto((*found)->conversation, personal);
  for (const auto& m : (*found)->messages) {
    auto* p = out.add_messages();
    p->set_direction(m.direction);
    if (personal) p->set_body(m.body);
    p->set_at(m.at);
    p->set_status(m.status);
  }
  return Ok(out);
}

// The answer to a write queued as a member event: 202 with the event, processing hinted; the
// outcomes that are the same for every such write answered here.
ApiReply QueuedAnswer(const Result<api::ReplyOutcome>& outcome, const api::Principal& who,
                      const ApiCall& call) {
  if (!outcome.ok()) return Failed(outcome.error(), call);
  using Kind = api::ReplyOutcome::Kind;
  if (outcome->kind == Kind::kKeyReused) return KeyReused(call);
  if (outcome->kind != Kind::kQueued) return Unreachable(who, "member", call);
  if (!outcome->repeated && call.member_event) {
    call.member_event(who.organization, outcome->member_id);
  }
  chorus::api::v1::Queued out;
  out.set_event_id(outcome->event_id);
  out.set_status("queued");
  return ApiReply{202, ToJson(out)};
}

constexpr std::size_t kMaxReplyBytes = 1600;

ApiReply ReplyToConversation(api::ApiStore& store, const api::Principal& who,
                             const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  chorus::api::v1::ReplyRequest request;
  if (!google::protobuf::util::JsonStringToMessage(call.body, &request).ok()) {
    return Refuse(400, "invalid_argument", "the body must be JSON: {\"text\": \"...\"}", "",
                  call);
  }
  if (request.text().empty() || request.text().size() > kMaxReplyBytes) {
    return Refuse(400, "invalid_argument", "text must be 1 to 1600 bytes", "text", call);
  }
  if (call.idempotency_key.size() > 200) {
    return Refuse(400, "invalid_argument", "Idempotency-Key must be at most 200 characters",
                  "Idempotency-Key", call);
  }
  auto outcome = store.Reply(who, *id, request.text(), call.idempotency_key);
  if (outcome.ok() && outcome->kind == api::ReplyOutcome::Kind::kNotFound) {
    return Unreachable(who, "conversation", call);
  }
  if (outcome.ok() && outcome->kind == api::ReplyOutcome::Kind::kClosed) {
    return Refuse(409, "conflict", "the conversation is closed", "id", call);
  }
  return QueuedAnswer(outcome, who, call);
}

ApiReply CloseConversation(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  auto closed = store.Close(who, *id);
  if (!closed.ok()) return Failed(closed.error(), call);
  if (!*closed) return Unreachable(who, "conversation", call);
  return GetConversation(store, who, call);
}

// One CSV field (RFC 4180). Free text a member typed is also kept from being read as a formula
// by a spreadsheet: a leading = + - @ gets a quote mark in front.
std::string CsvField(std::string_view text, bool free_text) {
  std::string value(text);
  if (free_text && !value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos) {
    value.insert(value.begin(), '\'');
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// One CSV line; a field marked true is text a member typed (CsvField's formula guard).
std::string CsvLine(std::initializer_list<std::pair<std::string_view, bool>> fields) {
  std::string out;
  bool first = true;
  for (const auto& [value, free_text] : fields) {
    if (!first) out += ',';
    first = false;
    out += CsvField(value, free_text);
  }
  return out + "\r\n";
}

std::string ActionsCsv(const api::ActionPage& page, bool personal) {
  std::string out = "id,member_id,phone,kind,target,event,value,channel,created_at\r\n";
  for (const auto& a : page.actions) {
    out += CsvLine({{std::to_string(a.id), false}, {std::to_string(a.member_id), false},
                    {personal ? a.phone : "", false}, {a.kind, false}, {a.target, true},
                    {a.event, false}, {a.value, true}, {a.channel, false}, {a.created_at, false}});
  }
  return out;
}

ApiReply ListActions(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  api::ActionQuery query;
  if (auto bad = api::ParseActionQuery(call.params, query)) {
    return Refuse(400, bad->code, bad->message, bad->field, call);
  }
  if (query.csv && !api::Allowed(who.role, Resource::kActions, Access::kExport)) {
    return Forbidden(call);
  }
  const bool personal = api::Allowed(who.role, Resource::kPersonal, Access::kRead);
  auto page = store.Actions(who, query, personal);
  if (!page.ok()) {
    if (page.error().code == ErrorCode::kNotFound) {
      return Refuse(404, "not_found", "no such event", "event", call);
    }
    return Failed(page.error(), call);
  }
  const std::string next = page->next_after ? api::EncodeCursor(page->next_after) : "";
  if (query.csv) return ApiReply{200, ActionsCsv(*page, personal), "text/csv; charset=utf-8", next};
  chorus::api::v1::ActionPage out;
  for (const auto& a : page->actions) {
    auto* p = out.add_actions();
    p->set_id(a.id);
    p->set_member_id(a.member_id);
    if (personal) p->set_phone(a.phone);
    p->set_kind(a.kind);
    p->set_target(a.target);
    p->set_event(a.event);
    p->set_value(a.value);
    p->set_channel(a.channel);
    p->set_created_at(a.created_at);
  }
  out.set_next_cursor(next);
  return Ok(out);
}

std::string AnswersCsv(const api::AnswerPage& page) {
  std::string out = "id,member_id,phone,flow,version,step,field,value,channel,created_at\r\n";
  for (const auto& a : page.answers) {
    out += CsvLine({{std::to_string(a.id), false}, {std::to_string(a.member_id), false},
                    {a.phone, false}, {a.flow, false}, {std::to_string(a.version), false},
                    {a.step, false}, {a.field, false}, {a.value, true}, {a.channel, false},
                    {a.created_at, false}});
  }
  return out;
}

// A flow's answers: the member's own words, so only for roles that read personal data
// (Resource::kPersonal), within reach; an export also needs the export right.
ApiReply ListAnswers(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  api::AnswerQuery query;
  query.flow = call.path_params.at(0);
  if (auto bad = api::ParseAnswerQuery(call.params, query)) {
    return Refuse(400, bad->code, bad->message, bad->field, call);
  }
  if (query.csv && !api::Allowed(who.role, Resource::kActions, Access::kExport)) {
    return Forbidden(call);
  }
  auto page = store.Answers(who, query, true);
  if (!page.ok()) {
    if (page.error().code == ErrorCode::kNotFound) {
      return Refuse(404, "not_found", "no such flow", "slug", call);
    }
    return Failed(page.error(), call);
  }
  const std::string next = page->next_after ? api::EncodeCursor(page->next_after) : "";
  if (query.csv) return ApiReply{200, AnswersCsv(*page), "text/csv; charset=utf-8", next};
  chorus::api::v1::FlowAnswerPage out;
  for (const auto& a : page->answers) {
    auto* p = out.add_answers();
    p->set_id(a.id);
    p->set_member_id(a.member_id);
    p->set_phone(a.phone);
    p->set_flow(a.flow);
    p->set_version(a.version);
    p->set_step(a.step);
    p->set_field(a.field);
    p->set_value(a.value);
    p->set_channel(a.channel);
    p->set_created_at(a.created_at);
  }
  out.set_next_cursor(next);
  return Ok(out);
}

ApiReply ListAudit(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  api::AuditQuery query;
  if (auto bad = api::ParseAuditQuery(call.params, query)) {
    return Refuse(400, bad->code, bad->message, bad->field, call);
  }
  auto page = store.Audit(who, query);
  if (!page.ok()) return Failed(page.error(), call);
  chorus::api::v1::AuditPage out;
  for (const auto& e : page->entries) {
    auto* p = out.add_entries();
    p->set_id(e.id);
    p->set_actor(e.actor);
    p->set_action(e.action);
    p->set_member_id(e.member_id);
    p->set_detail(e.detail);
    p->set_created_at(e.created_at);
  }
  if (page->next_after != 0) out.set_next_cursor(api::EncodeCursor(page->next_after));
  return Ok(out);
}

ApiReply ListTokens(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  auto tokens = store.Tokens(who);
  if (!tokens.ok()) return Failed(tokens.error(), call);
  chorus::api::v1::TokenList out;
  for (const auto& t : *tokens) {
    auto* p = out.add_tokens();
    p->set_id(t.id);
    p->set_name(t.name);
    p->set_role(t.role);
    p->set_chapter(t.chapter);
    p->set_created_by(t.created_by);
    p->set_created_at(t.created_at);
    p->set_revoked_at(t.revoked_at);
  }
  return Ok(out);
}

ApiReply CreateToken(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  chorus::api::v1::CreateTokenRequest request;
  if (auto bad = ReadJsonBody(call, request, R"({"role": "...", "chapter": "...", "name": "..."})")) {
    return *bad;
  }
  const auto role = api::RoleFromName(request.role());
  if (!role) {
    return Refuse(400, "invalid_argument",
                  "role must be owner, organizer, chapter_leader or viewer", "role", call);
  }
  if (request.name().size() > 200) {
    return Refuse(400, "invalid_argument", "name must be at most 200 characters", "name", call);
  }
  auto issued = store.IssueToken(who, *role, request.chapter(), request.name());
  if (!issued.ok()) {
    if (issued.error().code == ErrorCode::kInvalidArgument ||
        issued.error().code == ErrorCode::kNotFound) {
      const unsigned status = issued.error().code == ErrorCode::kNotFound ? 404 : 400;
      return Refuse(status, status == 404 ? "not_found" : "invalid_argument",
                    issued.error().message, "chapter", call);
    }
    return Failed(issued.error(), call);
  }
  chorus::api::v1::CreatedToken out;
  out.set_id(issued->id);
  out.set_token(issued->token);
  out.set_role(request.role());
  out.set_chapter(request.chapter());
  out.set_name(request.name());
  return ApiReply{201, ToJson(out)};
}

ApiReply RevokeToken(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  auto revoked = store.RevokeToken(who, *id);
  if (!revoked.ok()) return Failed(revoked.error(), call);
  if (!*revoked) return Refuse(404, "not_found", "no such token", "id", call);
  return ListTokens(store, who, call);
}

ApiReply StartFlow(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  chorus::api::v1::StartFlowRequest request;
  if (auto bad = ReadJsonBody(call, request, R"({"flow": "...", "channel": "..."})")) return *bad;
  if (request.flow().empty()) return Refuse(400, "invalid_argument", "flow is required", "flow", call);
  if (request.channel().empty()) {
    return Refuse(400, "invalid_argument", "channel is required", "channel", call);
  }
  auto outcome = store.StartFlow(who, *id, request.flow(), request.channel(), call.idempotency_key);
  if (outcome.ok() && outcome->kind == api::ReplyOutcome::Kind::kUnknownFlow) {
    return Refuse(404, "not_found", "no such active flow", "flow", call);
  }
  if (outcome.ok() && outcome->kind == api::ReplyOutcome::Kind::kUnknownChannel) {
    return Refuse(404, "not_found", "no such channel", "channel", call);
  }
  return QueuedAnswer(outcome, who, call);
}

ApiReply EraseMember(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  auto erased = store.Erase(who, *id);
  if (!erased.ok()) return Failed(erased.error(), call);
  if (!*erased) return Unreachable(who, "member", call);
  return ApiReply{200, R"({"status":"erased"})"};
}

ApiReply OptOutMember(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  return QueuedAnswer(store.OptOut(who, *id, call.idempotency_key), who, call);
}

std::string Joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

ApiReply UpdateMember(api::ApiStore& store, const api::Principal& who, const ApiCall& call) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  chorus::api::v1::UpdateMemberRequest request;
  if (auto bad = ReadJsonBody(call, request,
                          R"({"fields": {"zip": "10001"}, "add_tags": [...], "remove_tags": [...]})")) {
    return *bad;
  }
  ingest::MemberEdit edit;
  std::set<std::string> field_names;
  for (const auto& [name, value] : request.fields()) {
    if (!ingest::IsMemberFieldName(name)) {
      return Refuse(400, "invalid_argument", "a field name is 1 to 63 of a-z, 0-9 and _",
                    "fields." + name.substr(0, 63), call);
    }
    if (!ingest::IsMemberFieldValue(value)) {
      return Refuse(400, "invalid_argument",
                    "a field value is at most 500 bytes without control characters",
                    "fields." + name, call);
    }
    edit.fields[name] = value;
    field_names.insert(name);
  }
  for (const auto* list : {&request.add_tags(), &request.remove_tags()}) {
    const bool add = list == &request.add_tags();
    for (int i = 0; i < list->size(); ++i) {
      const std::string& tag = list->Get(i);
      if (!ingest::IsMemberTag(tag)) {
        return Refuse(400, "invalid_argument", "a tag is 1 to 63 of a-z, 0-9, _ and -",
                      std::string(add ? "add_tags" : "remove_tags") + "[" + std::to_string(i) + "]",
                      call);
      }
      (add ? edit.add_tags : edit.remove_tags).insert(tag);
    }
  }
  if (edit.fields.empty() && edit.add_tags.empty() && edit.remove_tags.empty()) {
    return Refuse(400, "invalid_argument", "nothing to change", "", call);
  }
  const std::string detail = "fields:" + Joined(field_names) + " add_tags:" +
                             Joined(edit.add_tags) + " remove_tags:" + Joined(edit.remove_tags);
  return QueuedAnswer(
      store.UpdateMember(who, *id, ingest::EncodeMemberEdit(edit), detail, call.idempotency_key),
      who, call);
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
  router.Add(Verb::get, "/v1/chapters",
             Endpoint(shared, Resource::kChapters, Access::kRead, ListChapters));
  router.Add(Verb::get, "/v1/members",
             Endpoint(shared, Resource::kMembers, Access::kRead, SearchMembers));
  router.Add(Verb::get, "/v1/members/{id}",
             Endpoint(shared, Resource::kMembers, Access::kRead, GetMember));
  router.Add(Verb::get, "/v1/conversations",
             Endpoint(shared, Resource::kConversations, Access::kRead, ListConversations));
  router.Add(Verb::get, "/v1/conversations/{id}",
             Endpoint(shared, Resource::kConversations, Access::kRead, GetConversation));
  router.Add(Verb::post, "/v1/conversations/{id}/reply",
             Endpoint(shared, Resource::kConversations, Access::kWrite, ReplyToConversation));
  router.Add(Verb::post, "/v1/conversations/{id}/close",
             Endpoint(shared, Resource::kConversations, Access::kWrite, CloseConversation));
  router.Add(Verb::get, "/v1/actions",
             Endpoint(shared, Resource::kActions, Access::kRead, ListActions));
  router.Add(Verb::get, "/v1/audit", Endpoint(shared, Resource::kAudit, Access::kRead, ListAudit));
  router.Add(Verb::get, "/v1/flows/{slug}/answers",
             Endpoint(shared, Resource::kPersonal, Access::kRead, ListAnswers));
  AddWorkspaceApiRoutes(router, shared);
  AddBroadcastApiRoutes(router, shared);
  router.Add(Verb::delete_, "/v1/members/{id}",
             Endpoint(shared, Resource::kErasure, Access::kWrite, EraseMember));
  router.Add(Verb::patch, "/v1/members/{id}",
             Endpoint(shared, Resource::kMembers, Access::kWrite, UpdateMember));
  router.Add(Verb::post, "/v1/members/{id}/opt-out",
             Endpoint(shared, Resource::kMembers, Access::kWrite, OptOutMember));
  router.Add(Verb::post, "/v1/members/{id}/flows",
             Endpoint(shared, Resource::kMembers, Access::kWrite, StartFlow));
  router.Add(Verb::get, "/v1/tokens", Endpoint(shared, Resource::kTokens, Access::kRead, ListTokens));
  router.Add(Verb::post, "/v1/tokens",
             Endpoint(shared, Resource::kTokens, Access::kWrite, CreateToken));
  router.Add(Verb::post, "/v1/tokens/{id}/revoke",
             Endpoint(shared, Resource::kTokens, Access::kWrite, RevokeToken));
}

}  // namespace chorus::http

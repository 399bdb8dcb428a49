#include "http/api_routes.hpp"

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

/// What a job on a database thread hands back to the I/O thread.
struct ApiReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string next_cursor;  // a CSV export's continuation (X-Next-Cursor)
};

/// The request as a job needs it: copied, since the job outlives nothing of the I/O side.
struct ApiCall {
  std::string authorization;
  std::string idempotency_key;
  std::string body;
  std::function<void(OrganizationId, MemberId)> member_event;
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

std::optional<std::int64_t> PathId(const ApiCall& call) {
  std::int64_t id = 0;
  const std::string& text = call.path_params.at(0);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
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
  if (outcome->kind == Kind::kKeyReused) {
    return Refuse(409, "idempotency_key_reused",
                  "this Idempotency-Key was used for another request", "Idempotency-Key", call);
  }
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

std::string ActionsCsv(const api::ActionPage& page, bool personal) {
  std::string out = "id,member_id,phone,kind,target,event,value,channel,created_at\r\n";
  for (const auto& a : page.actions) {
    out += std::to_string(a.id) + "," + std::to_string(a.member_id) + "," +
           (personal ? CsvField(a.phone, false) : "") + "," + CsvField(a.kind, false) + "," +
           CsvField(a.target, true) + "," + CsvField(a.event, false) + "," +
           CsvField(a.value, true) + "," + CsvField(a.channel, false) + "," + a.created_at +
           "\r\n";
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

template <typename Message>
std::optional<ApiReply> ReadBody(const ApiCall& call, Message& out, std::string_view shape) {
  if (google::protobuf::util::JsonStringToMessage(call.body, &out).ok()) return std::nullopt;
  return Refuse(400, "invalid_argument", "the body must be JSON: " + std::string(shape), "", call);
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
  if (auto bad = ReadBody(call, request, R"({"role": "...", "chapter": "...", "name": "..."})")) {
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
  if (auto bad = ReadBody(call, request, R"({"flow": "...", "channel": "..."})")) return *bad;
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
  if (auto bad = ReadBody(call, request,
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
    call.idempotency_key = std::string(req["Idempotency-Key"]);
    call.body = req.body();
    call.member_event = deps->member_event;
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

// Broadcasts under /v1 (docs/BROADCASTS.md): preview, create, list, read with stats, pause,
// resume, cancel, approve.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <charconv>

#include "api/cursor.hpp"
#include "broadcasts/broadcast.hpp"
#include "chorus/api/v1/api.pb.h"
#include "core/hmac.hpp"
#include "http/api_endpoint.hpp"

namespace chorus::http {
namespace {

namespace pb = chorus::api::v1;
using api::Access;
using api::Resource;
using broadcasts::Outcome;

broadcasts::Caller CallerOf(const api::Principal& who, const ApiCall& call) {
  broadcasts::Caller c;
  c.organization = who.organization;
  c.actor = who.Actor();
  c.token_id = who.token_id;
  if (!who.WholeOrganization()) c.chapter_scope = who.chapters;
  c.idempotency_key = call.idempotency_key;
  c.request_digest = call.method_and_path + " " + HmacSha256Hex("chorus idempotency", call.body);
  return c;
}

template <typename List>
std::vector<std::string> Strings(const List& list) {
  return {list.begin(), list.end()};
}

std::vector<broadcasts::ActionFilter> Actions(
    const google::protobuf::RepeatedPtrField<pb::ActionFilter>& in) {
  std::vector<broadcasts::ActionFilter> out;
  for (const auto& a : in) out.push_back({a.kind(), a.target(), a.event(), a.value()});
  return out;
}

std::vector<broadcasts::FieldFilter> Fields(
    const google::protobuf::RepeatedPtrField<pb::FieldFilter>& in) {
  std::vector<broadcasts::FieldFilter> out;
  for (const auto& f : in) out.push_back({f.name(), Strings(f.values())});
  return out;
}

template <typename Rule>
broadcasts::AudienceRule RuleOf(const Rule& r) {
  return {Strings(r.chapters()), Strings(r.tags()),       Strings(r.languages()),
          Fields(r.fields()),    Actions(r.took()),       Actions(r.not_took())};
}

// RFC 3339 to unix seconds; nullopt for "" and `bad` for text that is not a time.
std::optional<std::int64_t> Time(const std::string& text, bool& bad) {
  if (text.empty()) return std::nullopt;
  google::protobuf::Timestamp t;
  if (!google::protobuf::util::TimeUtil::FromString(text, &t)) {
    bad = true;
    return std::nullopt;
  }
  return t.seconds();
}

// The body as a draft; a 400 naming the field when it is not one.
std::optional<ApiReply> ReadDraft(const ApiCall& call, broadcasts::Draft& draft) {
  pb::BroadcastRequest request;
  if (auto bad = ReadJsonBody(call, request,
                              R"({"name": "...", "audience": {...}, "variants": {"en": "..."}, "channels": ["..."]})")) {
    return bad;
  }
  draft.name = request.name();
  draft.audience.include = RuleOf(request.audience());
  for (const auto& rule : request.audience().exclude()) draft.audience.exclude.push_back(RuleOf(rule));
  draft.audience_json.clear();
  google::protobuf::util::MessageToJsonString(request.audience(), &draft.audience_json);
  draft.variants = {request.variants().begin(), request.variants().end()};
  draft.channels = Strings(request.channels());
  bool bad = false;
  draft.send_at = Time(request.send_at(), bad);
  if (bad) return Refuse(400, "invalid_argument", "must be an RFC 3339 time", "send_at", call);
  draft.stale_after = Time(request.stale_after(), bad);
  if (bad) return Refuse(400, "invalid_argument", "must be an RFC 3339 time", "stale_after", call);
  draft.replace_look_alikes = request.replace_look_alikes();
  draft.ignore_quiet_hours = request.ignore_quiet_hours();
  draft.reply_flow = request.reply_flow();
  draft.reply_window_seconds = static_cast<std::int64_t>(request.reply_window_minutes()) * 60;
  return std::nullopt;
}

// Reads, parses and checks a draft against the organization's default language; `org_name`
// gets the organization's name.
std::optional<ApiReply> CheckedDraft(api::ApiStore& store, const api::Principal& who,
                                     const ApiCall& call, broadcasts::Draft& draft,
                                     std::string* org_name = nullptr) {
  if (auto bad = ReadDraft(call, draft)) return bad;
  auto org = store.Organization(who);
  if (!org.ok()) return Failed(org.error(), call);
  if (org_name != nullptr) *org_name = org->name;
  if (auto problem = broadcasts::CheckDraft(draft, org->default_language)) {
    return Refuse(400, "invalid_argument", problem->message, problem->field, call);
  }
  return std::nullopt;
}

ApiReply Refused(Outcome outcome, const broadcasts::Problem& problem, const ApiCall& call) {
  switch (outcome) {
    case Outcome::kInvalid:
      return Refuse(400, "invalid_argument", problem.message, problem.field, call);
    case Outcome::kOutOfReach:
      return Forbidden(call);
    case Outcome::kNotFound:
      return Refuse(404, "not_found", "no such broadcast", "id", call);
    case Outcome::kKeyReused:
      return KeyReused(call);
    case Outcome::kWrongState:
      return Refuse(409, "conflict", "the broadcast's status does not allow this", "status", call);
    case Outcome::kSameCaller:
      return Refuse(403, "forbidden", "a broadcast is approved by someone other than its author",
                    "", call);
    case Outcome::kDone:
      break;
  }
  return Refuse(500, "internal", "unexpected outcome", "", call);
}

pb::Broadcast ToProto(const broadcasts::BroadcastView& b) {
  pb::Broadcast out;
  out.set_id(b.id);
  out.set_name(b.name);
  out.set_status(std::string(broadcasts::StatusName(b.status)));
  out.set_recipients(b.recipients);
  out.set_fanned_out(b.fanned_out);
  out.set_fan_out_done(b.fan_out_done);
  for (const auto& c : b.channels) out.add_channels(c);
  for (const auto& [k, v] : b.variants) (*out.mutable_variants())[k] = v;
  out.set_send_at(b.send_at);
  out.set_stale_after(b.stale_after);
  out.set_created_at(b.created_at);
  out.set_finished_at(b.finished_at);
  out.set_created_by(b.created_by);
  out.set_approved_by(b.approved_by);
  out.set_reply_flow(b.reply_flow);
  out.set_reply_window_minutes(static_cast<std::uint32_t>(b.reply_window_seconds / 60));
  out.set_quiet_hours(b.quiet_hours);
  out.set_replace_look_alikes(b.replace_look_alikes);
  if (b.counts) {
    const auto& c = *b.counts;
    auto* s = out.mutable_stats();
    s->set_held(c.held);
    s->set_queued(c.queued);
    s->set_sending(c.sending);
    s->set_sent(c.sent);
    s->set_delivered(c.delivered);
    s->set_undelivered(c.undelivered);
    s->set_failed(c.failed);
    s->set_expired(c.expired);
    s->set_suppressed(c.suppressed);
    s->set_cancelled(c.cancelled);
    s->set_unknown(c.unknown);
    for (const auto& [code, n] : c.failed_by_code) (*s->mutable_failed_by_code())[code] = n;
    s->set_replies(c.replies);
    s->set_opt_outs(c.opt_outs);
    s->set_actions(c.actions);
  }
  return out;
}

pb::BroadcastPreview ToProto(const broadcasts::Preview& p) {
  pb::BroadcastPreview out;
  out.set_reach(p.reach);
  out.set_opted_out(p.opted_out);
  out.set_held_by_quiet_hours(p.held_by_quiet_hours);
  out.set_total_segments(p.total_segments);
  out.set_segments_saved(p.segments_saved);
  for (const auto& v : p.variants) {
    auto* o = out.add_variants();
    o->set_language(v.language);
    o->set_encoding(v.encoding == TextEncoding::kGsm7 ? "gsm7" : "ucs2");
    for (const auto& c : v.ucs2_characters) o->add_ucs2_characters(c);
    o->set_characters(v.characters);
    o->set_segments(v.segments);
    o->set_recipients(v.recipients);
    o->set_look_alikes_replaced(v.look_alikes_replaced);
    o->set_segments_without_replacement(v.segments_without_replacement);
    o->set_merge_fields(v.merge_fields);
  }
  for (const auto& c : p.channels) {
    auto* o = out.add_channels();
    o->set_channel(c.channel);
    o->set_recipients(c.recipients);
    o->set_segments(c.segments);
    o->set_segment_price(c.segment_price);
    o->set_currency(c.currency);
    o->set_cost(c.cost);
  }
  return out;
}

ApiReply PreviewBroadcast(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  bool counts = true;
  for (const auto& [name, value] : call.params) {
    if (name != "counts" || (value != "true" && value != "false")) {
      return Refuse(400, "invalid_argument", "the only parameter is counts=true|false", name, call);
    }
    counts = value == "true";
  }
  broadcasts::Draft draft;
  std::string org_name;
  if (auto bad = CheckedDraft(b.api, who, call, draft, &org_name)) return *bad;
  if (!counts) {
    // The texts only, without touching the audience: cheap enough for every keystroke.
    broadcasts::Preview texts;
    texts.variants = broadcasts::PreviewTexts(draft, org_name);
    return Ok(ToProto(texts));
  }
  auto preview = b.broadcasts.PreviewDraft(CallerOf(who, call), draft);
  if (!preview.ok()) return Failed(preview.error(), call);
  if (preview->outcome != Outcome::kDone) return Refused(preview->outcome, preview->problem, call);
  return Ok(ToProto(preview->preview));
}

ApiReply CreateBroadcast(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  broadcasts::Draft draft;
  if (auto bad = CheckedDraft(b.api, who, call, draft)) return *bad;
  auto written = b.broadcasts.Create(CallerOf(who, call), draft);
  if (!written.ok()) return Failed(written.error(), call);
  if (written->outcome != Outcome::kDone) return Refused(written->outcome, written->problem, call);
  if (call.broadcasts_changed) call.broadcasts_changed();
  return Ok(ToProto(written->broadcast), written->repeated ? 200 : 201);
}

ApiReply ListBroadcasts(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  std::int64_t before = 0;
  int limit = 50;
  for (const auto& [name, value] : call.params) {
    if (name == "cursor") {
      auto decoded = api::DecodeCursor(value);
      if (!decoded) return Refuse(400, "invalid_argument", "not a cursor this API gave", name, call);
      before = *decoded;
    } else if (name == "limit") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 || limit > 200) {
        return Refuse(400, "invalid_argument", "a whole number from 1 to 200", name, call);
      }
    } else {
      return Refuse(400, "invalid_argument", "unknown parameter (cursor, limit)", name, call);
    }
  }
  auto list = b.broadcasts.List(CallerOf(who, call), before, limit);
  if (!list.ok()) return Failed(list.error(), call);
  pb::BroadcastList out;
  for (const auto& v : *list) *out.add_broadcasts() = ToProto(v);
  if (static_cast<int>(list->size()) == limit) out.set_next_cursor(api::EncodeCursor(list->back().id));
  return Ok(out);
}

// The broadcast with its stats; `finished` is set when it is done or cancelled.
ApiReply ReadBroadcast(ApiBackends b, const api::Principal& who, const ApiCall& call,
                       bool* finished) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  auto found = b.broadcasts.Get(CallerOf(who, call), *id);
  if (!found.ok()) return Failed(found.error(), call);
  if (!*found) return who.WholeOrganization() ? Refused(Outcome::kNotFound, {}, call) : Forbidden(call);
  const broadcasts::Status status = (*found)->status;
  if (finished != nullptr) {
    *finished = status == broadcasts::Status::kDone || status == broadcasts::Status::kCancelled;
  }
  return Ok(ToProto(**found));
}

ApiReply GetBroadcast(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return ReadBroadcast(b, who, call, nullptr);
}

// One event of GET /v1/broadcasts/{id}/events: the broadcast and its stats; the last once it
// is done or cancelled.
ApiReply BroadcastEvent(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  bool finished = false;
  ApiReply reply = ReadBroadcast(b, who, call, &finished);
  reply.last = reply.status == 200 && finished;
  return reply;
}

ApiReply Act(ApiBackends b, const api::Principal& who, const ApiCall& call,
             broadcasts::Action action) {
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  auto written = b.broadcasts.Act(CallerOf(who, call), *id, action);
  if (!written.ok()) return Failed(written.error(), call);
  if (written->outcome == Outcome::kNotFound && !who.WholeOrganization()) return Forbidden(call);
  if (written->outcome != Outcome::kDone) return Refused(written->outcome, written->problem, call);
  if (call.broadcasts_changed) call.broadcasts_changed();
  return Ok(ToProto(written->broadcast));
}

ApiReply Pause(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return Act(b, who, call, broadcasts::Action::kPause);
}
ApiReply Resume(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return Act(b, who, call, broadcasts::Action::kResume);
}
ApiReply Cancel(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return Act(b, who, call, broadcasts::Action::kCancel);
}
// A second person of the whole organization: a leader does not approve.
ApiReply Approve(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  if (!who.WholeOrganization()) return Forbidden(call);
  return Act(b, who, call, broadcasts::Action::kApprove);
}

}  // namespace

void AddBroadcastApiRoutes(Router& router, const std::shared_ptr<const ApiRouteDeps>& deps) {
  auto read = [&](ApiReply (*job)(ApiBackends, const api::Principal&, const ApiCall&)) {
    return Endpoint(deps, Resource::kBroadcasts, Access::kRead, BackendJob(job));
  };
  auto write = [&](ApiReply (*job)(ApiBackends, const api::Principal&, const ApiCall&)) {
    return Endpoint(deps, Resource::kBroadcasts, Access::kWrite, BackendJob(job));
  };
  // Composing is for those who may send: a viewer reads broadcasts, does not draft them.
  router.Add(Verb::post, "/v1/broadcasts/preview", write(PreviewBroadcast));
  router.Add(Verb::post, "/v1/broadcasts", write(CreateBroadcast));
  router.Add(Verb::get, "/v1/broadcasts", read(ListBroadcasts));
  router.Add(Verb::get, "/v1/broadcasts/{id}", read(GetBroadcast));
  // A console's live view: the stats every second until the broadcast is done or cancelled.
  router.Add(Verb::get, "/v1/broadcasts/{id}/events",
             StreamEndpoint(deps, Resource::kBroadcasts, Access::kRead, BackendJob{BroadcastEvent},
                            "stats", std::chrono::seconds(1)));
  router.Add(Verb::post, "/v1/broadcasts/{id}/pause", write(Pause));
  router.Add(Verb::post, "/v1/broadcasts/{id}/resume", write(Resume));
  router.Add(Verb::post, "/v1/broadcasts/{id}/cancel", write(Cancel));
  router.Add(Verb::post, "/v1/broadcasts/{id}/approve", write(Approve));
}

}  // namespace chorus::http

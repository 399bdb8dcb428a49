// The workspace under /v1: the organization's settings, keywords, chapters, events and flows,
// read and edited item by item (docs/API.md). Bodies are the workspace file's own objects
// (proto/chorus/v1/workspace.proto), checked by the rules `chorus apply` uses.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <map>
#include <set>

#include "api/cursor.hpp"
#include "api/member_query.hpp"
#include "chorus/api/v1/api.pb.h"
#include "core/hmac.hpp"
#include "http/api_endpoint.hpp"
#include "workspace/file/items.hpp"

namespace chorus::http {
namespace {

namespace pb = ::chorus::api::v1;
using api::Access;
using api::Resource;
using workspace::EditOutcome;
using workspace::WorkspaceEditor;

template <typename Message>
Message FromJson(const std::string& json) {
  Message out;
  (void)google::protobuf::util::JsonStringToMessage(json, &out);
  return out;
}

// Who writes, and what a repeat of this create with the same Idempotency-Key must equal.
workspace::Editor EditorOf(const api::Principal& who, const ApiCall& call) {
  return {who.organization, who.Actor(), who.token_id, call.idempotency_key,
          call.method_and_path + " " + HmacSha256Hex("chorus idempotency", call.body)};
}

// An item that failed its checks: 400 (409 for a word another keyword has) naming the field.
ApiReply Invalid(const Error& error, const ApiCall& call) {
  if (error.code != ErrorCode::kInvalidArgument && error.code != ErrorCode::kConflict) {
    return Failed(error, call);
  }
  const auto colon = error.message.find(": ");
  const std::string field = colon == std::string::npos ? "" : error.message.substr(0, colon);
  if (error.code == ErrorCode::kConflict) return Refuse(409, "conflict", error.message, field, call);
  return Refuse(400, "invalid_argument", error.message, field, call);
}

// What an edit's outcome other than kDone answers.
ApiReply Outcome(EditOutcome outcome, std::string_view what, std::string_view field,
                 const ApiCall& call) {
  switch (outcome) {
    case EditOutcome::kNotFound:
      return Refuse(404, "not_found", "no such " + std::string(what), field, call);
    case EditOutcome::kExists:
      return Refuse(409, "conflict", "the organization already has this " + std::string(what),
                    field, call);
    case EditOutcome::kStale:
      return Refuse(412, "revision_changed",
                    "the " + std::string(what) + " changed since that revision; read it again",
                    "If-Match", call);
    case EditOutcome::kKeyReused:
      return KeyReused(call);
    case EditOutcome::kDone:
      break;
  }
  return Refuse(500, "internal", "the request could not be completed", "", call);
}

// The If-Match revision, or the 400 for a malformed one.
std::optional<ApiReply> ReadIfMatch(const ApiCall& call, std::optional<int>& revision) {
  bool bad = false;
  revision = IfMatch(call, bad);
  if (!bad) return std::nullopt;
  return Refuse(400, "invalid_argument", "If-Match is a revision (a whole number)", "If-Match",
                call);
}

std::optional<ApiReply> NoParams(const ApiCall& call) {
  if (call.params.empty()) return std::nullopt;
  return Refuse(400, "invalid_argument", "this request takes no query parameters",
                call.params.begin()->first, call);
}

// The chapters a caller sees items of: every one for the whole organization, a leader's own
// (and below) otherwise. Organization-wide items ("" chapter) are for everyone who may read.
Result<std::optional<std::set<std::string>>> VisibleChapters(ApiBackends b,
                                                              const api::Principal& who) {
  if (who.WholeOrganization()) return std::optional<std::set<std::string>>{};
  CHORUS_ASSIGN_OR_RETURN(auto chapters, b.api.Chapters(who));
  std::set<std::string> slugs;
  for (const auto& c : chapters) slugs.insert(c.slug);
  return std::optional<std::set<std::string>>{std::move(slugs)};
}

bool Visible(const std::optional<std::set<std::string>>& chapters, const std::string& chapter) {
  return !chapters || chapter.empty() || chapters->count(chapter) > 0;
}

// ---- organization ----

pb::Organization ToProto(const workspace::Settings& s) {
  pb::Organization out;
  out.set_slug(s.slug);
  out.set_name(s.name);
  out.set_default_language(s.default_language);
  out.set_time_zone(s.time_zone);
  out.set_revision(s.revision);
  out.mutable_quiet_hours()->set_start(s.quiet_hours_start);
  out.mutable_quiet_hours()->set_end(s.quiet_hours_end);
  out.set_broadcast_approval_above(s.broadcast_approval_above);
  for (const auto& [language, t] : s.texts) {
    auto& p = (*out.mutable_texts())[language];
    p.set_help(t.help);
    p.set_opt_out_confirmation(t.opt_out_confirmation);
    p.set_opt_out_all_confirmation(t.opt_out_all_confirmation);
    p.set_opt_in_confirmation(t.opt_in_confirmation);
    p.set_default_reply(t.default_reply);
  }
  return out;
}

ApiReply GetOrganization(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto settings = store.GetSettings(who.organization);
  if (!settings.ok()) return Failed(settings.error(), call);
  return Ok(ToProto(*settings));
}

// The update's fields over the current settings.
void Merge(const pb::OrganizationUpdate& update, workspace::Settings& s) {
  if (update.has_name()) s.name = update.name();
  if (update.has_default_language()) s.default_language = update.default_language();
  if (update.has_time_zone()) s.time_zone = update.time_zone();
  if (update.has_quiet_hours()) {
    s.quiet_hours_start = update.quiet_hours().start();
    s.quiet_hours_end = update.quiet_hours().end();
  }
  if (update.has_broadcast_approval_above()) {
    s.broadcast_approval_above = update.broadcast_approval_above();
  }
  for (const auto& [language, t] : update.texts()) {
    workspace::Texts texts{t.help(), t.opt_out_confirmation(), t.opt_out_all_confirmation(),
                           t.opt_in_confirmation(), t.default_reply()};
    const bool empty = texts.help.empty() && texts.opt_out_confirmation.empty() &&
                       texts.opt_out_all_confirmation.empty() &&
                       texts.opt_in_confirmation.empty() && texts.default_reply.empty();
    if (empty) {
      s.texts.erase(language);
    } else {
      s.texts[language] = std::move(texts);
    }
  }
}

ApiReply UpdateOrganization(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  pb::OrganizationUpdate update;
  if (auto bad = ReadJsonBody(call, update,
                              R"({"name": "...", "time_zone": "...", "quiet_hours": {...}, "texts": {...}})")) {
    return *bad;
  }
  auto current = store.GetSettings(who.organization);
  if (!current.ok()) return Failed(current.error(), call);
  Merge(update, *current);
  if (current->broadcast_approval_above < 0) {
    return Refuse(400, "invalid_argument", "must be 0 (no approval) or a number of recipients",
                  "broadcast_approval_above", call);
  }
  if (auto checked = workspace::CheckSettings(*current); !checked.ok()) {
    return Invalid(checked.error(), call);
  }
  auto edited = store.UpdateSettings(EditorOf(who, call), *current, revision);
  if (!edited.ok()) return Invalid(edited.error(), call);
  if (edited->outcome != EditOutcome::kDone) return Outcome(edited->outcome, "organization", "", call);
  return Ok(ToProto(edited->item));
}

// ---- keywords ----

pb::KeywordItem ToProto(const workspace::Item<workspace::KeywordDefinition>& item) {
  pb::KeywordItem out;
  out.set_id(item.id);
  out.set_revision(item.revision);
  *out.mutable_keyword() = FromJson<chorus::v1::Keyword>(workspace::KeywordJson(item.definition));
  return out;
}

// ---- channels ----

pb::ChannelItem ToProto(const workspace::Item<workspace::ChannelDefinition>& item) {
  pb::ChannelItem out;
  out.set_id(item.id);
  out.set_revision(item.revision);
  *out.mutable_channel() = FromJson<chorus::v1::Channel>(workspace::ChannelJson(item.definition));
  for (const auto& [name, value] : item.definition.secrets) out.add_credentials(name);
  return out;
}

pb::ChapterItem ToProto(const workspace::Item<workspace::ChapterDefinition>& item) {
  pb::ChapterItem out;
  out.set_id(item.id);
  out.set_revision(item.revision);
  *out.mutable_chapter() = FromJson<chorus::v1::Chapter>(workspace::ChapterJson(item.definition));
  return out;
}

pb::EventItem ToProto(const workspace::Item<workspace::EventDefinition>& item) {
  pb::EventItem out;
  out.set_id(item.id);
  out.set_revision(item.revision);
  *out.mutable_event() = FromJson<chorus::v1::Event>(workspace::EventJson(item.definition));
  return out;
}

// A create repeated with its Idempotency-Key answers as the first time (201 with the item as it
// is now) or 409 for a key another request used, before the item's checks, which a repeat would
// fail (its item exists). nullopt for a new key. `list` reads the kind's items.
template <typename List>
std::optional<ApiReply> Repeat(WorkspaceEditor& store, const api::Principal& who,
                               const ApiCall& call, std::string_view what, List list) {
  auto seen = store.Recall(EditorOf(who, call));
  if (!seen.ok()) return Failed(seen.error(), call);
  if (!*seen) return std::nullopt;
  if ((*seen)->outcome == EditOutcome::kKeyReused) return KeyReused(call);
  auto items = list(who.organization);
  if (!items.ok()) return Failed(items.error(), call);
  for (const auto& item : *items) {
    if (item.id == (*seen)->item) return Ok(ToProto(item), 201);
  }
  return Outcome(EditOutcome::kNotFound, what, "", call);  // created, then removed
}

ApiReply ListKeywords(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto keywords = store.Keywords(who.organization);
  if (!keywords.ok()) return Failed(keywords.error(), call);
  auto visible = VisibleChapters(b, who);
  if (!visible.ok()) return Failed(visible.error(), call);
  pb::KeywordList out;
  for (const auto& k : *keywords) {
    if (Visible(*visible, k.definition.chapter)) *out.add_keywords() = ToProto(k);
  }
  return Ok(out);
}

// The organization as the item's checks need it, without the item being replaced.
Result<workspace::Definition> ContextWithout(WorkspaceEditor& store, OrganizationId org,
                                             const std::function<void(workspace::Definition&)>& drop) {
  CHORUS_ASSIGN_OR_RETURN(workspace::Definition context, store.Context(org));
  drop(context);
  return context;
}

ApiReply WriteKeyword(WorkspaceEditor& store, const api::Principal& who, const ApiCall& call,
                      std::optional<std::int64_t> id) {
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  if (!id) {
    const auto list = [&](OrganizationId org) { return store.Keywords(org); };
    if (auto repeat = Repeat(store, who, call, "keyword", list)) return *repeat;
  }
  std::optional<workspace::KeywordDefinition> replaced;
  if (id) {
    auto keywords = store.Keywords(who.organization);
    if (!keywords.ok()) return Failed(keywords.error(), call);
    for (const auto& k : *keywords) {
      if (k.id == *id) replaced = k.definition;
    }
    if (!replaced) return Outcome(EditOutcome::kNotFound, "keyword", "id", call);
  }
  auto context = ContextWithout(store, who.organization, [&](workspace::Definition& d) {
    if (!replaced) return;
    auto same = std::find_if(d.keywords.begin(), d.keywords.end(), [&](const auto& k) {
      return k.word == replaced->word && k.qualifier == replaced->qualifier &&
             k.channels == replaced->channels;
    });
    if (same != d.keywords.end()) d.keywords.erase(same);
  });
  if (!context.ok()) return Failed(context.error(), call);
  auto keyword = workspace::ParseKeywordItem(call.body, *context);
  if (!keyword.ok()) return Invalid(keyword.error(), call);
  auto edited = id ? store.ReplaceKeyword(EditorOf(who, call), *id, revision, *keyword)
                   : store.CreateKeyword(EditorOf(who, call), *keyword);
  if (!edited.ok()) return Invalid(edited.error(), call);
  if (edited->outcome != EditOutcome::kDone) return Outcome(edited->outcome, "keyword", "word", call);
  return Ok(ToProto(edited->item), id ? 200 : 201);
}

ApiReply CreateKeyword(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  return WriteKeyword(store, who, call, std::nullopt);
}

ApiReply ReplaceKeyword(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  return WriteKeyword(store, who, call, id);
}

ApiReply DeleteKeyword(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  const auto id = PathId(call);
  if (!id) return Refuse(400, "invalid_argument", "an id is a positive whole number", "id", call);
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  auto outcome = store.DeleteKeyword(EditorOf(who, call), *id, revision);
  if (!outcome.ok()) return Failed(outcome.error(), call);
  if (*outcome != EditOutcome::kDone) return Outcome(*outcome, "keyword", "id", call);
  return ApiReply{200, R"({"status":"deleted"})"};
}

// ---- chapters and events: by slug ----

// The body's slug must be the path's (an empty one is taken from the path).
std::optional<ApiReply> SlugFromPath(const ApiCall& call, std::string& body) {
  google::protobuf::Struct tree;
  if (!google::protobuf::util::JsonStringToMessage(call.body, &tree).ok()) return std::nullopt;
  auto& fields = *tree.mutable_fields();
  const std::string& slug = call.path_params.at(0);
  if (!fields.count("slug")) fields["slug"].set_string_value(slug);
  if (fields["slug"].string_value() != slug) {
    return Refuse(400, "invalid_argument", "slug: must be the path's slug \"" + slug + "\"", "slug",
                  call);
  }
  body.clear();
  (void)google::protobuf::util::MessageToJsonString(tree, &body);
  return std::nullopt;
}

// What differs between the two kinds of items kept by slug.
struct ChapterKind {
  using Definition = workspace::ChapterDefinition;
  static constexpr std::string_view kName = "chapter";
  static auto List(WorkspaceEditor& s, OrganizationId org) { return s.Chapters(org); }
  static auto& Items(workspace::Definition& d) { return d.chapters; }
  static auto Parse(std::string_view body, const workspace::Definition& context) {
    return workspace::ParseChapterItem(body, context);
  }
  static auto Create(WorkspaceEditor& s, const workspace::Editor& e, const Definition& d) {
    return s.CreateChapter(e, d);
  }
  static auto Replace(WorkspaceEditor& s, const workspace::Editor& e, std::optional<int> revision,
                      const Definition& d) {
    return s.ReplaceChapter(e, revision, d);
  }
  static auto Archive(WorkspaceEditor& s, const workspace::Editor& e, const std::string& slug,
                      std::optional<int> revision) {
    return s.ArchiveChapter(e, slug, revision);
  }
};

struct EventKind {
  using Definition = workspace::EventDefinition;
  static constexpr std::string_view kName = "event";
  static auto List(WorkspaceEditor& s, OrganizationId org) { return s.Events(org); }
  static auto& Items(workspace::Definition& d) { return d.events; }
  static auto Parse(std::string_view body, const workspace::Definition& context) {
    return workspace::ParseEventItem(body, context);
  }
  static auto Create(WorkspaceEditor& s, const workspace::Editor& e, const Definition& d) {
    return s.CreateEvent(e, d);
  }
  static auto Replace(WorkspaceEditor& s, const workspace::Editor& e, std::optional<int> revision,
                      const Definition& d) {
    return s.ReplaceEvent(e, revision, d);
  }
  static auto Archive(WorkspaceEditor& s, const workspace::Editor& e, const std::string& slug,
                      std::optional<int> revision) {
    return s.ArchiveEvent(e, slug, revision);
  }
};

ApiReply ListChannels(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  if (auto bad = NoParams(call)) return *bad;
  auto channels = b.workspace.Channels(who.organization);
  if (!channels.ok()) return Failed(channels.error(), call);
  pb::ChannelList out;
  for (const auto& c : *channels) *out.add_channels() = ToProto(c);
  return Ok(out);
}

// POST /v1/channels and PUT /v1/channels/{slug}: credentials a replace leaves out are kept.
ApiReply WriteChannel(WorkspaceEditor& store, const api::Principal& who, const ApiCall& call,
                      bool create) {
  if (auto bad = NoParams(call)) return *bad;
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  std::string body = call.body;
  std::map<std::string, std::string> stored;
  if (create) {
    const auto list = [&](OrganizationId org) { return store.Channels(org); };
    if (auto repeat = Repeat(store, who, call, "channel", list)) return *repeat;
  } else {
    if (auto bad = SlugFromPath(call, body)) return *bad;
    auto secrets = store.ChannelSecrets(who.organization, call.path_params.at(0));
    if (!secrets.ok()) return Failed(secrets.error(), call);
    if (!*secrets) return Outcome(EditOutcome::kNotFound, "channel", "slug", call);
    stored = std::move(**secrets);
  }
  auto channel = workspace::ParseChannelItem(body, *call.channel_rules, stored);
  if (!channel.ok()) return Invalid(channel.error(), call);
  const bool keep = !create && channel->secrets == stored;
  auto edited = create ? store.CreateChannel(EditorOf(who, call), *channel)
                       : store.ReplaceChannel(EditorOf(who, call), revision, *channel, keep);
  if (!edited.ok()) return Invalid(edited.error(), call);
  if (edited->outcome != EditOutcome::kDone) return Outcome(edited->outcome, "channel", "slug", call);
  return Ok(ToProto(edited->item), create ? 201 : 200);
}

ApiReply CreateChannel(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return WriteChannel(b.workspace, who, call, true);
}

ApiReply ReplaceChannel(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return WriteChannel(b.workspace, who, call, false);
}

ApiReply DisableChannel(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  if (auto bad = NoParams(call)) return *bad;
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  auto outcome = b.workspace.DisableChannel(EditorOf(who, call), call.path_params.at(0), revision);
  if (!outcome.ok()) return Failed(outcome.error(), call);
  if (*outcome != EditOutcome::kDone) return Outcome(*outcome, "channel", "slug", call);
  return ApiReply{200, R"({"status":"disabled"})"};
}

// POST (create) or PUT /{slug} (replace whole) of a chapter or an event.
template <typename Kind>
ApiReply WriteBySlug(WorkspaceEditor& store, const api::Principal& who, const ApiCall& call,
                     bool create) {
  if (auto bad = NoParams(call)) return *bad;
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  std::string body = call.body;
  if (create) {
    const auto list = [&](OrganizationId org) { return Kind::List(store, org); };
    if (auto repeat = Repeat(store, who, call, Kind::kName, list)) return *repeat;
  } else if (auto bad = SlugFromPath(call, body)) {
    return *bad;
  }
  const std::string slug = create ? "" : call.path_params.at(0);
  auto context = ContextWithout(store, who.organization, [&](workspace::Definition& d) {
    std::erase_if(Kind::Items(d), [&](const auto& item) { return item.slug == slug; });
  });
  if (!context.ok()) return Failed(context.error(), call);
  auto item = Kind::Parse(body, *context);
  if (!item.ok()) return Invalid(item.error(), call);
  auto edited = create ? Kind::Create(store, EditorOf(who, call), *item)
                       : Kind::Replace(store, EditorOf(who, call), revision, *item);
  if (!edited.ok()) return Invalid(edited.error(), call);
  if (edited->outcome != EditOutcome::kDone) return Outcome(edited->outcome, Kind::kName, "slug", call);
  return Ok(ToProto(edited->item), create ? 201 : 200);
}

template <typename Kind>
ApiReply CreateBySlug(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return WriteBySlug<Kind>(b.workspace, who, call, true);
}

template <typename Kind>
ApiReply ReplaceBySlug(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  return WriteBySlug<Kind>(b.workspace, who, call, false);
}

template <typename Kind>
ApiReply ArchiveBySlug(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  if (auto bad = NoParams(call)) return *bad;
  std::optional<int> revision;
  if (auto bad = ReadIfMatch(call, revision)) return *bad;
  auto outcome = Kind::Archive(b.workspace, EditorOf(who, call), call.path_params.at(0), revision);
  if (!outcome.ok()) return Failed(outcome.error(), call);
  if (*outcome == EditOutcome::kExists) {  // a chapter with live chapters below it
    return Refuse(409, "conflict", "the chapter has sub-chapters; archive them first", "slug", call);
  }
  if (*outcome != EditOutcome::kDone) return Outcome(*outcome, Kind::kName, "slug", call);
  return ApiReply{200, R"({"status":"archived"})"};
}

ApiReply ListEvents(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto events = store.Events(who.organization);
  if (!events.ok()) return Failed(events.error(), call);
  auto visible = VisibleChapters(b, who);
  if (!visible.ok()) return Failed(visible.error(), call);
  pb::EventList out;
  for (const auto& e : *events) {
    if (Visible(*visible, e.definition.chapter)) *out.add_events() = ToProto(e);
  }
  return Ok(out);
}

// ---- flows ----

ApiReply ListFlows(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto flows = store.Flows(who.organization);
  if (!flows.ok()) return Failed(flows.error(), call);
  pb::FlowList out;
  for (const auto& f : *flows) {
    auto* p = out.add_flows();
    p->set_slug(f.slug);
    p->set_name(f.name);
    if (f.active_version) p->set_active_version(*f.active_version);
    p->set_latest_version(f.latest_version);
    p->set_updated_at(f.updated_at);
  }
  return Ok(out);
}

ApiReply FlowVersions(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  const std::string& slug = call.path_params.at(0);
  auto versions = store.FlowVersions(who.organization, slug);
  if (!versions.ok()) return Failed(versions.error(), call);
  if (!*versions) return Outcome(EditOutcome::kNotFound, "flow", "slug", call);
  pb::FlowVersionList out;
  out.set_slug(slug);
  for (const auto& v : **versions) {
    auto* p = out.add_versions();
    p->set_version(v.version);
    p->set_digest(v.digest);
    p->set_created_by(v.created_by);
    p->set_created_at(v.created_at);
    p->set_active(v.active);
  }
  return Ok(out);
}

ApiReply GetFlowVersion(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  const std::string& slug = call.path_params.at(0);
  const std::string& text = call.path_params.at(1);
  int version = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return Refuse(400, "invalid_argument", "a version is a positive whole number", "version", call);
  }
  auto json = store.FlowVersion(who.organization, slug, version);
  if (!json.ok()) return Failed(json.error(), call);
  if (!*json) return Outcome(EditOutcome::kNotFound, "flow version", "version", call);
  pb::FlowVersionDetail out;
  out.set_slug(slug);
  out.set_version(version);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(**json, out.mutable_flow(), options);
  return Ok(out);
}

// ?activate=true|false (default false) on a flow's save.
std::optional<ApiReply> ReadActivate(const ApiCall& call, bool& activate) {
  for (const auto& [name, value] : call.params) {
    if (name != "activate") {
      return Refuse(400, "invalid_argument", "unknown parameter " + name, name, call);
    }
    if (value != "true" && value != "false") {
      return Refuse(400, "invalid_argument", "activate must be true or false", "activate", call);
    }
    activate = value == "true";
  }
  return std::nullopt;
}

ApiReply SaveFlow(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  bool activate = false;
  if (auto bad = ReadActivate(call, activate)) return *bad;
  auto context = store.Context(who.organization);
  if (!context.ok()) return Failed(context.error(), call);
  auto flow = workspace::ParseFlowItem(call.body, *context);
  if (!flow.ok()) return Invalid(flow.error(), call);
  auto edited = store.SaveFlow(EditorOf(who, call), *flow, activate);
  if (!edited.ok()) return Failed(edited.error(), call);
  if (edited->outcome != EditOutcome::kDone) return Outcome(edited->outcome, "flow", "slug", call);
  auto summaries = store.Flows(who.organization);
  if (!summaries.ok()) return Failed(summaries.error(), call);
  pb::SavedFlow out;
  out.set_slug(flow->flow.slug);
  out.set_version(edited->item.revision);
  out.set_created(!edited->repeated);
  for (const auto& f : *summaries) {
    if (f.slug == flow->flow.slug && f.active_version) out.set_active_version(*f.active_version);
  }
  return Ok(out, 201);
}

ApiReply ValidateFlow(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto context = store.Context(who.organization);
  if (!context.ok()) return Failed(context.error(), call);
  auto flow = workspace::ParseFlowItem(call.body, *context);
  if (!flow.ok()) return Invalid(flow.error(), call);
  pb::FlowValidation out;
  out.set_valid(true);
  return Ok(out);
}

ApiReply ActivateFlow(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  pb::ActivateFlowRequest request;
  if (auto bad = ReadJsonBody(call, request, R"({"version": 3})")) return *bad;
  if (request.version() < 1) {
    return Refuse(400, "invalid_argument", "version must be a positive whole number", "version", call);
  }
  auto outcome = store.ActivateFlow(EditorOf(who, call), call.path_params.at(0), request.version());
  if (!outcome.ok()) return Failed(outcome.error(), call);
  if (*outcome != EditOutcome::kDone) return Outcome(*outcome, "flow version", "version", call);
  return FlowVersions(b, who, call);
}

ApiReply RollBackFlow(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto rolled = store.RollBackFlow(EditorOf(who, call), call.path_params.at(0));
  if (!rolled.ok()) return Failed(rolled.error(), call);
  if (rolled->outcome != EditOutcome::kDone) {
    return Refuse(404, "not_found", "no such flow, or no version before the active one", "slug",
                  call);
  }
  return FlowVersions(b, who, call);
}

ApiReply PauseFlow(ApiBackends b, const api::Principal& who, const ApiCall& call) {
  WorkspaceEditor& store = b.workspace;
  if (auto bad = NoParams(call)) return *bad;
  auto outcome = store.PauseFlow(EditorOf(who, call), call.path_params.at(0));
  if (!outcome.ok()) return Failed(outcome.error(), call);
  if (*outcome != EditOutcome::kDone) return Outcome(*outcome, "flow", "slug", call);
  return FlowVersions(b, who, call);
}

}  // namespace

void AddWorkspaceApiRoutes(Router& router, const std::shared_ptr<const ApiRouteDeps>& deps) {
  const auto add = [&](Verb verb, const char* path, Resource resource, Access access,
                       WorkspaceJob job) {
    router.Add(verb, path, Endpoint(deps, resource, access, std::move(job)));
  };
  add(Verb::get, "/v1/organization", Resource::kOrganization, Access::kRead, GetOrganization);
  add(Verb::patch, "/v1/organization", Resource::kOrganization, Access::kWrite, UpdateOrganization);
  add(Verb::get, "/v1/channels", Resource::kChannels, Access::kRead, ListChannels);
  add(Verb::post, "/v1/channels", Resource::kChannels, Access::kWrite, CreateChannel);
  add(Verb::put, "/v1/channels/{slug}", Resource::kChannels, Access::kWrite, ReplaceChannel);
  add(Verb::delete_, "/v1/channels/{slug}", Resource::kChannels, Access::kWrite, DisableChannel);
  add(Verb::get, "/v1/keywords", Resource::kKeywords, Access::kRead, ListKeywords);
  add(Verb::post, "/v1/keywords", Resource::kKeywords, Access::kWrite, CreateKeyword);
  add(Verb::put, "/v1/keywords/{id}", Resource::kKeywords, Access::kWrite, ReplaceKeyword);
  add(Verb::delete_, "/v1/keywords/{id}", Resource::kKeywords, Access::kWrite, DeleteKeyword);
  add(Verb::post, "/v1/chapters", Resource::kChapters, Access::kWrite, CreateBySlug<ChapterKind>);
  add(Verb::put, "/v1/chapters/{slug}", Resource::kChapters, Access::kWrite,
      ReplaceBySlug<ChapterKind>);
  add(Verb::delete_, "/v1/chapters/{slug}", Resource::kChapters, Access::kWrite,
      ArchiveBySlug<ChapterKind>);
  add(Verb::get, "/v1/events", Resource::kEvents, Access::kRead, ListEvents);
  add(Verb::post, "/v1/events", Resource::kEvents, Access::kWrite, CreateBySlug<EventKind>);
  add(Verb::put, "/v1/events/{slug}", Resource::kEvents, Access::kWrite, ReplaceBySlug<EventKind>);
  add(Verb::delete_, "/v1/events/{slug}", Resource::kEvents, Access::kWrite,
      ArchiveBySlug<EventKind>);
  add(Verb::get, "/v1/flows", Resource::kFlows, Access::kRead, ListFlows);
  add(Verb::post, "/v1/flows", Resource::kFlows, Access::kWrite, SaveFlow);
  add(Verb::post, "/v1/flows/validate", Resource::kFlows, Access::kWrite, ValidateFlow);
  add(Verb::get, "/v1/flows/{slug}/versions", Resource::kFlows, Access::kRead, FlowVersions);
  add(Verb::get, "/v1/flows/{slug}/versions/{version}", Resource::kFlows, Access::kRead,
      GetFlowVersion);
  add(Verb::post, "/v1/flows/{slug}/activate", Resource::kFlows, Access::kWrite, ActivateFlow);
  add(Verb::post, "/v1/flows/{slug}/rollback", Resource::kFlows, Access::kWrite, RollBackFlow);
  add(Verb::post, "/v1/flows/{slug}/pause", Resource::kFlows, Access::kWrite, PauseFlow);
}

}  // namespace chorus::http

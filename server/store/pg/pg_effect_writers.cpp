#include "store/pg/pg_effect_writers.hpp"

#include <map>
#include <set>

#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

using ingest::BatchContext;
using ingest::BatchEffects;

constexpr const char* kUpdateMembers = R"sql(
UPDATE members m
   SET language = COALESCE(v.language, m.language),
       joined_at = CASE WHEN v.joins AND m.joined_at IS NULL THEN now() ELSE m.joined_at END,
       updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::boolean[])
       AS v(org, id, language, joins)
 WHERE m.organization_id = v.org AND m.id = v.id
)sql";

// Field writes as (member, name, value) rows merged into the stored object.
constexpr const char* kUpdateFields = R"sql(
UPDATE members m SET fields = m.fields || f.obj, updated_at = now()
  FROM (SELECT org, id, jsonb_object_agg(name, value) AS obj
          FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(org, id, name, value)
         GROUP BY org, id) f
 WHERE m.organization_id = f.org AND m.id = f.id
)sql";

constexpr const char* kUpdateTags = R"sql(
UPDATE members m
   SET tags = ARRAY(SELECT DISTINCT tag FROM unnest(m.tags || c.adds) AS tag
                     WHERE tag <> ALL (c.removes) ORDER BY 1),
       updated_at = now()
  FROM (SELECT org, id,
               COALESCE(array_agg(tag) FILTER (WHERE adds), '{}') AS adds,
               COALESCE(array_agg(tag) FILTER (WHERE NOT adds), '{}') AS removes
          FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::boolean[])
               AS v(org, id, tag, adds)
         GROUP BY org, id) c
 WHERE m.organization_id = c.org AND m.id = c.id
)sql";

constexpr const char* kJoinChapters = R"sql(
INSERT INTO member_chapters (organization_id, member_id, chapter_id)
SELECT v.org, v.id, c.id
  FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(org, id, slug)
  JOIN chapters c ON c.organization_id = v.org AND c.slug = v.slug
ON CONFLICT DO NOTHING
)sql";

constexpr const char* kLeaveChapters = R"sql(
DELETE FROM member_chapters mc
 USING unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(org, id, slug), chapters c
 WHERE c.organization_id = v.org AND c.slug = v.slug
   AND mc.organization_id = v.org AND mc.member_id = v.id AND mc.chapter_id = c.id
)sql";

constexpr const char* kInsertConsents = R"sql(
INSERT INTO consent_events (organization_id, member_id, channel_id, kind, scope, source,
                            keyword, language, inbound_message_id)
SELECT org, member, NULLIF(channel, 0), kind, scope, source, NULLIF(keyword, ''),
       NULLIF(language, ''), NULLIF(inbound, 0)
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::bigint[], $9::text[]) WITH ORDINALITY
       AS v(org, member, channel, kind, scope, keyword, language, inbound, source, n)
 ORDER BY n
)sql";

constexpr const char* kDeleteOptOuts = R"sql(
DELETE FROM opt_outs o
 USING unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(org, member, channel)
 WHERE o.organization_id = v.org AND o.member_id = v.member
   AND o.channel_id IS NOT DISTINCT FROM v.channel
)sql";

constexpr const char* kInsertOptOuts = R"sql(
INSERT INTO opt_outs (organization_id, member_id, channel_id)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])
ON CONFLICT DO NOTHING
)sql";

// A STOP also stops what is already queued for the member (this channel, or every channel of
// the organization for STOPALL), compliance messages included (docs/COMPLIANCE.md). A message
// an earlier attempt may have delivered stays queued: its claim, seeing the opt-out, asks the
// carrier instead of sending, and records what it learns ('cancelled' is only for certain).
constexpr const char* kCancelQueued = R"sql(
UPDATE outbound_messages o
   SET status = 'cancelled', error_code = 'opted_out', updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS v(org, member, channel)
 WHERE o.organization_id = v.org AND o.member_id = v.member AND o.status IN ('queued', 'held')
   AND NOT o.outcome_unknown AND (v.channel IS NULL OR o.channel_id = v.channel)
)sql";

constexpr const char* kSessionIds =
    "SELECT nextval(pg_get_serial_sequence('flow_sessions', 'id')) FROM generate_series(1, $1)";

// The engine's state as one jsonb per session; see SessionFromRow in pg_processing_store.cpp.
constexpr const char* kSessionState = R"sql(
jsonb_build_object('step', v.step, 'seq', v.seq, 'tries', v.tries, 'reminded', v.reminded,
                   'event_id', v.event_id, 'story_text', v.story_text,
                   'story_place', v.story_place, 'story_phase', v.story_phase)
)sql";

constexpr const char* kSessionColumns = R"sql(
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::int[],
              $7::text[], $8::int[], $9::int[], $10::boolean[], $11::bigint[], $12::text[],
              $13::text[], $14::int[], $15::boolean[])
       AS v(org, id, member, channel, flow, version, step, seq, tries, reminded, event_id,
            story_text, story_place, story_phase, active)
)sql";

const std::string kUpdateSessions = std::string(R"sql(
UPDATE flow_sessions s
   SET state = )sql") + kSessionState +
                                    R"sql(, active = v.active, updated_at = now(),
       ended_at = CASE WHEN v.active THEN NULL ELSE COALESCE(s.ended_at, now()) END
)sql" + kSessionColumns + R"sql(
 WHERE s.organization_id = v.org AND s.id = v.id
)sql";

const std::string kInsertSessions = std::string(R"sql(
INSERT INTO flow_sessions (organization_id, id, member_id, channel_id, flow_slug, version, state,
                           active, ended_at)
SELECT v.org, v.id, v.member, v.channel, v.flow, v.version, )sql") +
                                    kSessionState + R"sql(,
       v.active, CASE WHEN v.active THEN NULL ELSE now() END
)sql" + kSessionColumns;

// "Waiting" as the by-session index of migration 0006 writes it: only this path uses it.
constexpr const char* kCancelTimers = R"sql(
UPDATE member_events e SET processed_at = now(), outcome = 'cancelled'
  FROM unnest($1::bigint[], $2::bigint[]) AS v(org, session)
 WHERE e.organization_id = v.org AND e.session_id = v.session AND e.kind = 'timer'
   AND coalesce(e.processed_at, '-infinity') = '-infinity'
)sql";

constexpr const char* kInsertTimers = R"sql(
INSERT INTO member_events (organization_id, member_id, kind, channel_id, session_id, token,
                           payload, due_at)
SELECT org, member, 'timer', channel, session, token, jsonb_build_object('timer', timer),
       CASE WHEN until_minute IS NULL THEN now() + make_interval(secs => after_seconds)
            ELSE chorus_next_local_time(zone, until_minute::int) END
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::text[],
              $7::bigint[], $8::bigint[], $9::text[])
       AS v(org, member, channel, session, token, timer, after_seconds, until_minute, zone)
)sql";

// An RSVP or a check-in is one per member and event: a second RSVP changes its value.
constexpr const char* kInsertActions = R"sql(
INSERT INTO actions (organization_id, member_id, kind, target, event_id, value, channel_id,
                     session_id, inbound_message_id)
SELECT org, member, kind, target, event_id, value, channel, session, NULLIF(inbound, 0)
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[],
              $7::bigint[], $8::bigint[], $9::bigint[]) WITH ORDINALITY
       AS v(org, member, kind, target, event_id, value, channel, session, inbound, n)
 ORDER BY n
ON CONFLICT (organization_id, event_id, member_id, kind) WHERE kind IN ('rsvp', 'check_in')
DO UPDATE SET value = EXCLUDED.value, updated_at = now()
)sql";

constexpr const char* kInsertAnswers = R"sql(
INSERT INTO flow_answers (organization_id, member_id, channel_id, flow_slug, flow_version, step,
                          field, value)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::int[],
                     $6::text[], $7::text[], $8::text[])
)sql";

constexpr const char* kOpenHandOffs = R"sql(
INSERT INTO conversations (organization_id, member_id, channel_id, kind, session_id)
SELECT org, member, channel, 'hand_off', session
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])
       AS v(org, member, channel, session)
ON CONFLICT (organization_id, member_id) WHERE status = 'open' AND kind = 'hand_off' DO NOTHING
)sql";

constexpr const char* kInsertStories = R"sql(
WITH v AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],
                       $6::text[], $7::boolean[]) WITH ORDINALITY
         AS v(org, member, channel, session, body, place, share, n)
), c AS (
  INSERT INTO conversations (organization_id, member_id, channel_id, kind, session_id)
  SELECT org, member, channel, 'story', session FROM v ORDER BY n
  RETURNING organization_id, id, member_id, session_id
), numbered AS (
  SELECT c.*, row_number() OVER (ORDER BY c.id) AS n FROM c
)
INSERT INTO stories (organization_id, member_id, conversation_id, body, place, share_consent)
SELECT v.org, v.member, numbered.id, v.body, v.place, v.share
  FROM v JOIN numbered ON numbered.n = v.n
)sql";

constexpr const char* kAppendToConversations = R"sql(
INSERT INTO conversation_messages (organization_id, conversation_id, inbound_message_id)
SELECT v.org, c.id, v.inbound
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY
       AS v(org, member, inbound, n)
  JOIN conversations c ON c.organization_id = v.org AND c.member_id = v.member
                      AND c.status = 'open' AND c.kind = 'hand_off'
 ORDER BY v.n
)sql";

constexpr const char* kCloseHandOffs = R"sql(
UPDATE conversations c SET status = 'closed', closed_at = now()
  FROM unnest($1::bigint[], $2::bigint[]) AS v(org, member)
 WHERE c.organization_id = v.org AND c.member_id = v.member AND c.status = 'open'
   AND c.kind = 'hand_off'
)sql";

constexpr const char* kInsertWebhookCalls = R"sql(
INSERT INTO webhook_calls (organization_id, member_id, session_id, channel_id, token, step, url,
                           secret_name, timeout_ms, payload)
SELECT org, member, session, channel, token, step, url, secret, timeout_ms, payload::jsonb
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::text[],
              $7::text[], $8::text[], $9::int[], $10::text[])
       AS v(org, member, session, channel, token, step, url, secret, timeout_ms, payload)
)sql";

constexpr const char* kInsertAudit = R"sql(
INSERT INTO audit_log (organization_id, actor, action, member_id, detail)
SELECT org, 'processing', action, member, detail
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY
       AS v(org, member, action, detail, n)
 ORDER BY n
)sql";

// Queues the batch's replies and marks its inbound messages and other events processed in
// one statement. Returns the channel and status of each reply.
constexpr const char* kFinishBatch = R"sql(
WITH queued AS (
  INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body, kind,
                                 priority, segments, encoding, body_hash, status, error_code,
                                 inbound_message_id)
  SELECT org, channel, member, recipient, body, kind, 0, segments, encoding, body_hash,
         CASE WHEN cancel_reason IS NULL THEN 'queued' ELSE 'cancelled' END, cancel_reason,
         NULLIF(inbound, 0)
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                $7::int[], $8::text[], $9::int[], $10::text[], $11::bigint[]) WITH ORDINALITY
         AS v(org, channel, member, recipient, body, kind, segments, encoding, body_hash,
              cancel_reason, inbound, n)
   ORDER BY n
  RETURNING channel_id, status
), processed AS (
  UPDATE inbound_messages i
     SET processed_at = now(), outcome = v.outcome
    FROM unnest($12::bigint[], $13::bigint[], $14::text[]) AS v(org, id, outcome)
   WHERE i.organization_id = v.org AND i.id = v.id
), events AS (
  UPDATE member_events e
     SET processed_at = now(), outcome = v.outcome
    FROM unnest($15::bigint[], $16::bigint[], $17::text[]) AS v(org, id, outcome)
   WHERE e.organization_id = v.org AND e.id = v.id
)
SELECT channel_id, status FROM queued
)sql";

struct Triples {
  std::vector<std::int64_t> orgs, ids;
  std::vector<std::string> names;
  void Add(std::int64_t org, std::int64_t id, const std::string& name) {
    orgs.push_back(org);
    ids.push_back(id);
    names.push_back(name);
  }
};

void WriteFields(pqxx::work& tx, const BatchEffects& fx) {
  Triples rows;
  std::vector<std::string> values;
  for (const auto& u : fx.member_updates) {
    for (const auto& [name, value] : u.fields) {
      rows.Add(u.organization_id, u.member_id, name);
      values.push_back(value);
    }
  }
  if (rows.orgs.empty()) return;
  tx.exec_prepared("update_fields", IntArray(rows.orgs), IntArray(rows.ids), TextArray(rows.names),
                   TextArray(values));
}

void WriteTags(pqxx::work& tx, const BatchEffects& fx) {
  Triples rows;
  std::vector<bool> adds;
  for (const auto& u : fx.member_updates) {
    for (const auto& tag : u.tags_added)
      rows.Add(u.organization_id, u.member_id, tag), adds.push_back(true);
    for (const auto& tag : u.tags_removed)
      rows.Add(u.organization_id, u.member_id, tag), adds.push_back(false);
  }
  if (rows.orgs.empty()) return;
  tx.exec_prepared("update_tags", IntArray(rows.orgs), IntArray(rows.ids), TextArray(rows.names),
                   BoolArray(adds));
}

void WriteChapters(pqxx::work& tx, const BatchEffects& fx) {
  Triples joins, leaves;
  for (const auto& u : fx.member_updates) {
    for (const auto& slug : u.chapters_joined) joins.Add(u.organization_id, u.member_id, slug);
    for (const auto& slug : u.chapters_left) leaves.Add(u.organization_id, u.member_id, slug);
  }
  if (!leaves.orgs.empty()) {
    tx.exec_prepared("leave_chapters", IntArray(leaves.orgs), IntArray(leaves.ids),
                     TextArray(leaves.names));
  }
  if (!joins.orgs.empty()) {
    tx.exec_prepared("join_chapters", IntArray(joins.orgs), IntArray(joins.ids),
                     TextArray(joins.names));
  }
}

struct OptOutRows {
  std::vector<std::int64_t> orgs, members;
  std::vector<std::optional<std::int64_t>> channels;
  void Add(std::int64_t org, std::int64_t member, std::optional<std::int64_t> channel) {
    orgs.push_back(org);
    members.push_back(member);
    channels.push_back(channel);
  }
  bool empty() const { return orgs.empty(); }
};

// Writes the difference between each member's opt-outs before and after the batch, so an
// opt-out that stays keeps its original time (compliance sends are judged against it).
void WriteOptOuts(pqxx::work& tx, const BatchContext& ctx, const BatchEffects& fx) {
  OptOutRows added, removed;
  for (const auto& after : fx.opt_outs) {
    const routing::MemberState& was = ctx.members.at(after.member_id).state;
    const std::int64_t org = after.organization_id, member = after.member_id;
    if (after.all && !was.opted_out_all) added.Add(org, member, std::nullopt);
    if (!after.all && was.opted_out_all) removed.Add(org, member, std::nullopt);
    const std::set<ChannelId> now(after.channels.begin(), after.channels.end());
    for (ChannelId c : now) {
      if (!was.opted_out_channels.count(c)) added.Add(org, member, c);
    }
    for (ChannelId c : was.opted_out_channels) {
      if (!now.count(c)) removed.Add(org, member, c);
    }
  }
  if (!removed.empty()) {
    tx.exec_prepared("delete_opt_outs", IntArray(removed.orgs), IntArray(removed.members),
                     NullableIntArray(removed.channels));
  }
  if (!added.empty()) {
    tx.exec_prepared("insert_opt_outs", IntArray(added.orgs), IntArray(added.members),
                     NullableIntArray(added.channels));
    tx.exec_prepared("cancel_queued", IntArray(added.orgs), IntArray(added.members),
                     NullableIntArray(added.channels));
  }
}

struct SessionRows {
  std::vector<std::int64_t> orgs, ids, members, channels;
  std::vector<std::string> flows, steps, story_texts, story_places;
  std::vector<std::int64_t> versions, seqs, tries, phases;
  std::vector<bool> reminded, active;
  std::vector<std::optional<std::int64_t>> events;

  void Add(const ingest::SessionWrite& w, std::int64_t id) {
    const flows::Session& s = w.session;
    orgs.push_back(w.organization_id);
    ids.push_back(id);
    members.push_back(w.member_id);
    channels.push_back(s.channel_id);
    flows.push_back(s.flow);
    versions.push_back(s.version);
    steps.push_back(s.step);
    seqs.push_back(s.seq);
    tries.push_back(s.tries);
    reminded.push_back(s.reminded);
    events.push_back(s.event_id);
    story_texts.push_back(s.story_text);
    story_places.push_back(s.story_place);
    phases.push_back(s.story_phase);
    active.push_back(s.active);
  }

  void Exec(pqxx::work& tx, const char* statement) const {
    if (orgs.empty()) return;
    tx.exec_prepared(statement, IntArray(orgs), IntArray(ids), IntArray(members),
                     IntArray(channels), TextArray(flows), IntArray(versions), TextArray(steps),
                     IntArray(seqs), IntArray(tries), BoolArray(reminded), NullableIntArray(events),
                     TextArray(story_texts), TextArray(story_places), IntArray(phases),
                     BoolArray(active));
  }
};

}  // namespace

std::vector<PreparedStatement> EffectStatements() {
  static const std::string update_sessions = kUpdateSessions;
  static const std::string insert_sessions = kInsertSessions;
  return {{"update_members", kUpdateMembers},
          {"update_fields", kUpdateFields},
          {"update_tags", kUpdateTags},
          {"join_chapters", kJoinChapters},
          {"leave_chapters", kLeaveChapters},
          {"insert_consents", kInsertConsents},
          {"delete_opt_outs", kDeleteOptOuts},
          {"insert_opt_outs", kInsertOptOuts},
          {"cancel_queued", kCancelQueued},
          {"session_ids", kSessionIds},
          {"update_sessions", update_sessions.c_str()},
          {"insert_sessions", insert_sessions.c_str()},
          {"cancel_timers", kCancelTimers},
          {"insert_timers", kInsertTimers},
          {"insert_actions", kInsertActions},
          {"insert_answers", kInsertAnswers},
          {"open_hand_offs", kOpenHandOffs},
          {"insert_stories", kInsertStories},
          {"append_to_conversations", kAppendToConversations},
          {"close_hand_offs", kCloseHandOffs},
          {"insert_webhook_calls", kInsertWebhookCalls},
          {"insert_audit", kInsertAudit},
          {"finish_batch", kFinishBatch}};
}

void WriteMemberUpdates(pqxx::work& tx, const BatchEffects& fx) {
  if (fx.member_updates.empty()) return;
  std::vector<std::int64_t> orgs, ids;
  std::vector<std::optional<std::string>> languages;
  std::vector<bool> joins;
  for (const auto& u : fx.member_updates) {
    if (!u.language && !u.join) continue;
    orgs.push_back(u.organization_id);
    ids.push_back(u.member_id);
    languages.push_back(u.language);
    joins.push_back(u.join);
  }
  if (!orgs.empty()) {
    tx.exec_prepared("update_members", IntArray(orgs), IntArray(ids), NullableTextArray(languages),
                     BoolArray(joins));
  }
  WriteFields(tx, fx);
  WriteTags(tx, fx);
  WriteChapters(tx, fx);
}

void WriteConsents(pqxx::work& tx, const BatchContext& ctx, const BatchEffects& fx) {
  if (!fx.consents.empty()) {
    std::vector<std::int64_t> orgs, members, channels, inbound;
    std::vector<std::string> kinds, scopes, keywords, languages, sources;
    for (const auto& c : fx.consents) {
      orgs.push_back(c.organization_id);
      members.push_back(c.member_id);
      channels.push_back(c.channel_id);
      kinds.push_back(c.change.kind == routing::ConsentKind::kOptIn ? "opt_in" : "opt_out");
      scopes.push_back(c.change.scope == routing::ConsentScope::kChannel ? "channel"
                                                                         : "organization");
      keywords.push_back(c.change.keyword);
      languages.push_back(c.change.language);
      inbound.push_back(c.inbound_id);
      sources.push_back(c.source);
    }
    tx.exec_prepared("insert_consents", IntArray(orgs), IntArray(members), IntArray(channels),
                     TextArray(kinds), TextArray(scopes), TextArray(keywords), TextArray(languages),
                     IntArray(inbound), TextArray(sources));
  }
  WriteOptOuts(tx, ctx, fx);
}

// Existing sessions are updated first, so one that ended frees its member and channel for a
// new one in the same batch (the partial unique index flow_sessions_active).
SessionIds WriteSessions(pqxx::work& tx, const BatchEffects& fx) {
  SessionIds ids(fx.sessions.size(), 0);
  std::size_t fresh = 0;
  for (const auto& w : fx.sessions) fresh += w.session.id == 0 ? 1 : 0;
  std::vector<std::int64_t> allocated;
  if (fresh > 0) {
    for (const auto& row : tx.exec_prepared("session_ids", static_cast<std::int64_t>(fresh))) {
      allocated.push_back(row[0].as<std::int64_t>());
    }
  }
  SessionRows updates, inserts;
  std::size_t next = 0;
  for (std::size_t i = 0; i < fx.sessions.size(); ++i) {
    const auto& w = fx.sessions[i];
    if (w.session.id != 0) {
      ids[i] = w.session.id;
      updates.Add(w, ids[i]);
    } else {
      ids[i] = allocated.at(next++);
      inserts.Add(w, ids[i]);
    }
  }
  updates.Exec(tx, "update_sessions");
  inserts.Exec(tx, "insert_sessions");
  return ids;
}

void WriteTimers(pqxx::work& tx, const BatchEffects& fx, const SessionIds& ids) {
  std::vector<std::int64_t> cancel_orgs, cancel_sessions;
  for (std::size_t i = 0; i < fx.sessions.size(); ++i) {
    if (!fx.sessions[i].cancel_stored_timers || fx.sessions[i].session.id == 0) continue;
    cancel_orgs.push_back(fx.sessions[i].organization_id);
    cancel_sessions.push_back(ids[i]);
  }
  if (!cancel_orgs.empty()) {
    tx.exec_prepared("cancel_timers", IntArray(cancel_orgs), IntArray(cancel_sessions));
  }
  if (fx.timers.empty()) return;
  std::vector<std::int64_t> orgs, members, channels, sessions, tokens, after;
  std::vector<std::optional<std::int64_t>> minutes;
  std::vector<std::string> kinds, zones;
  for (const auto& t : fx.timers) {
    orgs.push_back(t.organization_id);
    members.push_back(t.member_id);
    channels.push_back(t.channel_id);
    sessions.push_back(ids.at(t.session));
    tokens.push_back(t.request.token);
    kinds.emplace_back(flows::TimerKindName(t.request.kind));
    after.push_back(t.request.after.count());
    minutes.push_back(t.request.until_minute ? std::optional<std::int64_t>(*t.request.until_minute)
                                             : std::nullopt);
    zones.push_back(t.time_zone.empty() ? "UTC" : t.time_zone);
  }
  tx.exec_prepared("insert_timers", IntArray(orgs), IntArray(members), IntArray(channels),
                   IntArray(sessions), IntArray(tokens), TextArray(kinds), IntArray(after),
                   NullableIntArray(minutes), TextArray(zones));
}

void WriteActions(pqxx::work& tx, const BatchEffects& fx, const SessionIds& ids) {
  if (fx.actions.empty()) return;
  std::vector<std::int64_t> orgs, members, channels, inbound;
  std::vector<std::optional<std::int64_t>> events, sessions;
  std::vector<std::string> kinds, targets, values;
  for (const auto& a : fx.actions) {
    orgs.push_back(a.organization_id);
    members.push_back(a.member_id);
    kinds.emplace_back(flows::ActionKindName(a.action.kind));
    targets.push_back(a.action.target);
    events.push_back(a.action.event_id);
    values.push_back(a.action.value);
    channels.push_back(a.channel_id);
    sessions.push_back(a.session ? std::optional<std::int64_t>(ids.at(*a.session)) : std::nullopt);
    inbound.push_back(a.inbound_id);
  }
  tx.exec_prepared("insert_actions", IntArray(orgs), IntArray(members), TextArray(kinds),
                   TextArray(targets), NullableIntArray(events), TextArray(values),
                   IntArray(channels), NullableIntArray(sessions), IntArray(inbound));
}

void WriteBroadcastReplies(pqxx::work& tx, const ingest::BatchEffects& fx) {
  if (fx.broadcast_replies.empty()) return;
  std::vector<std::int64_t> orgs, ids;
  for (const auto& [org, id] : fx.broadcast_replies) {
    orgs.push_back(org);
    ids.push_back(id);
  }
  tx.exec_params("UPDATE outbound_messages o SET replied_at = now() FROM unnest($1::bigint[],"
                 " $2::bigint[]) AS v(org, id) WHERE o.organization_id = v.org AND o.id = v.id"
                 " AND o.replied_at IS NULL",
                 IntArray(orgs), IntArray(ids));
}

void WriteAnswers(pqxx::work& tx, const BatchEffects& fx) {
  if (fx.answers.empty()) return;
  std::vector<std::int64_t> orgs, members, channels, versions;
  std::vector<std::string> flows, steps, fields, values;
  for (const auto& a : fx.answers) {
    orgs.push_back(a.organization_id);
    members.push_back(a.member_id);
    channels.push_back(a.channel_id);
    flows.push_back(a.flow);
    versions.push_back(a.version);
    steps.push_back(a.answer.step);
    fields.push_back(a.answer.field);
    values.push_back(a.answer.value);
  }
  tx.exec_prepared("insert_answers", IntArray(orgs), IntArray(members), IntArray(channels),
                   TextArray(flows), IntArray(versions), TextArray(steps), TextArray(fields),
                   TextArray(values));
}

void WriteInbox(pqxx::work& tx, const BatchEffects& fx, const SessionIds& ids) {
  std::vector<std::int64_t> h_orgs, h_members, h_channels, h_sessions;
  std::vector<std::int64_t> s_orgs, s_members, s_channels, s_sessions;
  std::vector<std::string> s_bodies, s_places;
  std::vector<bool> s_share;
  std::vector<std::int64_t> m_orgs, m_members, m_inbound;
  std::vector<std::int64_t> c_orgs, c_members;
  for (const auto& w : fx.inbox) {
    const std::int64_t session = w.session ? ids.at(*w.session) : 0;
    switch (w.kind) {
      case ingest::InboxWrite::Kind::kHandOff:
        h_orgs.push_back(w.organization_id);
        h_members.push_back(w.member_id);
        h_channels.push_back(w.channel_id);
        h_sessions.push_back(session);
        break;
      case ingest::InboxWrite::Kind::kStory:
        s_orgs.push_back(w.organization_id);
        s_members.push_back(w.member_id);
        s_channels.push_back(w.channel_id);
        s_sessions.push_back(session);
        s_bodies.push_back(w.story.text);
        s_places.push_back(w.story.place);
        s_share.push_back(w.story.share);
        break;
      case ingest::InboxWrite::Kind::kMessage:
        m_orgs.push_back(w.organization_id);
        m_members.push_back(w.member_id);
        m_inbound.push_back(w.inbound_id);
        break;
      case ingest::InboxWrite::Kind::kClose:
        c_orgs.push_back(w.organization_id);
        c_members.push_back(w.member_id);
        break;
    }
  }
  if (!h_orgs.empty()) {
    tx.exec_prepared("open_hand_offs", IntArray(h_orgs), IntArray(h_members), IntArray(h_channels),
                     IntArray(h_sessions));
  }
  if (!s_orgs.empty()) {
    tx.exec_prepared("insert_stories", IntArray(s_orgs), IntArray(s_members), IntArray(s_channels),
                     IntArray(s_sessions), TextArray(s_bodies), TextArray(s_places),
                     BoolArray(s_share));
  }
  if (!m_orgs.empty()) {
    tx.exec_prepared("append_to_conversations", IntArray(m_orgs), IntArray(m_members),
                     IntArray(m_inbound));
  }
  // After the appends: what the member wrote before their STOP stays in the conversation.
  if (!c_orgs.empty()) {
    tx.exec_prepared("close_hand_offs", IntArray(c_orgs), IntArray(c_members));
  }
}

void WriteWebhookCalls(pqxx::work& tx, const BatchEffects& fx, const SessionIds& ids) {
  if (fx.webhook_calls.empty()) return;
  std::vector<std::int64_t> orgs, members, sessions, channels, tokens, timeouts;
  std::vector<std::string> steps, urls, secrets, payloads;
  for (const auto& c : fx.webhook_calls) {
    orgs.push_back(c.organization_id);
    members.push_back(c.member_id);
    sessions.push_back(ids.at(c.session));
    channels.push_back(c.channel_id);
    tokens.push_back(c.request.token);
    steps.push_back(c.request.step);
    urls.push_back(c.request.url);
    secrets.push_back(c.request.secret);
    timeouts.push_back(c.request.timeout.count());
    payloads.push_back(c.payload);
  }
  tx.exec_prepared("insert_webhook_calls", IntArray(orgs), IntArray(members), IntArray(sessions),
                   IntArray(channels), IntArray(tokens), TextArray(steps), TextArray(urls),
                   TextArray(secrets), IntArray(timeouts), TextArray(payloads));
}

void WriteAudit(pqxx::work& tx, const BatchEffects& fx) {
  if (fx.audit.empty()) return;
  std::vector<std::int64_t> orgs, members;
  std::vector<std::string> actions, details;
  for (const auto& a : fx.audit) {
    orgs.push_back(a.organization_id);
    members.push_back(a.member_id);
    actions.push_back(a.action);
    details.push_back(a.detail);
  }
  tx.exec_prepared("insert_audit", IntArray(orgs), IntArray(members), TextArray(actions),
                   TextArray(details));
}

std::vector<ChannelId> WriteMessagesAndMarks(pqxx::work& tx, const BatchEffects& fx) {
  std::vector<std::int64_t> orgs, channels, members, segments, hashes, inbound;
  std::vector<std::string> recipients, bodies, kinds, encodings;
  std::vector<std::optional<std::string>> reasons;
  for (const auto& d : fx.outbound) {
    orgs.push_back(d.organization_id);
    channels.push_back(d.channel_id);
    members.push_back(d.member_id);
    recipients.push_back(d.recipient);
    bodies.push_back(d.body);
    kinds.push_back(d.kind == routing::ReplyKind::kCompliance ? "compliance" : "reply");
    segments.push_back(d.segments);
    encodings.push_back(d.ucs2 ? "ucs2" : "gsm7");
    hashes.push_back(static_cast<std::int32_t>(d.body_hash));
    reasons.push_back(d.cancelled ? std::optional<std::string>(d.cancel_reason) : std::nullopt);
    inbound.push_back(d.inbound_id);
  }
  std::vector<std::int64_t> in_orgs, in_ids, ev_orgs, ev_ids;
  std::vector<std::string> in_outcomes, ev_outcomes;
  for (const auto& p : fx.processed) {
    if (p.kind == ingest::EventKind::kInbound) {
      in_orgs.push_back(p.organization_id);
      in_ids.push_back(p.id);
      in_outcomes.emplace_back(routing::OutcomeName(p.outcome));
    } else {
      ev_orgs.push_back(p.organization_id);
      ev_ids.push_back(p.id);
      ev_outcomes.emplace_back(ingest::EventOutcomeName(p.event_outcome));
    }
  }
  std::set<ChannelId> queued;
  for (const auto& row : tx.exec_prepared(
           "finish_batch", IntArray(orgs), IntArray(channels), IntArray(members),
           TextArray(recipients), TextArray(bodies), TextArray(kinds), IntArray(segments),
           TextArray(encodings), IntArray(hashes), NullableTextArray(reasons), IntArray(inbound),
           IntArray(in_orgs), IntArray(in_ids), TextArray(in_outcomes), IntArray(ev_orgs),
           IntArray(ev_ids), TextArray(ev_outcomes))) {
    if (std::string_view(row[1].c_str()) == "queued") queued.insert(row[0].as<std::int64_t>());
  }
  return {queued.begin(), queued.end()};
}

}  // namespace chorus::store::pg

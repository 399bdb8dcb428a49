#include "store/pg/pg_processing_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "store/pg/pg_array.hpp"
#include "store/pg/pg_effect_writers.hpp"
#include "store/pg/processing_statements.hpp"

namespace chorus::store::pg {
namespace {

using ingest::BatchContext;
using ingest::BatchEffects;
using ingest::MemberKey;

// Events of one kind loaded per member and batch: the rest wait for the next batch (the
// member is hinted again), so a member with a huge backlog cannot make one transaction huge.
constexpr std::int64_t kEventsPerMember = 64;

// Unnest keeps array order, so locks are taken in the order of the (sorted) array.
constexpr const char* kLock =
    "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k";

// Every member of the batch with what routing and flows need: opt-outs (0 stands for the whole
// organization), how often each text went to them inside their organization's loop-guard
// window, tags and chapters (slugs are [a-z0-9-_], so a comma list is unambiguous), and an
// open hand-off.
constexpr const char* kLoadMembers = R"sql(
SELECT m.id, m.organization_id, m.phone_e164, COALESCE(m.language, ''), m.joined_at IS NOT NULL,
       (SELECT array_agg(COALESCE(x.channel_id, 0)) FROM opt_outs x
         WHERE x.organization_id = m.organization_id AND x.member_id = m.id),
       recent.hashes, recent.counts, array_to_string(m.tags, ','),
       (SELECT string_agg(c.slug, ',') FROM member_chapters mc
          JOIN chapters c ON c.organization_id = mc.organization_id AND c.id = mc.chapter_id
         WHERE mc.organization_id = m.organization_id AND mc.member_id = m.id),
       COALESCE(h.id, 0), COALESCE(h.channel_id, 0),
       COALESCE(br.id, 0), COALESCE(br.channel_id, 0), COALESCE(br.flow, '')
  FROM unnest($1::bigint[], $2::bigint[]) AS k(org, member)
  JOIN members m ON m.organization_id = k.org AND m.id = k.member
  JOIN organizations g ON g.id = m.organization_id
  LEFT JOIN conversations h ON h.organization_id = m.organization_id AND h.member_id = m.id
                           AND h.status = 'open' AND h.kind = 'hand_off'
  LEFT JOIN LATERAL (
    SELECT array_agg(body_hash) AS hashes, array_agg(n) AS counts FROM (
      SELECT o.body_hash, count(*) AS n FROM outbound_messages o
       WHERE o.organization_id = m.organization_id AND o.member_id = m.id
         AND o.created_at > now() - make_interval(secs => g.loop_guard_window_seconds)
         AND o.status <> 'cancelled'
       GROUP BY o.body_hash) per_text
  ) recent ON true
  -- The latest broadcast message sent inside its reply window (a day without one) and not yet
  -- answered: newest first along outbound_member_recent, stopping at the first.
  LEFT JOIN LATERAL (
    SELECT o.id, o.channel_id, COALESCE(b.reply_flow, '') AS flow
      FROM outbound_messages o
      JOIN broadcasts b ON b.organization_id = o.organization_id AND b.id = o.broadcast_id
     WHERE o.organization_id = m.organization_id AND o.member_id = m.id
       AND o.broadcast_id IS NOT NULL AND o.sent_at IS NOT NULL AND o.replied_at IS NULL
       AND o.created_at > now() - interval '30 days'
       AND o.sent_at > now() - make_interval(secs => CASE WHEN b.reply_window_seconds > 0
                                                         THEN b.reply_window_seconds ELSE 86400 END)
     ORDER BY o.created_at DESC
     LIMIT 1
  ) br ON true
)sql";

constexpr const char* kLoadFields = R"sql(
SELECT m.id, f.key, f.value
  FROM unnest($1::bigint[], $2::bigint[]) AS k(org, member)
  JOIN members m ON m.organization_id = k.org AND m.id = k.member
  CROSS JOIN LATERAL jsonb_each_text(m.fields) AS f
)sql";

constexpr const char* kLoadSessions = R"sql(
SELECT s.member_id, s.id, s.channel_id, s.flow_slug, s.version,
       COALESCE(s.state->>'step', ''), COALESCE((s.state->>'seq')::int, 0),
       COALESCE((s.state->>'tries')::int, 0), COALESCE((s.state->>'reminded')::boolean, false),
       (s.state->>'event_id')::bigint, COALESCE(s.state->>'story_text', ''),
       COALESCE(s.state->>'story_place', ''), COALESCE((s.state->>'story_phase')::int, 0)
  FROM unnest($1::bigint[], $2::bigint[]) AS k(org, member)
  JOIN flow_sessions s ON s.organization_id = k.org AND s.member_id = k.member AND s.active
 ORDER BY s.id
)sql";

constexpr const char* kQuarantineInbound =
    "UPDATE inbound_messages SET processed_at = now(), outcome = 'error' "
    "WHERE organization_id = $1 AND member_id = $2 AND processed_at IS NULL";
constexpr const char* kQuarantineEvents =
    "UPDATE member_events SET processed_at = now(), outcome = 'error' "
    "WHERE organization_id = $1 AND member_id = $2 AND processed_at IS NULL AND due_at <= now()";

// "Waiting" is written as migration 0006's by-age and by-due-time indexes write it, which only
// these paths use (the migration says why).
constexpr const char* kFindUnprocessed = R"sql(
SELECT DISTINCT organization_id, member_id FROM (
  (SELECT organization_id, member_id FROM inbound_messages
    WHERE coalesce(processed_at, 'infinity') = 'infinity' AND member_id IS NOT NULL
      AND received_at < now() - make_interval(secs => $1::double precision)
    ORDER BY received_at LIMIT $2)
  UNION ALL
  (SELECT organization_id, member_id FROM member_events
    WHERE coalesce(processed_at, 'infinity') = 'infinity'
      AND due_at < now() - make_interval(secs => $1::double precision)
    ORDER BY due_at LIMIT $2)) q
 LIMIT $2
)sql";

// Due timers and results are claimed by one node for a while (SKIP LOCKED: claimers never
// wait on each other); the processed mark in the member's transaction is what makes firing
// exactly once, so a claim that expires with its node only delays the event.
constexpr const char* kClaimDue = R"sql(
WITH due AS (
  SELECT organization_id, id FROM member_events
   WHERE coalesce(processed_at, 'infinity') = 'infinity' AND due_at <= now()
     AND (claimed_until IS NULL OR claimed_until < now())
   ORDER BY due_at LIMIT $1
   FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE member_events e SET claimed_until = now() + make_interval(secs => $2::double precision)
    FROM due WHERE e.organization_id = due.organization_id AND e.id = due.id
  RETURNING e.organization_id, e.member_id
)
SELECT DISTINCT organization_id, member_id FROM claimed
)sql";

// Events whose follow-up time came: attendees (checked in) start the attended flow, members who
// RSVPed yes and did not come the absent flow, each member once (event_follow_ups), as
// flow_start member events. Runs with the due-event claim, on whichever node claims first.
constexpr const char* kStartFollowUps = R"sql(
WITH due AS (
  SELECT organization_id, id, attended_flow, absent_flow FROM events
   WHERE followed_up_at IS NULL AND archived_at IS NULL AND follow_up_at <= now()
   ORDER BY follow_up_at LIMIT 10
   FOR UPDATE SKIP LOCKED
), marked AS (
  UPDATE events e SET followed_up_at = now()
    FROM due WHERE e.organization_id = due.organization_id AND e.id = due.id
), targets AS (
  SELECT d.organization_id, d.id AS event_id, a.member_id,
         bool_or(a.kind = 'check_in') AS attended,
         bool_or(a.kind = 'rsvp' AND lower(a.value) = 'yes') AS rsvp_yes,
         (array_agg(a.channel_id ORDER BY a.id DESC))[1] AS channel_id
    FROM due d
    JOIN actions a ON a.organization_id = d.organization_id AND a.event_id = d.id
                  AND a.kind IN ('rsvp', 'check_in')
   GROUP BY d.organization_id, d.id, a.member_id
), chosen AS (
  SELECT t.organization_id, t.event_id, t.member_id, t.channel_id, t.attended,
         CASE WHEN t.attended THEN d.attended_flow WHEN t.rsvp_yes THEN d.absent_flow END AS flow
    FROM targets t JOIN due d ON d.organization_id = t.organization_id AND d.id = t.event_id
), recorded AS (
  INSERT INTO event_follow_ups (organization_id, event_id, member_id, flow_slug, attended)
  SELECT organization_id, event_id, member_id, flow, attended FROM chosen WHERE flow IS NOT NULL
  ON CONFLICT DO NOTHING
  RETURNING organization_id, event_id, member_id, flow_slug
)
INSERT INTO member_events (organization_id, member_id, kind, channel_id, payload)
SELECT r.organization_id, r.member_id, 'flow_start', c.channel_id,
       jsonb_build_object('flow', r.flow_slug, 'event_id', r.event_id)
  FROM recorded r
  JOIN chosen c ON c.organization_id = r.organization_id AND c.event_id = r.event_id
               AND c.member_id = r.member_id
)sql";

struct KeyArrays {
  std::vector<std::int64_t> orgs, members;
  explicit KeyArrays(const std::vector<MemberKey>& keys) {
    for (const auto& key : keys) {
      orgs.push_back(key.organization_id);
      members.push_back(key.member_id);
    }
  }
};

// Deduplicated and sorted by lock key: every node takes locks in the same order.
std::vector<MemberKey> SortedUnique(const std::vector<MemberKey>& keys) {
  std::map<std::int64_t, MemberKey> by_lock;
  for (const auto& key : keys) by_lock.emplace(ingest::MemberLockKey(key), key);
  std::vector<MemberKey> out;
  for (auto& [lock, key] : by_lock) out.push_back(key);
  return out;
}

void LockMembers(pqxx::work& tx, const std::vector<MemberKey>& sorted) {
  std::vector<std::int64_t> locks;
  for (const auto& key : sorted) locks.push_back(ingest::MemberLockKey(key));
  tx.exec_prepared("lock_members", IntArray(locks));
}

ingest::EventKind KindFrom(std::string_view name) {
  for (auto kind : {ingest::EventKind::kTimer, ingest::EventKind::kWebhookResult,
                    ingest::EventKind::kFlowStart, ingest::EventKind::kOrganizerReply,
                    ingest::EventKind::kOrganizerOptOut, ingest::EventKind::kOrganizerUpdate}) {
    if (ingest::EventKindName(kind) == name) return kind;
  }
  return ingest::EventKind::kInbound;
}

// Returns the members whose events filled the per-member limit: they have more waiting.
std::vector<MemberKey> LoadEvents(pqxx::work& tx, const KeyArrays& k, BatchContext& ctx) {
  std::map<std::pair<MemberId, int>, std::int64_t> counts;
  std::map<MemberId, OrganizationId> org_of;
  for (const auto& row : tx.exec_prepared("load_events", IntArray(k.orgs), IntArray(k.members),
                                          kEventsPerMember)) {
    ingest::MemberEvent e;
    const int src = row[0].as<int>();
    e.id = row[1].as<std::int64_t>();
    e.organization_id = row[2].as<std::int64_t>();
    e.member_id = row[3].as<std::int64_t>();
    e.channel_id = row[4].as<std::int64_t>();
    e.body = row[5].c_str();
    e.session_id = row[6].as<std::int64_t>();
    e.token = row[7].as<int>();
    e.kind = KindFrom(row[8].c_str());
    e.timer = flows::TimerKindFromName(row[9].c_str());
    e.ok = row[10].as<bool>();
    e.flow = row[11].c_str();
    if (!row[12].is_null()) e.event_id = row[12].as<std::int64_t>();
    ++counts[{e.member_id, src}];
    org_of[e.member_id] = e.organization_id;
    ctx.events.push_back(std::move(e));
  }
  std::set<MemberKey> more;
  for (const auto& [key, n] : counts) {
    if (n >= kEventsPerMember) more.insert(MemberKey{org_of[key.first], key.first});
  }
  return {more.begin(), more.end()};
}

std::set<std::string> SplitList(const pqxx::field& field) {
  std::set<std::string> out;
  if (field.is_null()) return out;
  std::string_view text = field.c_str();
  while (!text.empty()) {
    const auto comma = text.find(',');
    if (comma != 0) out.emplace(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

void LoadMembers(pqxx::work& tx, const KeyArrays& k, BatchContext& ctx) {
  for (const auto& row :
       tx.exec_prepared("load_members", IntArray(k.orgs), IntArray(k.members))) {
    ingest::MemberRecord r;
    r.id = row[0].as<std::int64_t>();
    r.organization_id = row[1].as<std::int64_t>();
    r.phone = row[2].c_str();
    r.state.language = row[3].c_str();
    r.state.joined = row[4].as<bool>();
    for (std::int64_t channel : ParseIntArray(row[5].is_null() ? "" : row[5].c_str())) {
      if (channel == 0) r.state.opted_out_all = true;
      else r.state.opted_out_channels.insert(channel);
    }
    const auto hashes = ParseIntArray(row[6].is_null() ? "" : row[6].c_str());
    const auto counts = ParseIntArray(row[7].is_null() ? "" : row[7].c_str());
    for (std::size_t i = 0; i < hashes.size() && i < counts.size(); ++i) {
      r.recent_sends[static_cast<std::uint32_t>(hashes[i])] = static_cast<int>(counts[i]);
    }
    r.view.language = r.state.language;
    r.view.tags = SplitList(row[8]);
    r.view.chapters = SplitList(row[9]);
    r.open_conversation = row[10].as<std::int64_t>();
    r.conversation_channel = row[11].as<std::int64_t>();
    if (row[12].as<std::int64_t>() != 0) {
      r.broadcast_reply = ingest::MemberRecord::BroadcastReply{
          row[12].as<std::int64_t>(), row[13].as<std::int64_t>(), row[14].c_str()};
    }
    ctx.members.emplace(r.id, std::move(r));
  }
  for (const auto& row : tx.exec_prepared("load_fields", IntArray(k.orgs), IntArray(k.members))) {
    auto it = ctx.members.find(row[0].as<std::int64_t>());
    if (it != ctx.members.end()) it->second.view.fields[row[1].c_str()] = row[2].c_str();
  }
  for (const auto& row :
       tx.exec_prepared("load_sessions", IntArray(k.orgs), IntArray(k.members))) {
    auto it = ctx.members.find(row[0].as<std::int64_t>());
    if (it == ctx.members.end()) continue;
    flows::Session s;
    s.id = row[1].as<std::int64_t>();
    s.channel_id = row[2].as<std::int64_t>();
    s.flow = row[3].c_str();
    s.version = row[4].as<int>();
    s.step = row[5].c_str();
    s.seq = row[6].as<int>();
    s.tries = row[7].as<int>();
    s.reminded = row[8].as<bool>();
    if (!row[9].is_null()) s.event_id = row[9].as<std::int64_t>();
    s.story_text = row[10].c_str();
    s.story_place = row[11].c_str();
    s.story_phase = row[12].as<int>();
    it->second.sessions.push_back(std::move(s));
  }
}

std::vector<PreparedStatement> Statements() {
  std::vector<PreparedStatement> out{{"lock_members", kLock},
                                     kLoadEvents,
                                     {"load_members", kLoadMembers},
                                     {"load_fields", kLoadFields},
                                     {"load_sessions", kLoadSessions},
                                     {"claim_due", kClaimDue},
                                     {"start_follow_ups", kStartFollowUps}};
  for (const auto& s : EffectStatements()) out.push_back(s);
  return out;
}

// Every statement here looks up rows by key (LATERAL per member, unnest joins, partial indexes).
// After a burst the statistics lag the tables (100,000 rows inserted, the planner still
// believes there are a few hundred) and it picks sequential scans per member: one batch took
// 7 s behind 200,000 waiting events before ANALYZE, 7 ms after (BENCHMARKS.md). Index scans are
// right at every size for these statements, so this connection never plans a sequential scan.
void PrepareProcessing(pqxx::connection& c) {
  pqxx::nontransaction settings(c);
  settings.exec("SET enable_seqscan = off");
  settings.commit();
  for (const auto& s : Statements()) c.prepare(s.name, s.sql);
}

}  // namespace

PgProcessingStore::PgProcessingStore(std::string dsn)
    : session_(std::move(dsn), PrepareProcessing) {}

Result<ingest::BatchResult> PgProcessingStore::ProcessBatch(const std::vector<MemberKey>& keys,
                                                             const Decide& decide) {
  return session_.Run([&](pqxx::connection& c) {
    const std::vector<MemberKey> sorted = SortedUnique(keys);
    const KeyArrays k(sorted);
    pqxx::work tx(c);
    LockMembers(tx, sorted);
    BatchContext ctx;
    ctx.now = std::chrono::system_clock::now();
    ingest::BatchResult result;
    result.more = LoadEvents(tx, k, ctx);
    if (ctx.events.empty()) return result;  // another node got there first
    LoadMembers(tx, k, ctx);
    const BatchEffects fx = decide(ctx);
    WriteMemberUpdates(tx, fx);
    WriteConsents(tx, ctx, fx);
    const SessionIds ids = WriteSessions(tx, fx);
    WriteActions(tx, fx, ids);
    WriteAnswers(tx, fx);
    WriteBroadcastReplies(tx, fx);
    WriteInbox(tx, fx, ids);
    WriteWebhookCalls(tx, fx, ids);
    WriteAudit(tx, fx);
    result.outbound_channels = WriteMessagesAndMarks(tx, fx);
    // After the marks: a timer this batch fired is processed already, so cancelling the
    // session's other timers does not write its row a second time.
    WriteTimers(tx, fx, ids);
    result.webhook_calls = !fx.webhook_calls.empty();
    tx.commit();
    return result;
  });
}

Result<void> PgProcessingStore::Quarantine(const MemberKey& key) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(kQuarantineInbound, key.organization_id, key.member_id);
    tx.exec_params(kQuarantineEvents, key.organization_id, key.member_id);
    tx.commit();
  });
}

Result<std::vector<MemberKey>> PgProcessingStore::FindUnprocessed(
    std::chrono::milliseconds older_than, std::size_t limit) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<MemberKey> keys;
    for (const auto& row : tx.exec_params(kFindUnprocessed,
                                          static_cast<double>(older_than.count()) / 1000.0,
                                          static_cast<std::int64_t>(limit))) {
      keys.push_back(MemberKey{row[0].as<std::int64_t>(), row[1].as<std::int64_t>()});
    }
    return keys;
  });
}

Result<std::vector<MemberKey>> PgProcessingStore::ClaimDue(std::size_t limit,
                                                           std::chrono::milliseconds lease) {
  return session_.Run([&](pqxx::connection& c) {
    {
      pqxx::work follow_ups(c);
      follow_ups.exec_prepared("start_follow_ups");
      follow_ups.commit();
    }
    pqxx::work tx(c);
    std::vector<MemberKey> keys;
    for (const auto& row : tx.exec_prepared("claim_due", static_cast<std::int64_t>(limit),
                                            static_cast<double>(lease.count()) / 1000.0)) {
      keys.push_back(MemberKey{row[0].as<std::int64_t>(), row[1].as<std::int64_t>()});
    }
    tx.commit();
    return keys;
  });
}

}  // namespace chorus::store::pg

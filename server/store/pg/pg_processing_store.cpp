#include "store/pg/pg_processing_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

using ingest::BatchContext;
using ingest::BatchEffects;
using ingest::MemberKey;
using ingest::MemberKeyString;

// Unnest keeps array order, so locks are taken in the order of the (sorted) array.
constexpr const char* kLock =
    "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k";

constexpr const char* kLoadMessages = R"sql(
SELECT i.id, i.organization_id, i.channel_id, i.sender, i.sender_is_e164, i.body
  FROM inbound_messages i
  JOIN unnest($1::bigint[], $2::text[]) AS k(org, sender)
    ON i.organization_id = k.org AND i.sender = k.sender
 WHERE i.processed_at IS NULL
 ORDER BY i.id
)sql";

// Creates the members that are new and returns every member of the batch with what routing
// needs about them, in one statement: their opt-outs (0 stands for the whole organization) and
// how often each text went to them inside their organization's loop-guard window (an index
// range on outbound_member_recent per member). The snapshot of `found`'s second SELECT predates
// the INSERT, so it returns exactly the members that already existed (a member's key is locked
// by this transaction, so no other processing transaction creates it meanwhile).
constexpr const char* kLoadMembers = R"sql(
WITH k AS (
  SELECT * FROM unnest($1::bigint[], $2::text[]) AS k(org, phone)
), created AS (
  INSERT INTO members (organization_id, phone_e164)
  SELECT org, phone FROM k
  ON CONFLICT (organization_id, phone_e164) DO NOTHING
  RETURNING id, organization_id, phone_e164, language, joined_at
), found AS (
  SELECT id, organization_id, phone_e164, language, joined_at FROM created
  UNION ALL
  SELECT m.id, m.organization_id, m.phone_e164, m.language, m.joined_at
    FROM members m JOIN k ON m.organization_id = k.org AND m.phone_e164 = k.phone
)
SELECT f.id, f.organization_id, f.phone_e164, COALESCE(f.language, ''), f.joined_at IS NOT NULL,
       (SELECT array_agg(COALESCE(x.channel_id, 0)) FROM opt_outs x
         WHERE x.organization_id = f.organization_id AND x.member_id = f.id),
       recent.hashes, recent.counts
  FROM found f
  JOIN organizations g ON g.id = f.organization_id
  LEFT JOIN LATERAL (
    SELECT array_agg(body_hash) AS hashes, array_agg(n) AS counts FROM (
      SELECT o.body_hash, count(*) AS n FROM outbound_messages o
       WHERE o.organization_id = f.organization_id AND o.member_id = f.id
         AND o.created_at > now() - make_interval(secs => g.loop_guard_window_seconds)
         AND o.status <> 'cancelled'
       GROUP BY o.body_hash) per_text
  ) recent ON true
)sql";

constexpr const char* kUpdateMembers = R"sql(
UPDATE members m
   SET language = COALESCE(v.language, m.language),
       joined_at = CASE WHEN v.joins AND m.joined_at IS NULL THEN now() ELSE m.joined_at END,
       updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::boolean[])
       AS v(org, id, language, joins)
 WHERE m.organization_id = v.org AND m.id = v.id
)sql";

constexpr const char* kInsertConsents = R"sql(
INSERT INTO consent_events (organization_id, member_id, channel_id, kind, scope, source,
                            keyword, language, inbound_message_id)
SELECT org, member, channel, kind, scope, 'keyword', keyword, NULLIF(language, ''), inbound
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::bigint[]) WITH ORDINALITY
       AS v(org, member, channel, kind, scope, keyword, language, inbound, n)
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
 WHERE o.organization_id = v.org AND o.member_id = v.member AND o.status = 'queued'
   AND NOT o.outcome_unknown AND (v.channel IS NULL OR o.channel_id = v.channel)
)sql";

// Queues the batch's replies and marks its messages processed in one statement. Returns the
// channel and status of each reply.
constexpr const char* kFinishBatch = R"sql(
WITH queued AS (
  INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body, kind,
                                 priority, segments, encoding, body_hash, status, error_code,
                                 inbound_message_id)
  SELECT org, channel, member, recipient, body, kind, 0, segments, encoding, body_hash,
         CASE WHEN cancel_reason IS NULL THEN 'queued' ELSE 'cancelled' END, cancel_reason, inbound
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                $7::int[], $8::text[], $9::int[], $10::text[], $11::bigint[]) WITH ORDINALITY
         AS v(org, channel, member, recipient, body, kind, segments, encoding, body_hash,
              cancel_reason, inbound, n)
   ORDER BY n
  RETURNING channel_id, status
), processed AS (
  UPDATE inbound_messages i
     SET processed_at = now(), member_id = v.member, outcome = v.outcome
    FROM unnest($12::bigint[], $13::bigint[], $14::bigint[], $15::text[])
         AS v(org, id, member, outcome)
   WHERE i.organization_id = v.org AND i.id = v.id
)
SELECT channel_id, status FROM queued
)sql";

struct KeyArrays {
  std::vector<std::int64_t> orgs;
  std::vector<std::string> senders;
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

void LoadMessages(pqxx::work& tx, const std::vector<MemberKey>& keys, BatchContext& ctx) {
  KeyArrays k;
  for (const auto& key : keys) {
    k.orgs.push_back(key.organization_id);
    k.senders.push_back(key.sender);
  }
  for (const auto& row : tx.exec_prepared("load_messages", IntArray(k.orgs), TextArray(k.senders))) {
    ingest::PendingInbound m;
    m.id = row[0].as<std::int64_t>();
    m.organization_id = row[1].as<std::int64_t>();
    m.channel_id = row[2].as<std::int64_t>();
    m.sender = row[3].c_str();
    m.sender_is_e164 = row[4].as<bool>();
    m.body = row[5].c_str();
    ctx.messages.push_back(std::move(m));
  }
}

void LoadMembers(pqxx::work& tx, BatchContext& ctx) {
  KeyArrays k;
  std::set<std::string> seen;
  for (const auto& m : ctx.messages) {
    if (!m.sender_is_e164 || !seen.insert(MemberKeyString(m.organization_id, m.sender)).second) {
      continue;
    }
    k.orgs.push_back(m.organization_id);
    k.senders.push_back(m.sender);
  }
  if (k.orgs.empty()) return;
  for (const auto& row :
       tx.exec_prepared("load_members", IntArray(k.orgs), TextArray(k.senders))) {
    ingest::MemberRecord record;
    record.id = row[0].as<std::int64_t>();
    record.state.language = row[3].c_str();
    record.state.joined = row[4].as<bool>();
    for (std::int64_t channel : ParseIntArray(row[5].is_null() ? "" : row[5].c_str())) {
      if (channel == 0) record.state.opted_out_all = true;
      else record.state.opted_out_channels.insert(channel);
    }
    const auto hashes = ParseIntArray(row[6].is_null() ? "" : row[6].c_str());
    const auto counts = ParseIntArray(row[7].is_null() ? "" : row[7].c_str());
    for (std::size_t i = 0; i < hashes.size() && i < counts.size(); ++i) {
      record.recent_sends[static_cast<std::uint32_t>(hashes[i])] = static_cast<int>(counts[i]);
    }
    ctx.members.emplace(MemberKeyString(row[1].as<std::int64_t>(), row[2].c_str()),
                        std::move(record));
  }
}

void WriteMemberUpdates(pqxx::work& tx, const BatchEffects& fx) {
  if (fx.member_updates.empty()) return;
  std::vector<std::int64_t> orgs, ids;
  std::vector<std::optional<std::string>> languages;
  std::vector<bool> joins;
  for (const auto& u : fx.member_updates) {
    orgs.push_back(u.organization_id);
    ids.push_back(u.member_id);
    languages.push_back(u.language);
    joins.push_back(u.join);
  }
  tx.exec_prepared("update_members", IntArray(orgs), IntArray(ids), NullableTextArray(languages),
                 BoolArray(joins));
}

void WriteConsents(pqxx::work& tx, const BatchEffects& fx) {
  if (fx.consents.empty()) return;
  std::vector<std::int64_t> orgs, members, channels, inbound;
  std::vector<std::string> kinds, scopes, keywords, languages;
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
  }
  tx.exec_prepared("insert_consents", IntArray(orgs), IntArray(members), IntArray(channels),
                 TextArray(kinds), TextArray(scopes), TextArray(keywords), TextArray(languages),
                 IntArray(inbound));
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
  std::map<std::int64_t, const routing::MemberState*> before;
  for (const auto& [key, record] : ctx.members) before[record.id] = &record.state;
  OptOutRows added, removed;
  for (const auto& after : fx.opt_outs) {
    const routing::MemberState& was = *before.at(after.member_id);
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

std::vector<ChannelId> FinishBatch(pqxx::work& tx, const BatchEffects& fx) {
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
  std::vector<std::int64_t> processed_orgs, processed_ids;
  std::vector<std::optional<std::int64_t>> processed_members;
  std::vector<std::string> outcomes;
  for (const auto& p : fx.processed) {
    processed_orgs.push_back(p.organization_id);
    processed_ids.push_back(p.inbound_id);
    processed_members.push_back(p.member_id);
    outcomes.push_back(p.outcome);
  }
  std::set<ChannelId> queued;
  for (const auto& row : tx.exec_prepared(
           "finish_batch", IntArray(orgs), IntArray(channels), IntArray(members),
           TextArray(recipients), TextArray(bodies), TextArray(kinds), IntArray(segments),
           TextArray(encodings), IntArray(hashes), NullableTextArray(reasons), IntArray(inbound),
           IntArray(processed_orgs), IntArray(processed_ids), NullableIntArray(processed_members),
           TextArray(outcomes))) {
    if (std::string_view(row[1].c_str()) == "queued") queued.insert(row[0].as<std::int64_t>());
  }
  return {queued.begin(), queued.end()};
}

}  // namespace

PgProcessingStore::PgProcessingStore(std::string dsn)
    : session_(std::move(dsn), {{"lock_members", kLock},
                                {"load_messages", kLoadMessages},
                                {"load_members", kLoadMembers},
                                {"update_members", kUpdateMembers},
                                {"insert_consents", kInsertConsents},
                                {"delete_opt_outs", kDeleteOptOuts},
                                {"insert_opt_outs", kInsertOptOuts},
                                {"cancel_queued", kCancelQueued},
                                {"finish_batch", kFinishBatch}}) {}

Result<std::vector<ChannelId>> PgProcessingStore::ProcessBatch(const std::vector<MemberKey>& keys,
                                                                const Decide& decide) {
  return session_.Run([&](pqxx::connection& c) {
    const std::vector<MemberKey> sorted = SortedUnique(keys);
    pqxx::work tx(c);
    LockMembers(tx, sorted);
    BatchContext ctx;
    LoadMessages(tx, sorted, ctx);
    if (ctx.messages.empty()) return std::vector<ChannelId>{};  // another node got there first
    LoadMembers(tx, ctx);
    const BatchEffects fx = decide(ctx);
    WriteMemberUpdates(tx, fx);
    WriteConsents(tx, fx);
    WriteOptOuts(tx, ctx, fx);
    std::vector<ChannelId> channels = FinishBatch(tx, fx);
    tx.commit();
    return channels;
  });
}

Result<void> PgProcessingStore::Quarantine(const MemberKey& key) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE inbound_messages SET processed_at = now(), outcome = 'error' "
        "WHERE organization_id = $1 AND sender = $2 AND processed_at IS NULL",
        key.organization_id, key.sender);
    tx.commit();
  });
}

Result<std::vector<MemberKey>> PgProcessingStore::FindUnprocessed(
    std::chrono::milliseconds older_than, std::size_t limit) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<MemberKey> keys;
    for (const auto& row : tx.exec_params(
             "SELECT DISTINCT organization_id, sender FROM ("
             "  SELECT organization_id, sender FROM inbound_messages"
             "   WHERE processed_at IS NULL"
             "     AND received_at < now() - make_interval(secs => $1::double precision)"
             "   ORDER BY received_at LIMIT $2) q",
             static_cast<double>(older_than.count()) / 1000.0, static_cast<std::int64_t>(limit))) {
      keys.push_back(MemberKey{row[0].as<std::int64_t>(), row[1].c_str()});
    }
    return keys;
  });
}

}  // namespace chorus::store::pg

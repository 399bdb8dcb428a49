#include "store/pg/pg_api_store.hpp"
#include "store/pg/pg_idempotency.hpp"

#include <openssl/rand.h>

#include <map>
#include <stdexcept>

#include "api/token.hpp"
#include "core/hmac.hpp"
#include "ingest/webhook_item.hpp"
#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

using api::MemberStatus;
using api::MemberView;

// A chapter and every chapter below it.
constexpr const char* kSubtree = R"sql(
WITH RECURSIVE sub AS (
  SELECT id FROM chapters WHERE organization_id = $1 AND id = $2
  UNION
  SELECT c.id FROM chapters c JOIN sub ON c.organization_id = $1 AND c.parent_id = sub.id)
SELECT array_agg(id ORDER BY id) FROM sub)sql";

// The columns of a member as the API shows them, computed over the page alone (an opt-out check
// in the page's own query was planned for every match before the LIMIT: a read of every
// opt-out per search); $3 says whether the phone number is included.
constexpr const char* kMemberColumns = R"sql(
SELECT m.id, CASE WHEN $3 THEN m.phone_e164 ELSE '' END, COALESCE(m.language, ''),
       CASE WHEN EXISTS (SELECT 1 FROM opt_outs x
                          WHERE x.organization_id = m.organization_id AND x.member_id = m.id)
            THEN 1 WHEN m.joined_at IS NULL THEN 2 ELSE 0 END,
       array_to_string(m.tags, E'\x1f'),
       COALESCE(to_char(m.joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
       to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM ()sql";

// The page: members after the cursor, filtered below, in id order.
constexpr const char* kPage = R"sql(
SELECT m.* FROM members m
 WHERE m.organization_id = $1 AND m.id > $2 AND m.erased_at IS NULL)sql";

constexpr const char* kOptedOut =
    "EXISTS (SELECT 1 FROM opt_outs x WHERE x.organization_id = m.organization_id"
    " AND x.member_id = m.id)";

// One page of members, as SQL written for the filters present: a generic statement with
// "$n = '' OR ..." for every filter made PostgreSQL walk members by id and test each one,
// 140-600 ms a page over 1,000,000 members for one chapter. `chapters`: the chapter set to
// stay within (a filter's subtree, or a leader's reach), driven from member_chapters.
pqxx::result FindMembers(pqxx::work& tx, OrganizationId organization, const api::MemberQuery& q,
                         const std::optional<std::vector<std::int64_t>>& chapters,
                         bool with_personal) {
  std::string sql = kPage;
  std::vector<std::string> params = {std::to_string(organization), std::to_string(q.after_id),
                                     with_personal ? "true" : "false"};
  const auto next = [&](std::string value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  const std::string limit = next(std::to_string(q.limit + 1));
  const std::string in_chapters =
      chapters ? " AND mc.chapter_id = ANY(" + next(IntArray(*chapters)) + "::bigint[])" : "";
  const bool only_tag_and_chapter = !q.language && !q.field_name && !q.status;
  if (q.tag) {
    // From the tag's members in id order (member_tags), each checked against the chapters: the
    // cost is bounded by the tag, not by the organization. With no other filter the first
    // `limit` of them are the page (erased members have no tags).
    sql += " AND m.id IN (SELECT t.member_id FROM member_tags t WHERE t.organization_id = $1"
           " AND t.tag = " + next(*q.tag) + " AND t.member_id > $2";
    if (chapters) {
      sql += " AND EXISTS (SELECT 1 FROM member_chapters mc WHERE mc.organization_id = $1"
             " AND mc.member_id = t.member_id" + in_chapters + ")";
    }
    sql += only_tag_and_chapter ? " ORDER BY t.member_id LIMIT " + limit + ")" : ")";
  } else if (chapters) {
    sql += " AND m.id IN (SELECT mc.member_id FROM member_chapters mc WHERE mc.organization_id"
           " = $1" + in_chapters + " AND mc.member_id > $2)";
  }
  if (q.language) sql += " AND m.language = " + next(*q.language);
  if (q.field_name) {
    const std::string name = next(*q.field_name);
    sql += " AND m.fields @> jsonb_build_object(" + name + "::text, " + next(q.field_value) +
           "::text)";
  }
  if (q.status == api::MemberStatus::kOptedOut) sql += std::string(" AND ") + kOptedOut;
  if (q.status == api::MemberStatus::kActive) {
    sql += std::string(" AND m.joined_at IS NOT NULL AND NOT ") + kOptedOut;
  }
  if (q.status == api::MemberStatus::kContact) {
    sql += std::string(" AND m.joined_at IS NULL AND NOT ") + kOptedOut;
  }
  sql += " ORDER BY m.id LIMIT " + limit;
  return tx.exec_params(std::string(kMemberColumns) + sql + ") m ORDER BY m.id",
                        pqxx::prepare::make_dynamic_params(params));
}

// The chapters a caller's search stays within: the filter's subtree, else a leader's reach.
std::optional<std::vector<std::int64_t>> Within(const api::Principal& who,
                                                std::optional<std::vector<std::int64_t>> filter) {
  if (filter) return filter;
  if (!who.WholeOrganization()) return who.chapters;
  return std::nullopt;
}

// The member with this id if the caller reaches them (one row), else none.
pqxx::result FindMember(pqxx::work& tx, const api::Principal& who, MemberId member,
                        bool with_personal) {
  api::MemberQuery q;
  q.after_id = member - 1;
  q.limit = 1;
  pqxx::result r = FindMembers(tx, who.organization, q, Within(who, std::nullopt), with_personal);
  return r;
}

constexpr const char* kFields = R"sql(
SELECT m.id, f.key, f.value
  FROM members m, jsonb_each_text(m.fields) f
 WHERE m.organization_id = $1 AND m.id = ANY($2::bigint[])
 ORDER BY m.id, f.key)sql";

constexpr const char* kMemberChapters = R"sql(
SELECT mc.member_id, c.slug
  FROM member_chapters mc
  JOIN chapters c ON c.organization_id = mc.organization_id AND c.id = mc.chapter_id
 WHERE mc.organization_id = $1 AND mc.member_id = ANY($2::bigint[])
 ORDER BY mc.member_id, c.slug)sql";

// Conversations within reach ($2: whole organization, else members of chapters $3).
constexpr const char* kConversations = R"sql(
SELECT c.id, c.member_id, CASE WHEN $4 THEN m.phone_e164 ELSE '' END, ch.slug, c.kind, c.status,
       to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       COALESCE(to_char(c.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
       s.body, s.place, s.share_consent, c.channel_id,
       c.opened_at, COALESCE(c.closed_at, 'infinity')
  FROM conversations c
  JOIN members m ON m.organization_id = c.organization_id AND m.id = c.member_id
  JOIN channels ch ON ch.organization_id = c.organization_id AND ch.id = c.channel_id
  LEFT JOIN LATERAL (
    SELECT st.body, st.place, st.share_consent FROM stories st
     WHERE st.organization_id = c.organization_id AND st.conversation_id = c.id
     ORDER BY st.id DESC LIMIT 1) s ON $4
 WHERE c.organization_id = $1 AND c.id > $5 AND ($6 = '' OR c.status = $6)
   AND m.erased_at IS NULL
   AND ($7 = '' OR c.kind = $7) AND ($9 = 0 OR c.id = $9)
   AND ($2 OR EXISTS (SELECT 1 FROM member_chapters mc
                       WHERE mc.organization_id = c.organization_id AND mc.member_id = c.member_id
                         AND mc.chapter_id = ANY($3::bigint[])))
 ORDER BY c.id
 LIMIT $8)sql";

// What the member and the organization said on the conversation's channel while it was open.
constexpr const char* kThread = R"sql(
SELECT dir, body, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), status FROM (
  SELECT 'inbound' AS dir, i.body, i.received_at AS at, '' AS status, i.id
    FROM inbound_messages i
   WHERE i.organization_id = $1 AND i.member_id = $2 AND i.channel_id = $3
     AND i.received_at >= $4::timestamptz AND i.received_at <= $5::timestamptz
  UNION ALL
  SELECT 'outbound', o.body, o.created_at, o.status, o.id
    FROM outbound_messages o
   WHERE o.organization_id = $1 AND o.member_id = $2 AND o.channel_id = $3
     AND o.created_at >= $4::timestamptz AND o.created_at <= $5::timestamptz) t
 ORDER BY at, dir, id
 LIMIT 500)sql";

constexpr const char* kActions = R"sql(
SELECT a.id, a.member_id, CASE WHEN $4 THEN m.phone_e164 ELSE '' END, a.kind, a.target,
       COALESCE(e.slug, ''), a.value, COALESCE(ch.slug, ''),
       to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM actions a
  JOIN members m ON m.organization_id = a.organization_id AND m.id = a.member_id
  LEFT JOIN events e ON e.organization_id = a.organization_id AND e.id = a.event_id
  LEFT JOIN channels ch ON ch.organization_id = a.organization_id AND ch.id = a.channel_id
 WHERE a.organization_id = $1 AND a.id > $5 AND ($6 = '' OR a.kind = $6)
   AND ($7 = 0 OR a.event_id = $7)
   AND ($2 OR EXISTS (SELECT 1 FROM member_chapters mc
                       WHERE mc.organization_id = a.organization_id AND mc.member_id = a.member_id
                         AND mc.chapter_id = ANY($3::bigint[])))
 ORDER BY a.id
 LIMIT $8)sql";

constexpr const char* kAnswers = R"sql(
SELECT a.id, a.member_id, CASE WHEN $4 THEN m.phone_e164 ELSE '' END, a.flow_slug,
       a.flow_version, a.step, a.field, a.value, COALESCE(ch.slug, ''),
       to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM flow_answers a
  JOIN members m ON m.organization_id = a.organization_id AND m.id = a.member_id
  LEFT JOIN channels ch ON ch.organization_id = a.organization_id AND ch.id = a.channel_id
 WHERE a.organization_id = $1 AND a.flow_slug = $5 AND a.id > $6 AND ($7 = '' OR a.step = $7)
   AND ($2 OR EXISTS (SELECT 1 FROM member_chapters mc
                       WHERE mc.organization_id = a.organization_id AND mc.member_id = a.member_id
                         AND mc.chapter_id = ANY($3::bigint[])))
 ORDER BY a.id
 LIMIT $8)sql";

std::vector<std::string> SplitUnit(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find('\x1f', start);
    out.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

// Run's result when the body itself can fail.
template <typename T>
Result<T> Flatten(Result<Result<T>> nested) {
  if (!nested.ok()) return nested.take_error();
  return std::move(nested).value();
}


// Fills in the fields and chapters of a page's members: two statements for the whole page.
void AddDetails(pqxx::work& tx, OrganizationId organization, std::vector<MemberView>& members) {
  if (members.empty()) return;
  std::vector<std::int64_t> ids;
  std::map<MemberId, MemberView*> by_id;
  for (MemberView& m : members) {
    ids.push_back(m.id);
    by_id[m.id] = &m;
  }
  for (const auto& row : tx.exec_params(kFields, organization, IntArray(ids))) {
    by_id[row[0].as<MemberId>()]->fields[row[1].as<std::string>()] =
        row[2].is_null() ? "" : row[2].as<std::string>();
  }
  for (const auto& row : tx.exec_params(kMemberChapters, organization, IntArray(ids))) {
    by_id[row[0].as<MemberId>()]->chapters.push_back(row[1].as<std::string>());
  }
}

MemberView ReadMember(const pqxx::row& row) {
  MemberView m;
  m.id = row[0].as<MemberId>();
  m.phone = row[1].as<std::string>();
  m.language = row[2].as<std::string>();
  m.status = static_cast<MemberStatus>(row[3].as<int>());
  m.tags = SplitUnit(row[4].as<std::string>());
  m.joined_at = row[5].as<std::string>();
  m.created_at = row[6].as<std::string>();
  return m;
}

std::vector<std::int64_t> Subtree(pqxx::work& tx, OrganizationId organization,
                                  std::int64_t chapter) {
  const pqxx::result r = tx.exec_params(kSubtree, organization, chapter);
  return r.empty() || r[0][0].is_null() ? std::vector<std::int64_t>{}
                                        : ParseIntArray(r[0][0].as<std::string>());
}

std::string RandomBytes(std::size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("no randomness");
  }
  return bytes;
}

}  // namespace

PgApiStore::PgApiStore(std::string dsn) : session_(std::move(dsn)) {}

namespace {

// A token for `org`: only its hash is stored; the creation is audited as `actor`.
Result<CreatedToken> InsertToken(pqxx::work& tx, OrganizationId org, api::Role role,
                                 const std::string& chapter, const std::string& name,
                                 const std::string& actor) {
  std::int64_t chapter_id = 0;  // none
  if (role == api::Role::kChapterLeader) {
    const pqxx::result ch = tx.exec_params(
        "SELECT id FROM chapters WHERE organization_id = $1 AND slug = $2 AND archived_at IS NULL",
        org, chapter);
    if (ch.empty()) return MakeError(ErrorCode::kNotFound, "no chapter " + chapter);
    chapter_id = ch[0][0].as<std::int64_t>();
  }
  const std::string token = api::FormatToken(org, RandomBytes(32));
  const auto id = tx.exec_params1(
      "INSERT INTO api_tokens (organization_id, token_hash, name, role, chapter_id, created_by)"
      " VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6) RETURNING id",
      org, api::TokenHash(token), name, std::string(api::RoleName(role)), chapter_id, actor)[0]
                      .as<std::int64_t>();
  tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                 " VALUES ($1, $2, 'token.create', $3)",
                 org, actor,
                 "token:" + std::to_string(id) + " role:" + std::string(api::RoleName(role)));
  return CreatedToken{id, token};
}

std::optional<Error> TokenShape(api::Role role, const std::string& chapter) {
  const bool leader = role == api::Role::kChapterLeader;
  if (leader != chapter.empty()) return std::nullopt;
  return MakeError(ErrorCode::kInvalidArgument,
                   leader ? "a chapter_leader token needs a chapter"
                          : "a chapter is only for a chapter_leader token");
}

// A repeat of an earlier write with the same Idempotency-Key: its outcome, or kKeyReused.
std::optional<api::ReplyOutcome> Remembered(pqxx::work& tx, const api::Principal& who,
                                            const std::string& key, const std::string& request) {
  auto seen = RecallKey(tx, who.organization, key, request);
  if (!seen) return std::nullopt;
  if (!seen->same_request) return api::ReplyOutcome{.kind = api::ReplyOutcome::Kind::kKeyReused};
  return api::ReplyOutcome{.kind = api::ReplyOutcome::Kind::kQueued,
                           .event_id = std::stoll(seen->body),
                           .repeated = true};
}

void Remember(pqxx::work& tx, const api::Principal& who, const std::string& key,
              const std::string& request, std::int64_t event_id) {
  RememberKey(tx, who.organization, who.token_id, key, request, 202, std::to_string(event_id));
}

// What an organizer's write queues for a member: the event, its audit row (`detail` holds ids
// and names, never values; the event id is added), and the Idempotency-Key's record.
struct QueuedEvent {
  MemberId member = 0;
  std::string kind;            // member_events.kind
  std::int64_t channel = 0;    // 0: none
  std::string payload = "{}";  // JSON
  std::string audit_action;
  std::string audit_detail;
};

api::ReplyOutcome Queue(pqxx::work& tx, const api::Principal& who, const QueuedEvent& e,
                        const std::string& key, const std::string& request) {
  const auto event_id =
      tx.exec_params1("INSERT INTO member_events (organization_id, member_id, kind, channel_id,"
                      " payload) VALUES ($1, $2, $3, NULLIF($4, 0), $5::jsonb) RETURNING id",
                      who.organization, e.member, e.kind, e.channel, e.payload)[0]
          .as<std::int64_t>();
  std::string detail = e.audit_detail;
  detail += (detail.empty() ? "" : " ") + std::string("event:") + std::to_string(event_id);
  tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, member_id, detail)"
                 " VALUES ($1, $2, $3, $4, $5)",
                 who.organization, who.Actor(), e.audit_action, e.member, detail);
  Remember(tx, who, key, request, event_id);
  tx.commit();
  return {.kind = api::ReplyOutcome::Kind::kQueued, .event_id = event_id, .member_id = e.member};
}

// A JSON object of string values, built by PostgreSQL so nothing needs escaping here.
std::string JsonObject(pqxx::work& tx, const std::vector<std::pair<std::string, std::string>>& kv) {
  std::vector<std::string> keys, values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k);
    values.push_back(v);
  }
  return tx.exec_params1("SELECT jsonb_object($1::text[], $2::text[])::text", TextArray(keys),
                         TextArray(values))[0]
      .as<std::string>();
}

}  // namespace

Result<CreatedToken> PgApiStore::CreateToken(const std::string& organization, api::Role role,
                                             const std::string& chapter, const std::string& name,
                                             const std::string& actor) {
  if (auto bad = TokenShape(role, chapter)) {
    bad->message = role == api::Role::kChapterLeader
                       ? "a chapter_leader token needs --chapter SLUG"
                       : "--chapter is only for a chapter_leader token";
    return *bad;
  }
  return Flatten(session_.Run([&](pqxx::connection& c) -> Result<CreatedToken> {
    pqxx::work tx(c);
    const pqxx::result org =
        tx.exec_params("SELECT id FROM organizations WHERE slug = $1", organization);
    if (org.empty()) return MakeError(ErrorCode::kNotFound, "no organization " + organization);
    auto created = InsertToken(tx, org[0][0].as<OrganizationId>(), role, chapter, name, actor);
    if (created.ok()) tx.commit();
    return created;
  }));
}

Result<api::IssuedToken> PgApiStore::IssueToken(const api::Principal& who, api::Role role,
                                                const std::string& chapter,
                                                const std::string& name) {
  if (auto bad = TokenShape(role, chapter)) return *bad;
  return Flatten(session_.Run([&](pqxx::connection& c) -> Result<api::IssuedToken> {
    pqxx::work tx(c);
    auto created = InsertToken(tx, who.organization, role, chapter, name, who.Actor());
    if (!created.ok()) return created.take_error();
    tx.commit();
    return api::IssuedToken{created->id, created->token};
  }));
}

Result<std::vector<api::TokenView>> PgApiStore::Tokens(const api::Principal& who) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<api::TokenView> out;
    for (const auto& r : tx.exec_params(
             "SELECT t.id, t.name, t.role, COALESCE(ch.slug, ''), t.created_by,"
             "       to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
             "       COALESCE(to_char(t.revoked_at AT TIME ZONE 'UTC',"
             "                        'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
             "  FROM api_tokens t LEFT JOIN chapters ch"
             "    ON ch.organization_id = t.organization_id AND ch.id = t.chapter_id"
             " WHERE t.organization_id = $1 ORDER BY t.id",
             who.organization)) {
      out.push_back(api::TokenView{r[0].as<std::int64_t>(), r[1].as<std::string>(),
                                   r[2].as<std::string>(), r[3].as<std::string>(),
                                   r[4].as<std::string>(), r[5].as<std::string>(),
                                   r[6].as<std::string>()});
    }
    return out;
  });
}

Result<bool> PgApiStore::RevokeToken(const api::Principal& who, std::int64_t id) {
  return session_.Run([&](pqxx::connection& c) -> bool {
    pqxx::work tx(c);
    const pqxx::result found = tx.exec_params(
        "SELECT revoked_at IS NULL FROM api_tokens WHERE organization_id = $1 AND id = $2"
        " FOR UPDATE",
        who.organization, id);
    if (found.empty()) return false;
    if (found[0][0].as<bool>()) {
      tx.exec_params("UPDATE api_tokens SET revoked_at = now() WHERE organization_id = $1 AND id = $2",
                     who.organization, id);
      tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                     " VALUES ($1, $2, 'token.revoke', $3)",
                     who.organization, who.Actor(), "token:" + std::to_string(id));
    }
    tx.commit();
    return true;
  });
}

namespace {

// Every statement of an erasure, in order; $1 organization, $2 member.
constexpr const char* kErase[] = {
    "UPDATE inbound_messages SET body = '', sender = 'erased', body_redacted_at = now(),"
    " processed_at = COALESCE(processed_at, now()), outcome = COALESCE(outcome, 'erased')"
    " WHERE organization_id = $1 AND member_id = $2",
    "UPDATE outbound_messages SET body = '', recipient = 'erased', body_redacted_at = now(),"
    " status = CASE WHEN status IN ('queued', 'held') THEN 'cancelled' ELSE status END,"
    " error_code = CASE WHEN status IN ('queued', 'held') THEN 'erased' ELSE error_code END"
    " WHERE organization_id = $1 AND member_id = $2",
    "DELETE FROM stories WHERE organization_id = $1 AND member_id = $2",
    "DELETE FROM actions WHERE organization_id = $1 AND member_id = $2",
    "DELETE FROM flow_answers WHERE organization_id = $1 AND member_id = $2",
    "DELETE FROM member_chapters WHERE organization_id = $1 AND member_id = $2",
    "UPDATE conversations SET status = 'closed', closed_at = COALESCE(closed_at, now())"
    " WHERE organization_id = $1 AND member_id = $2",
    "UPDATE flow_sessions SET state = '{}', active = false, ended_at = COALESCE(ended_at, now())"
    " WHERE organization_id = $1 AND member_id = $2",
    "UPDATE member_events SET payload = '{}', processed_at = COALESCE(processed_at, now()),"
    " outcome = COALESCE(outcome, 'erased') WHERE organization_id = $1 AND member_id = $2",
    "UPDATE webhook_calls SET payload = '{}', status = 'done', finished_at = COALESCE(finished_at, now())"
    " WHERE organization_id = $1 AND member_id = $2",
};

}  // namespace

Result<bool> PgApiStore::Erase(const api::Principal& who, MemberId member) {
  return session_.Run([&](pqxx::connection& c) -> bool {
    pqxx::work tx(c);
    // The member's processing lock: nothing of theirs is being processed meanwhile.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)",
                   ingest::MemberLockKey(ingest::MemberKey{who.organization, member}));
    const pqxx::result reach = FindMember(tx, who, member, true);
    if (reach.empty() || reach[0][0].as<MemberId>() != member) return false;
    const std::string phone = reach[0][1].as<std::string>();
    for (const char* statement : kErase) tx.exec_params(statement, who.organization, member);
    tx.exec_params("UPDATE members SET phone_e164 = $3, language = NULL, fields = '{}',"
                   " tags = '{}', erased_at = now(), updated_at = now()"
                   " WHERE organization_id = $1 AND id = $2",
                   who.organization, member,
                   "erased:" + HmacSha256Hex("chorus erasure v1", phone));
    tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, member_id, detail)"
                   " VALUES ($1, $2, 'member.erase', $3, '')",
                   who.organization, who.Actor(), member);
    tx.commit();
    return true;
  });
}

Result<api::ReplyOutcome> PgApiStore::OptOut(const api::Principal& who, MemberId member,
                                             const std::string& idempotency_key) {
  using Kind = api::ReplyOutcome::Kind;
  const std::string request = "opt_out:" + std::to_string(member);
  return session_.Run([&](pqxx::connection& c) -> api::ReplyOutcome {
    pqxx::work tx(c);
    if (auto seen = Remembered(tx, who, idempotency_key, request)) return *seen;
    const pqxx::result reach = FindMember(tx, who, member, false);
    if (reach.empty() || reach[0][0].as<MemberId>() != member) return {.kind = Kind::kNotFound};
    return Queue(tx, who,
                 {.member = member, .kind = "organizer_opt_out",
                  .audit_action = "member.opt_out_requested"},
                 idempotency_key, request);
  });
}

Result<api::ReplyOutcome> PgApiStore::UpdateMember(const api::Principal& who, MemberId member,
                                                   const std::string& edit_text,
                                                   const std::string& audit_detail,
                                                   const std::string& idempotency_key) {
  using Kind = api::ReplyOutcome::Kind;
  // Field values are personal data: the key's record holds a hash of the edit, not the edit.
  const std::string request =
      "update:" + std::to_string(member) + ":" + HmacSha256Hex("chorus idempotency", edit_text);
  return session_.Run([&](pqxx::connection& c) -> api::ReplyOutcome {
    pqxx::work tx(c);
    if (auto seen = Remembered(tx, who, idempotency_key, request)) return *seen;
    const pqxx::result reach = FindMember(tx, who, member, false);
    if (reach.empty() || reach[0][0].as<MemberId>() != member) return {.kind = Kind::kNotFound};
    return Queue(tx, who,
                 {.member = member, .kind = "organizer_update",
                  .payload = JsonObject(tx, {{"text", edit_text}}),
                  .audit_action = "member.update_requested", .audit_detail = audit_detail},
                 idempotency_key, request);
  });
}

Result<api::ReplyOutcome> PgApiStore::StartFlow(const api::Principal& who, MemberId member,
                                                const std::string& flow,
                                                const std::string& channel,
                                                const std::string& idempotency_key) {
  using Kind = api::ReplyOutcome::Kind;
  const std::string request = "flow:" + std::to_string(member) + ":" + flow + ":" + channel;
  return session_.Run([&](pqxx::connection& c) -> api::ReplyOutcome {
    pqxx::work tx(c);
    if (auto seen = Remembered(tx, who, idempotency_key, request)) return *seen;
    const pqxx::result reach = FindMember(tx, who, member, false);
    if (reach.empty() || reach[0][0].as<MemberId>() != member) return {.kind = Kind::kNotFound};
    const pqxx::result f = tx.exec_params(
        "SELECT 1 FROM flows WHERE organization_id = $1 AND slug = $2 AND active_version IS NOT NULL",
        who.organization, flow);
    if (f.empty()) return {.kind = Kind::kUnknownFlow};
    const pqxx::result ch = tx.exec_params(
        "SELECT id FROM channels WHERE organization_id = $1 AND slug = $2", who.organization,
        channel);
    if (ch.empty()) return {.kind = Kind::kUnknownChannel};
    return Queue(tx, who,
                 {.member = member, .kind = "flow_start", .channel = ch[0][0].as<std::int64_t>(),
                  .payload = JsonObject(tx, {{"flow", flow}}),
                  .audit_action = "flow.start_requested",
                  .audit_detail = "flow:" + flow + " channel:" + channel},
                 idempotency_key, request);
  });
}

Result<std::optional<api::Principal>> PgApiStore::Authenticate(const std::string& token_hash,
                                                               OrganizationId organization) {
  return session_.Run([&](pqxx::connection& c) -> std::optional<api::Principal> {
    pqxx::work tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT id, role, chapter_id FROM api_tokens"
        " WHERE organization_id = $1 AND token_hash = $2 AND revoked_at IS NULL",
        organization, token_hash);
    if (r.empty()) return std::nullopt;
    const auto role = api::RoleFromName(r[0][1].as<std::string>());
    if (!role) return std::nullopt;
    api::Principal who{.organization = organization,
                       .token_id = r[0][0].as<std::int64_t>(),
                       .role = *role};
    if (!r[0][2].is_null()) who.chapters = Subtree(tx, organization, r[0][2].as<std::int64_t>());
    return who;
  });
}

Result<api::OrganizationView> PgApiStore::Organization(const api::Principal& who) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const pqxx::row r = tx.exec_params1(
        "SELECT slug, name, default_language, time_zone FROM organizations WHERE id = $1",
        who.organization);
    return api::OrganizationView{r[0].as<std::string>(), r[1].as<std::string>(),
                                 r[2].as<std::string>(), r[3].as<std::string>()};
  });
}

Result<std::vector<api::ChapterView>> PgApiStore::Chapters(const api::Principal& who) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<api::ChapterView> out;
    const pqxx::result rows = tx.exec_params(
        "SELECT c.id, c.slug, c.name, COALESCE(p.slug, ''), c.country, c.time_zone"
        "  FROM chapters c LEFT JOIN chapters p"
        "    ON p.organization_id = c.organization_id AND p.id = c.parent_id"
        " WHERE c.organization_id = $1 AND c.archived_at IS NULL ORDER BY c.id",
        who.organization);
    for (const auto& r : rows) {
      api::ChapterView v{r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                         r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>()};
      if (who.Reaches(v.id)) out.push_back(std::move(v));
    }
    return out;
  });
}

Result<std::optional<std::int64_t>> PgApiStore::ChapterId(const api::Principal& who,
                                                          std::string_view slug) {
  return session_.Run([&](pqxx::connection& c) -> std::optional<std::int64_t> {
    pqxx::work tx(c);
    const pqxx::result r = tx.exec_params(
        "SELECT id FROM chapters WHERE organization_id = $1 AND slug = $2", who.organization,
        std::string(slug));
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::int64_t>();
  });
}

Result<api::MemberPage> PgApiStore::SearchMembers(const api::Principal& who,
                                                  const api::MemberQuery& query,
                                                  bool with_personal) {
  return Flatten(session_.Run([&](pqxx::connection& c) -> Result<api::MemberPage> {
    pqxx::work tx(c);
    std::optional<std::vector<std::int64_t>> filter;
    if (query.chapter) {
      const pqxx::result ch = tx.exec_params(
          "SELECT id FROM chapters WHERE organization_id = $1 AND slug = $2", who.organization,
          *query.chapter);
      if (ch.empty()) return MakeError(ErrorCode::kNotFound, "no such chapter");
      filter = Subtree(tx, who.organization, ch[0][0].as<std::int64_t>());
      // A leader's filter is a chapter within reach (checked by the caller), whose subtree is
      // within reach too; keep only reached chapters anyway.
      if (!who.WholeOrganization()) {
        std::erase_if(*filter, [&](std::int64_t id) { return !who.Reaches(id); });
      }
    }
    const pqxx::result rows =
        FindMembers(tx, who.organization, query, Within(who, filter), with_personal);
    api::MemberPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.members.size()) == query.limit) {
        page.next_after = page.members.back().id;
        break;
      }
      page.members.push_back(ReadMember(row));
    }
    AddDetails(tx, who.organization, page.members);
    return page;
  }));
}

Result<std::optional<api::MemberView>> PgApiStore::Member(const api::Principal& who, MemberId id,
                                                          bool with_personal) {
  api::MemberQuery query;
  query.after_id = id - 1;
  query.limit = 1;
  auto page = SearchMembers(who, query, with_personal);
  if (!page.ok()) return page.error();
  if (page->members.empty() || page->members[0].id != id) return std::optional<MemberView>{};
  return std::optional<MemberView>{std::move(page->members[0])};
}

namespace {

api::ConversationView ReadConversation(const pqxx::row& r) {
  api::ConversationView v;
  v.id = r[0].as<std::int64_t>();
  v.member_id = r[1].as<MemberId>();
  v.phone = r[2].as<std::string>();
  v.channel = r[3].as<std::string>();
  v.kind = r[4].as<std::string>();
  v.status = r[5].as<std::string>();
  v.opened_at = r[6].as<std::string>();
  v.closed_at = r[7].as<std::string>();
  if (!r[8].is_null()) {
    v.story = api::StoryView{r[8].as<std::string>(), r[9].as<std::string>(), r[10].as<bool>()};
  }
  return v;
}

pqxx::result FindConversations(pqxx::work& tx, const api::Principal& who,
                               const api::ConversationQuery& query, bool with_personal,
                               std::int64_t only_id) {
  return tx.exec_params(kConversations, who.organization, who.WholeOrganization(),
                        IntArray(who.chapters), with_personal, query.after_id, query.status,
                        query.kind, query.limit + 1, only_id);
}

}  // namespace

Result<api::ConversationPage> PgApiStore::Conversations(const api::Principal& who,
                                                        const api::ConversationQuery& query,
                                                        bool with_personal) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    api::ConversationPage page;
    for (const auto& row : FindConversations(tx, who, query, with_personal, 0)) {
      if (static_cast<int>(page.conversations.size()) == query.limit) {
        page.next_after = page.conversations.back().id;
        break;
      }
      page.conversations.push_back(ReadConversation(row));
    }
    return page;
  });
}

Result<std::optional<api::ConversationDetail>> PgApiStore::Conversation(const api::Principal& who,
                                                                        std::int64_t id) {
  return session_.Run([&](pqxx::connection& c) -> std::optional<api::ConversationDetail> {
    pqxx::work tx(c);
    api::ConversationQuery query;
    query.status = "";
    const pqxx::result found = FindConversations(tx, who, query, true, id);
    if (found.empty()) return std::nullopt;
    api::ConversationDetail detail{ReadConversation(found[0]), {}};
    const pqxx::row& r = found[0];
    for (const auto& m : tx.exec_params(kThread, who.organization, detail.conversation.member_id,
                                        r[11].as<std::int64_t>(), r[12].as<std::string>(),
                                        r[13].as<std::string>())) {
      detail.messages.push_back(api::ThreadMessage{m[0].as<std::string>(), m[1].as<std::string>(),
                                                   m[2].as<std::string>(), m[3].as<std::string>()});
    }
    return detail;
  });
}

Result<api::ReplyOutcome> PgApiStore::Reply(const api::Principal& who, std::int64_t conversation,
                                            const std::string& text,
                                            const std::string& idempotency_key) {
  using Kind = api::ReplyOutcome::Kind;
  const std::string request = "reply:" + std::to_string(conversation);
  return session_.Run([&](pqxx::connection& c) -> api::ReplyOutcome {
    pqxx::work tx(c);
    if (auto seen = Remembered(tx, who, idempotency_key, request)) return *seen;
    api::ConversationQuery query;
    query.status = "";
    const pqxx::result found = FindConversations(tx, who, query, false, conversation);
    if (found.empty()) return {.kind = Kind::kNotFound};
    const api::ConversationView v = ReadConversation(found[0]);
    if (v.status != "open") return {.kind = Kind::kClosed, .member_id = v.member_id};
    return Queue(tx, who,
                 {.member = v.member_id, .kind = "organizer_reply",
                  .channel = found[0][11].as<std::int64_t>(),
                  .payload = JsonObject(tx, {{"text", text},
                                             {"conversation_id", std::to_string(conversation)}}),
                  .audit_action = "conversation.reply",
                  .audit_detail = "conversation:" + std::to_string(conversation)},
                 idempotency_key, request);
  });
}

Result<api::ActionPage> PgApiStore::Actions(const api::Principal& who,
                                            const api::ActionQuery& query, bool with_personal) {
  return Flatten(session_.Run([&](pqxx::connection& c) -> Result<api::ActionPage> {
    pqxx::work tx(c);
    std::int64_t event = 0;
    if (!query.event.empty()) {
      const pqxx::result e = tx.exec_params(
          "SELECT id FROM events WHERE organization_id = $1 AND slug = $2", who.organization,
          query.event);
      if (e.empty()) return MakeError(ErrorCode::kNotFound, "no such event");
      event = e[0][0].as<std::int64_t>();
    }
    api::ActionPage page;
    for (const auto& r : tx.exec_params(kActions, who.organization, who.WholeOrganization(),
                                        IntArray(who.chapters), with_personal, query.after_id,
                                        query.kind, event, query.limit + 1)) {
      if (static_cast<int>(page.actions.size()) == query.limit) {
        page.next_after = page.actions.back().id;
        break;
      }
      page.actions.push_back(api::ActionView{
          r[0].as<std::int64_t>(), r[1].as<MemberId>(), r[2].as<std::string>(),
          r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
          r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<std::string>()});
    }
    if (query.csv) {
      tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                     " VALUES ($1, $2, 'actions.export', $3)",
                     who.organization, who.Actor(),
                     "rows:" + std::to_string(page.actions.size()) +
                         (with_personal ? " with_phone" : "") +
                         (query.kind.empty() ? "" : " kind:" + query.kind) +
                         (query.event.empty() ? "" : " event:" + query.event));
    }
    tx.commit();
    return page;
  }));
}

Result<api::AnswerPage> PgApiStore::Answers(const api::Principal& who,
                                            const api::AnswerQuery& query, bool with_phone) {
  return Flatten(session_.Run([&](pqxx::connection& c) -> Result<api::AnswerPage> {
    pqxx::work tx(c);
    if (tx.exec_params("SELECT 1 FROM flows WHERE organization_id = $1 AND slug = $2",
                       who.organization, query.flow)
            .empty()) {
      return MakeError(ErrorCode::kNotFound, "no such flow");
    }
    api::AnswerPage page;
    for (const auto& r : tx.exec_params(kAnswers, who.organization, who.WholeOrganization(),
                                        IntArray(who.chapters), with_phone, query.flow,
                                        query.after_id, query.step, query.limit + 1)) {
      if (static_cast<int>(page.answers.size()) == query.limit) {
        page.next_after = page.answers.back().id;
        break;
      }
      page.answers.push_back(api::AnswerView{
          r[0].as<std::int64_t>(), r[1].as<MemberId>(), r[2].as<std::string>(),
          r[3].as<std::string>(), r[4].as<int>(), r[5].as<std::string>(),
          r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<std::string>(),
          r[9].as<std::string>()});
    }
    if (query.csv) {
      tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                     " VALUES ($1, $2, 'answers.export', $3)",
                     who.organization, who.Actor(),
                     "flow:" + query.flow + " rows:" + std::to_string(page.answers.size()) +
                         (with_phone ? " with_phone" : "") +
                         (query.step.empty() ? "" : " step:" + query.step));
    }
    tx.commit();
    return page;
  }));
}

Result<api::AuditPage> PgApiStore::Audit(const api::Principal& who, const api::AuditQuery& query) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    api::AuditPage page;
    for (const auto& r : tx.exec_params(
             "SELECT id, actor, action, COALESCE(member_id, 0), detail,"
             " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
             "  FROM audit_log WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT $3",
             who.organization, query.after_id, query.limit + 1)) {
      if (static_cast<int>(page.entries.size()) == query.limit) {
        page.next_after = page.entries.back().id;
        break;
      }
      page.entries.push_back(api::AuditEntry{r[0].as<std::int64_t>(), r[1].as<std::string>(),
                                             r[2].as<std::string>(), r[3].as<MemberId>(),
                                             r[4].as<std::string>(), r[5].as<std::string>()});
    }
    return page;
  });
}

Result<bool> PgApiStore::Close(const api::Principal& who, std::int64_t conversation) {
  return session_.Run([&](pqxx::connection& c) -> bool {
    pqxx::work tx(c);
    api::ConversationQuery query;
    query.status = "";
    const pqxx::result found = FindConversations(tx, who, query, false, conversation);
    if (found.empty()) return false;
    const api::ConversationView v = ReadConversation(found[0]);
    if (v.status == "open") {
      tx.exec_params("UPDATE conversations SET status = 'closed', closed_at = now()"
                     " WHERE organization_id = $1 AND id = $2 AND status = 'open'",
                     who.organization, conversation);
      tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, member_id, detail)"
                     " VALUES ($1, $2, 'conversation.close', $3, $4)",
                     who.organization, who.Actor(), v.member_id,
                     "conversation:" + std::to_string(conversation));
    }
    tx.commit();
    return true;
  });
}

}  // namespace chorus::store::pg

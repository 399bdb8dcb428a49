#include "store/pg/pg_api_store.hpp"

#include <openssl/rand.h>

#include <map>
#include <stdexcept>

#include "api/token.hpp"
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

// One page of members. $2 (bool): the caller reaches the whole organization, else only members
// of the chapters $3. $4: the chapter filter's subtree, when $13. Empty text and -1: no filter.
constexpr const char* kSearch = R"sql(
SELECT m.id, CASE WHEN $11 THEN m.phone_e164 ELSE '' END, COALESCE(m.language, ''),
       CASE WHEN EXISTS (SELECT 1 FROM opt_outs x
                          WHERE x.organization_id = m.organization_id AND x.member_id = m.id)
            THEN 1 WHEN m.joined_at IS NULL THEN 2 ELSE 0 END,
       array_to_string(m.tags, E'\x1f'),
       COALESCE(to_char(m.joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
       to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM members m
 WHERE m.organization_id = $1 AND m.id > $5
   AND ($2 OR EXISTS (SELECT 1 FROM member_chapters mc
                       WHERE mc.organization_id = m.organization_id AND mc.member_id = m.id
                         AND mc.chapter_id = ANY($3::bigint[])))
   AND (NOT $13 OR EXISTS (SELECT 1 FROM member_chapters mc
                       WHERE mc.organization_id = m.organization_id AND mc.member_id = m.id
                         AND mc.chapter_id = ANY($4::bigint[])))
   AND ($6::text = '' OR m.tags @> ARRAY[$6::text])
   AND ($7::text = '' OR m.language = $7)
   AND ($8::text = '' OR m.fields @> jsonb_build_object($8::text, $9::text))
   AND ($10::int < 0 OR $10 = CASE
         WHEN EXISTS (SELECT 1 FROM opt_outs x
                       WHERE x.organization_id = m.organization_id AND x.member_id = m.id) THEN 1
         WHEN m.joined_at IS NULL THEN 2 ELSE 0 END)
 ORDER BY m.id
 LIMIT $12)sql";

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

int StatusNumber(const std::optional<MemberStatus>& status) {
  return status ? static_cast<int>(*status) : -1;
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

Result<CreatedToken> PgApiStore::CreateToken(const std::string& organization, api::Role role,
                                             const std::string& chapter, const std::string& name,
                                             const std::string& actor) {
  const bool leader = role == api::Role::kChapterLeader;
  if (leader == chapter.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     leader ? "a chapter_leader token needs --chapter SLUG"
                            : "--chapter is only for a chapter_leader token");
  }
  return Flatten(session_.Run([&](pqxx::connection& c) -> Result<CreatedToken> {
    pqxx::work tx(c);
    const pqxx::result org =
        tx.exec_params("SELECT id FROM organizations WHERE slug = $1", organization);
    if (org.empty()) return MakeError(ErrorCode::kNotFound, "no organization " + organization);
    const auto org_id = org[0][0].as<OrganizationId>();
    std::int64_t chapter_id = 0;  // none
    if (leader) {
      const pqxx::result ch = tx.exec_params(
          "SELECT id FROM chapters WHERE organization_id = $1 AND slug = $2 AND archived_at IS NULL",
          org_id, chapter);
      if (ch.empty()) return MakeError(ErrorCode::kNotFound, "no chapter " + chapter);
      chapter_id = ch[0][0].as<std::int64_t>();
    }
    const std::string token = api::FormatToken(org_id, RandomBytes(32));
    const auto id = tx.exec_params1(
        "INSERT INTO api_tokens (organization_id, token_hash, name, role, chapter_id, created_by)"
        " VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6) RETURNING id",
        org_id, api::TokenHash(token), name, std::string(api::RoleName(role)), chapter_id, actor)[0]
                        .as<std::int64_t>();
    tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                   " VALUES ($1, $2, 'token.create', $3)",
                   org_id, actor,
                   "token:" + std::to_string(id) + " role:" + std::string(api::RoleName(role)));
    tx.commit();
    return CreatedToken{id, token};
  }));
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
    std::string filter = "{}";
    if (query.chapter) {
      const pqxx::result ch = tx.exec_params(
          "SELECT id FROM chapters WHERE organization_id = $1 AND slug = $2", who.organization,
          *query.chapter);
      if (ch.empty()) return MakeError(ErrorCode::kNotFound, "no such chapter");
      filter = IntArray(Subtree(tx, who.organization, ch[0][0].as<std::int64_t>()));
    }
    const pqxx::result rows = tx.exec_params(
        kSearch, who.organization, who.WholeOrganization(), IntArray(who.chapters), filter,
        query.after_id, query.tag.value_or(""), query.language.value_or(""),
        query.field_name.value_or(""), query.field_value, StatusNumber(query.status),
        with_personal, query.limit + 1, query.chapter.has_value());
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

}  // namespace chorus::store::pg

#include "store/pg/audience_sql.hpp"

#include "core/segments.hpp"
#include "flows/merge.hpp"

namespace chorus::store::pg {
namespace {

using broadcasts::ActionFilter;
using broadcasts::AudienceRule;

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "ARRAY[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + SqlLiteral(values[i]);
  return out + "]::text[]";
}

std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string out = "'{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}'::bigint[]";
}

// The member's language, or the organization's for a member without one.
std::string MemberLanguage(const std::string& default_language) {
  return "coalesce(m.language, " + SqlLiteral(default_language) + ")";
}

std::string InChapters(const std::string& chapters_sql) {
  return "EXISTS (SELECT 1 FROM member_chapters mc WHERE mc.organization_id = m.organization_id"
         " AND mc.member_id = m.id AND mc.chapter_id IN (" + chapters_sql + "))";
}

std::string Took(const ActionFilter& a, OrganizationId org) {
  std::string sql = "EXISTS (SELECT 1 FROM actions a WHERE a.organization_id = m.organization_id"
                    " AND a.member_id = m.id AND a.kind = " + SqlLiteral(a.kind);
  if (!a.target.empty()) sql += " AND a.target = " + SqlLiteral(a.target);
  if (!a.value.empty()) sql += " AND a.value = " + SqlLiteral(a.value);
  if (!a.event.empty()) {
    sql += " AND a.event_id = (SELECT e.id FROM events e WHERE e.organization_id = " +
           std::to_string(org) + " AND e.slug = " + SqlLiteral(a.event) + ")";
  }
  return sql + ")";
}

// Every part given must hold; "true" for an empty rule.
std::string Rule(const AudienceRule& rule, OrganizationId org, const std::string& default_language) {
  std::vector<std::string> parts;
  if (!rule.chapters.empty()) {
    parts.push_back(InChapters("SELECT chorus_chapter_subtree(" + std::to_string(org) + ", " +
                               TextArray(rule.chapters) + ")"));
  }
  if (!rule.tags.empty()) parts.push_back("m.tags @> " + TextArray(rule.tags));
  if (!rule.languages.empty()) {
    parts.push_back(MemberLanguage(default_language) + " = ANY (" + TextArray(rule.languages) + ")");
  }
  for (const auto& f : rule.fields) {
    const std::string value = "(m.fields ->> " + SqlLiteral(f.name) + ")";
    parts.push_back(f.values.empty() ? "coalesce(" + value + ", '') <> ''"
                                     : value + " = ANY (" + TextArray(f.values) + ")");
  }
  for (const auto& a : rule.took) parts.push_back(Took(a, org));
  for (const auto& a : rule.not_took) parts.push_back("NOT " + Took(a, org));
  if (parts.empty()) return "true";
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " AND " : "") + parts[i];
  return "(" + out + ")";
}

std::string MergeValue(const std::string& name, const BroadcastSqlInput& in) {
  if (name == "org.name") return SqlLiteral(in.organization_name);
  if (name == "first_name" || name == "last_name") return "(m.fields ->> " + SqlLiteral(name) + ")";
  if (name.rfind("fields.", 0) == 0) return "(m.fields ->> " + SqlLiteral(name.substr(7)) + ")";
  if (name == "chapter.name") {
    // The member's first chapter (the flow engine picks the deepest; a broadcast keeps it cheap).
    return "(SELECT c.name FROM member_chapters mc JOIN chapters c ON c.organization_id ="
           " mc.organization_id AND c.id = mc.chapter_id WHERE mc.organization_id ="
           " m.organization_id AND mc.member_id = m.id ORDER BY mc.joined_at, c.id LIMIT 1)";
  }
  return "NULL";  // CheckDraft refused anything else
}

std::string Rendered(const std::string& text, const BroadcastSqlInput& in) {
  std::string out;
  for (const auto& part : flows::SplitMergeFields(text)) {
    if (!out.empty()) out += " || ";
    if (!part.field) {
      out += SqlLiteral(part.literal);
    } else {
      out += "coalesce(nullif(" + MergeValue(part.field->name, in) + ", ''), " +
             SqlLiteral(part.field->fallback) + ")";
    }
  }
  return out.empty() ? "''" : out;
}

// Per variant: a constant counted here (exact) for a text without merge fields, else the
// database's count of the rendered text.
std::string PerVariant(const BroadcastSqlInput& in, bool segments) {
  std::string out = "CASE p.lang";
  std::string fallback;
  for (const auto& [language, text] : in.variants) {
    std::string value;
    if (!flows::MergeFields(text).empty()) {
      value = segments ? "chorus_segments(p.body)"
                       : "CASE WHEN chorus_is_gsm7(p.body) THEN 'gsm7' ELSE 'ucs2' END";
    } else {
      const SegmentCount count = CountSegments(text);
      value = segments ? std::to_string(count.segments)
                       : (count.encoding == TextEncoding::kGsm7 ? "'gsm7'" : "'ucs2'");
    }
    out += " WHEN " + SqlLiteral(language) + " THEN " + value;
    if (language == in.default_language) fallback = value;
  }
  return out + " ELSE " + fallback + " END";
}

}  // namespace

std::string SqlLiteral(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

BroadcastSql CompileBroadcast(const BroadcastSqlInput& in) {
  BroadcastSql out;
  const std::string org = std::to_string(in.organization);
  out.audience = "m.organization_id = " + org +
                 " AND m.joined_at IS NOT NULL AND m.erased_at IS NULL AND " +
                 Rule(in.audience->include, in.organization, in.default_language);
  for (const auto& rule : in.audience->exclude) {
    out.audience += " AND NOT " + Rule(rule, in.organization, in.default_language);
  }
  if (!in.chapter_scope.empty()) out.audience += " AND " + InChapters(
      "SELECT unnest(" + IdArray(in.chapter_scope) + ")");

  const std::string pool = IdArray(in.pool);
  out.opted_out = "EXISTS (SELECT 1 FROM opt_outs x WHERE x.organization_id = m.organization_id"
                  " AND x.member_id = m.id AND (x.channel_id IS NULL OR x.channel_id = ANY (" +
                  pool + ")))";

  // A member's variant: their language exactly (es-MX), else its primary subtag (es), else the
  // organization's default language.
  const std::string member_language = MemberLanguage(in.default_language);
  out.language = "CASE";
  for (bool regional : {true, false}) {
    for (const auto& [language, text] : in.variants) {
      if ((language.find('-') != std::string::npos) != regional) continue;
      out.language += regional ? " WHEN " + member_language + " = " + SqlLiteral(language)
                               : " WHEN split_part(" + member_language + ", '-', 1) = " +
                                     SqlLiteral(language);
      out.language += " THEN " + SqlLiteral(language);
    }
  }
  out.language += " ELSE " + SqlLiteral(in.default_language) + " END";

  out.zone = "coalesce((SELECT z.name FROM time_zone_names z WHERE z.name = m.fields ->> "
             "'time_zone'), (SELECT c.time_zone FROM member_chapters mc JOIN chapters c ON "
             "c.organization_id = mc.organization_id AND c.id = mc.chapter_id WHERE "
             "mc.organization_id = m.organization_id AND mc.member_id = m.id AND c.time_zone "
             "<> '' ORDER BY mc.joined_at, c.id LIMIT 1), chorus_phone_zone(m.phone_e164), " +
             SqlLiteral(in.organization_zone) + ")";

  // Sticky: the pool's channel the member last heard from, else always the same one.
  out.channel = "coalesce((SELECT o.channel_id FROM outbound_messages o WHERE o.organization_id"
                " = m.organization_id AND o.member_id = m.id AND o.channel_id = ANY (" + pool +
                ") ORDER BY o.created_at DESC LIMIT 1), (" + pool + ")[1 + m.id % " +
                std::to_string(in.pool.size()) + "])";

  out.body = "CASE m.lang";
  std::string fallback;
  for (const auto& [language, text] : in.variants) {
    const std::string rendered = Rendered(text, in);
    out.body += " WHEN " + SqlLiteral(language) + " THEN " + rendered;
    if (language == in.default_language) fallback = rendered;
  }
  out.body += " ELSE " + fallback + " END";
  out.segments = PerVariant(in, true);
  out.encoding = PerVariant(in, false);
  return out;
}

}  // namespace chorus::store::pg

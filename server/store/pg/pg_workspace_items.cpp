#include "store/pg/pg_workspace_items.hpp"

#include "core/base64.hpp"
#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

WrittenItem Written(const pqxx::row& row) {
  return {row[0].as<std::int64_t>(), row[1].as<int>()};
}

// A text by language as two parallel arrays, for jsonb_object.
std::pair<std::vector<std::string>, std::vector<std::string>> Columns(
    const flows::LocalizedText& text) {
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  for (const auto& [language, value] : text) {
    out.first.push_back(language);
    out.second.push_back(value);
  }
  return out;
}

// The revision goes up only when a write changes something (or brings an archived item back),
// so applying the same file again leaves every revision where it was.
constexpr const char* kUpsertChapter = R"sql(
INSERT INTO chapters (organization_id, slug, name, parent_id, country, postal_codes, time_zone)
VALUES ($1, $2, $3, (SELECT id FROM chapters WHERE organization_id = $1 AND slug = NULLIF($4, '')),
        $5, $6::text[], $7)
ON CONFLICT (organization_id, slug) DO UPDATE
   SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id, country = EXCLUDED.country,
       postal_codes = EXCLUDED.postal_codes, time_zone = EXCLUDED.time_zone,
       archived_at = NULL, updated_at = now(),
       revision = chapters.revision +
         CASE WHEN (chapters.name, chapters.parent_id, chapters.country, chapters.postal_codes,
                    chapters.time_zone, chapters.archived_at)
                   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_id, EXCLUDED.country,
                                     EXCLUDED.postal_codes, EXCLUDED.time_zone, NULL::timestamptz)
              THEN 1 ELSE 0 END
RETURNING id, revision
)sql";

// Local times are read in the event's zone with PostgreSQL's time zone data. Follow-ups are due
// follow_up_after_seconds after the end, when the event has a follow-up flow; a changed time
// makes them due again (each member still gets them once: event_follow_ups).
constexpr const char* kUpsertEvent = R"sql(
INSERT INTO events (organization_id, slug, chapter_id, titles, starts_at, ends_at, time_zone,
                    place, checkin_code, follow_up_after_seconds, attended_flow, absent_flow,
                    follow_up_at, checked_in_texts)
SELECT $1, $2, (SELECT id FROM chapters WHERE organization_id = $1 AND slug = NULLIF($3, '')),
       jsonb_object($4::text[], $5::text[]), t.starts, t.ends, $8, $9, $10, $11,
       NULLIF($12, ''), NULLIF($13, ''),
       CASE WHEN $12 <> '' OR $13 <> '' THEN t.ends + $11::int * interval '1 second' END,
       jsonb_object($14::text[], $15::text[])
  FROM (SELECT s.starts,
               COALESCE(NULLIF($7, '')::timestamp AT TIME ZONE $8,
                        s.starts + interval '2 hours') AS ends
          FROM (SELECT $6::timestamp AT TIME ZONE $8 AS starts) s) t
ON CONFLICT (organization_id, slug) DO UPDATE
   SET chapter_id = EXCLUDED.chapter_id, titles = EXCLUDED.titles,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
       time_zone = EXCLUDED.time_zone, place = EXCLUDED.place,
       checkin_code = EXCLUDED.checkin_code, checked_in_texts = EXCLUDED.checked_in_texts,
       follow_up_after_seconds = EXCLUDED.follow_up_after_seconds,
       attended_flow = EXCLUDED.attended_flow, absent_flow = EXCLUDED.absent_flow,
       follow_up_at = EXCLUDED.follow_up_at,
       followed_up_at = CASE WHEN events.follow_up_at IS NOT DISTINCT FROM EXCLUDED.follow_up_at
                             THEN events.followed_up_at END,
       archived_at = NULL, updated_at = now(),
       revision = events.revision +
         CASE WHEN (events.chapter_id, events.titles, events.starts_at, events.ends_at,
                    events.time_zone, events.place, events.checkin_code,
                    events.checked_in_texts, events.follow_up_after_seconds,
                    events.attended_flow, events.absent_flow, events.archived_at)
                   IS DISTINCT FROM (EXCLUDED.chapter_id, EXCLUDED.titles, EXCLUDED.starts_at,
                                     EXCLUDED.ends_at, EXCLUDED.time_zone, EXCLUDED.place,
                                     EXCLUDED.checkin_code, EXCLUDED.checked_in_texts,
                                     EXCLUDED.follow_up_after_seconds, EXCLUDED.attended_flow,
                                     EXCLUDED.absent_flow, NULL::timestamptz)
              THEN 1 ELSE 0 END
RETURNING id, revision
)sql";

constexpr const char* kUpsertKeyword = R"sql(
INSERT INTO keywords (organization_id, channel_id, word, display_word, reply, opt_in, language,
                      qualifier, flow_slug, chapter_slug)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), NULLIF($10, ''))
ON CONFLICT ON CONSTRAINT keywords_unique_word DO UPDATE
   SET display_word = EXCLUDED.display_word, reply = EXCLUDED.reply, opt_in = EXCLUDED.opt_in,
       language = EXCLUDED.language, flow_slug = EXCLUDED.flow_slug,
       chapter_slug = EXCLUDED.chapter_slug,
       revision = keywords.revision +
         CASE WHEN (keywords.display_word, keywords.reply, keywords.opt_in, keywords.language,
                    keywords.flow_slug, keywords.chapter_slug)
                   IS DISTINCT FROM (EXCLUDED.display_word, EXCLUDED.reply, EXCLUDED.opt_in,
                                     EXCLUDED.language, EXCLUDED.flow_slug, EXCLUDED.chapter_slug)
              THEN 1 ELSE 0 END
RETURNING id, revision
)sql";

constexpr const char* kRewriteKeyword = R"sql(
UPDATE keywords
   SET channel_id = $2, word = $3, display_word = $4, reply = $5, opt_in = $6, language = $7,
       qualifier = $8, flow_slug = NULLIF($9, ''), chapter_slug = NULLIF($10, ''),
       revision = revision + 1
 WHERE organization_id = $1 AND id = $11
RETURNING id, revision
)sql";

using workspace::TextKind;

constexpr std::pair<TextKind, const char*> kTextKinds[] = {
    {TextKind::kHelp, "help"},
    {TextKind::kOptOut, "opt_out"},
    {TextKind::kOptOutAll, "opt_out_all"},
    {TextKind::kOptIn, "opt_in"},
    {TextKind::kDefaultReply, "default_reply"},
};

const std::string& TextOf(const workspace::Texts& t, TextKind kind) {
  switch (kind) {
    case TextKind::kHelp: return t.help;
    case TextKind::kOptOut: return t.opt_out_confirmation;
    case TextKind::kOptOutAll: return t.opt_out_all_confirmation;
    case TextKind::kOptIn: return t.opt_in_confirmation;
    case TextKind::kDefaultReply: return t.default_reply;
  }
  return t.help;
}

// Binds sealed credentials to their channel: a value copied into another row does not open.
std::string SecretsContext(OrganizationId org, std::string_view slug) {
  return "chorus:channel-secrets:v1:" + std::to_string(org) + ":" + std::string(slug);
}

std::pair<std::vector<std::string>, std::vector<std::string>> Split(
    const std::map<std::string, std::string>& m) {
  std::vector<std::string> keys, values;
  for (const auto& [k, v] : m) {
    keys.push_back(k);
    values.push_back(v);
  }
  return {keys, values};
}

// The revision goes up when anything of the channel changes; credentials are compared by
// their plain text, which is never stored: a write that sends any counts as a change.
constexpr const char* kUpsertChannel = R"sql(
INSERT INTO channels (organization_id, slug, carrier, sender, country, segments_per_second,
                      settings, secrets, secrets_key_id, secrets_sealed, segment_price, currency)
VALUES ($1, $2, $8, $3, $4, $5, jsonb_object($6::text[], $7::text[]), '{}', $9, $10, $12, $13)
ON CONFLICT (slug) DO UPDATE
   SET carrier = EXCLUDED.carrier, sender = EXCLUDED.sender, country = EXCLUDED.country,
       segments_per_second = EXCLUDED.segments_per_second, settings = EXCLUDED.settings,
       segment_price = EXCLUDED.segment_price, currency = EXCLUDED.currency,
       secrets = '{}',
       secrets_key_id = CASE WHEN $11 THEN channels.secrets_key_id ELSE EXCLUDED.secrets_key_id END,
       secrets_sealed = CASE WHEN $11 THEN channels.secrets_sealed ELSE EXCLUDED.secrets_sealed END,
       enabled = true, updated_at = now(),
       revision = channels.revision +
         CASE WHEN (channels.carrier, channels.sender, channels.country,
                    channels.segments_per_second, channels.settings, channels.enabled,
                    channels.segment_price, channels.currency)
                   IS DISTINCT FROM (EXCLUDED.carrier, EXCLUDED.sender, EXCLUDED.country,
                                     EXCLUDED.segments_per_second, EXCLUDED.settings, true,
                                     EXCLUDED.segment_price, EXCLUDED.currency)
                OR (NOT $11 AND EXCLUDED.secrets_sealed IS NOT NULL)
              THEN 1 ELSE 0 END
 WHERE channels.organization_id = EXCLUDED.organization_id
RETURNING id, revision
)sql";

}  // namespace

std::string* TextField(workspace::Texts& t, std::string_view kind) {
  if (kind == "help") return &t.help;
  if (kind == "opt_out") return &t.opt_out_confirmation;
  if (kind == "opt_out_all") return &t.opt_out_all_confirmation;
  if (kind == "opt_in") return &t.opt_in_confirmation;
  if (kind == "default_reply") return &t.default_reply;
  return nullptr;
}

void WriteTexts(pqxx::work& tx, OrganizationId org,
                const std::map<std::string, workspace::Texts>& texts) {
  tx.exec_params("DELETE FROM organization_texts WHERE organization_id = $1", org);
  std::vector<std::string> languages, kinds, bodies;
  for (const auto& [language, t] : texts) {
    for (const auto& [kind, name] : kTextKinds) {
      const std::string& body = TextOf(t, kind);
      if (body.empty()) continue;
      languages.push_back(language);
      kinds.push_back(name);
      bodies.push_back(body);
    }
  }
  tx.exec_params(
      "INSERT INTO organization_texts (organization_id, language, kind, body)"
      " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])",
      org, TextArray(languages), TextArray(kinds), TextArray(bodies));
}

std::map<std::string, workspace::Texts> ReadTexts(pqxx::work& tx, OrganizationId org) {
  std::map<std::string, workspace::Texts> out;
  for (const auto& row : tx.exec_params(
           "SELECT language, kind, body FROM organization_texts WHERE organization_id = $1", org)) {
    if (std::string* field = TextField(out[row[0].c_str()], row[1].c_str())) *field = row[2].c_str();
  }
  return out;
}

Error NoKeyFile(std::string_view slug) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "channel " + std::string(slug) +
                       " has carrier credentials, which Chorus stores encrypted, and "
                       "CHORUS_SECRETS_KEY_FILE is not set (docs/SECRETS.md)");
}

// Opens one channel's sealed credentials (Base64 of the keyring's blob, as stored).
Result<std::map<std::string, std::string>> OpenSealed(const secrets::Keyring& keyring,
                                                      OrganizationId org, const std::string& slug,
                                                      std::string key_id,
                                                      std::string_view sealed_base64) {
  auto blob = Base64Decode(sealed_base64);
  if (!blob) {
    return MakeError(ErrorCode::kInternal, "channel " + slug + ": sealed credentials are malformed");
  }
  auto opened = keyring.Open({std::move(key_id), std::move(*blob)}, SecretsContext(org, slug));
  if (!opened.ok()) {
    return MakeError(opened.error().code, "channel " + slug + ": " + opened.error().message);
  }
  return secrets::DecodeSecrets(*opened);
}

// Seals one channel's credentials: the key id and the Base64 of the blob, as stored.
Result<std::pair<std::string, std::string>> SealFor(const secrets::Keyring& keyring,
                                                    OrganizationId org, std::string_view slug,
                                                    const std::map<std::string, std::string>& plain) {
  CHORUS_ASSIGN_OR_RETURN(secrets::Sealed sealed,
                          keyring.Seal(secrets::EncodeSecrets(plain), SecretsContext(org, slug)));
  return std::pair{std::move(sealed.key_id), Base64Encode(sealed.blob)};
}

Result<void> CheckZone(pqxx::work& tx, const std::string& path, const std::string& zone) {
  if (zone.empty()) return Ok();
  if (tx.exec_params1("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)", zone)[0]
          .as<bool>()) {
    return Ok();
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   path + ": unknown time zone \"" + zone +
                       "\" (an IANA name such as \"America/New_York\" or \"Asia/Kolkata\")");
}

Result<WrittenItem> WriteChannel(pqxx::work& tx, OrganizationId org,
                                 const workspace::ChannelDefinition& c,
                                 const secrets::Keyring* keyring, bool keep_secrets) {
  auto [setting_keys, setting_values] = Split(c.settings);
  // The same credentials as stored are kept as sealed (no new blob, no new revision).
  if (!keep_secrets && !c.secrets.empty() && keyring != nullptr) {
    const pqxx::result stored = tx.exec_params(
        "SELECT secrets_key_id, secrets_sealed FROM channels WHERE organization_id = $1"
        " AND slug = $2 AND secrets_sealed IS NOT NULL",
        org, c.slug);
    if (!stored.empty()) {
      auto opened = OpenSealed(*keyring, org, c.slug, stored[0][0].c_str(), stored[0][1].c_str());
      keep_secrets = opened.ok() && *opened == c.secrets;
    }
  }
  // Credentials are never written in plain text: sealed for this channel, or none at all.
  std::optional<std::string> sealed_key, sealed_blob;
  if (!c.secrets.empty() && !keep_secrets) {
    if (keyring == nullptr) return NoKeyFile(c.slug);
    CHORUS_ASSIGN_OR_RETURN(auto sealed, SealFor(*keyring, org, c.slug, c.secrets));
    sealed_key = std::move(sealed.first);
    sealed_blob = std::move(sealed.second);
  }
  const pqxx::result row =
      tx.exec_params(kUpsertChannel, org, c.slug, c.sender, c.country, c.segments_per_second,
                     TextArray(setting_keys), TextArray(setting_values), c.carrier, sealed_key,
                     sealed_blob, keep_secrets, c.segment_price, c.currency);
  if (row.empty()) {
    return MakeError(ErrorCode::kConflict, "slug: already used by another organization");
  }
  return Written(row[0]);
}

WrittenItem WriteChapter(pqxx::work& tx, OrganizationId org, const workspace::ChapterDefinition& c) {
  return Written(tx.exec_params1(kUpsertChapter, org, c.slug, c.name, c.parent, c.country,
                                 TextArray(c.postal_codes), c.time_zone));
}

WrittenItem WriteEvent(pqxx::work& tx, OrganizationId org, const workspace::EventDefinition& e) {
  const auto [languages, titles] = Columns(e.title);
  const auto [reply_languages, replies] = Columns(e.checked_in_text);
  return Written(tx.exec_params1(kUpsertEvent, org, e.slug, e.chapter, TextArray(languages),
                                 TextArray(titles), e.starts_local, e.ends_local, e.time_zone,
                                 e.place, e.checkin_code, e.follow_up_after_seconds,
                                 e.attended_flow, e.absent_flow, TextArray(reply_languages),
                                 TextArray(replies)));
}

std::vector<WrittenItem> WriteKeyword(pqxx::work& tx, OrganizationId org,
                                      const workspace::KeywordDefinition& k,
                                      const std::map<std::string, ChannelId>& channel_ids,
                                      std::optional<std::int64_t> id) {
  std::vector<std::optional<std::int64_t>> scopes;
  for (const auto& slug : k.channels) scopes.push_back(channel_ids.at(slug));
  if (scopes.empty()) scopes.push_back(std::nullopt);
  std::vector<WrittenItem> out;
  for (const auto& scope : scopes) {
    if (id) {
      const pqxx::result row = tx.exec_params(
          kRewriteKeyword, org, scope, k.word, k.display_word, k.reply, k.opt_in, k.language,
          k.qualifier, k.flow, k.chapter, *id);
      if (!row.empty()) out.push_back(Written(row[0]));
      continue;
    }
    out.push_back(Written(tx.exec_params1(kUpsertKeyword, org, scope, k.word, k.display_word,
                                          k.reply, k.opt_in, k.language, k.qualifier, k.flow,
                                          k.chapter)));
  }
  return out;
}

FlowVersionWritten WriteFlowVersion(pqxx::work& tx, OrganizationId org,
                                    const workspace::FlowDefinition& f, const std::string& actor) {
  FlowVersionWritten out;
  out.flow_id = tx.exec_params1("INSERT INTO flows (organization_id, slug) VALUES ($1, $2)"
                                " ON CONFLICT (organization_id, slug) DO UPDATE"
                                " SET updated_at = now() RETURNING id",
                                org, f.flow.slug)[0]
                    .as<std::int64_t>();
  // The same definition as a stored version (compared as jsonb, so key order and spacing do
  // not matter) is that version again: activating it rolls back.
  const pqxx::result same = tx.exec_params(
      "SELECT version FROM flow_versions WHERE organization_id = $1 AND flow_id = $2"
      " AND definition = $3::jsonb ORDER BY version DESC LIMIT 1",
      org, out.flow_id, f.json);
  if (!same.empty()) {
    out.version = same[0][0].as<int>();
    return out;
  }
  out.version = tx.exec_params1(
                      "INSERT INTO flow_versions (organization_id, flow_id, version, definition,"
                      " digest, created_by)"
                      " SELECT $1, $2, COALESCE(max(version), 0) + 1, $3::jsonb,"
                      " md5($3::jsonb::text), $4 FROM flow_versions"
                      " WHERE organization_id = $1 AND flow_id = $2 RETURNING version",
                      org, out.flow_id, f.json, actor)[0]
                    .as<int>();
  out.created = true;
  return out;
}

void ActivateFlowVersion(pqxx::work& tx, OrganizationId org, std::int64_t flow_id,
                         std::optional<int> version) {
  tx.exec_params("UPDATE flows SET active_version = $3, updated_at = now()"
                 " WHERE organization_id = $1 AND id = $2",
                 org, flow_id, version);
}

}  // namespace chorus::store::pg

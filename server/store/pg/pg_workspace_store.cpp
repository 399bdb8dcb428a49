#include "store/pg/pg_workspace_store.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>

#include "core/base64.hpp"
#include "store/pg/pg_array.hpp"
#include "store/pg/pg_campaign_store.hpp"

namespace chorus::store::pg {
namespace {

using workspace::Definition;
using workspace::TextKind;

constexpr std::pair<TextKind, const char*> kTextKinds[] = {
    {TextKind::kHelp, "help"},
    {TextKind::kOptOut, "opt_out"},
    {TextKind::kOptOutAll, "opt_out_all"},
    {TextKind::kOptIn, "opt_in"},
    {TextKind::kDefaultReply, "default_reply"},
};

std::string* TextField(workspace::Texts& t, std::string_view kind) {
  if (kind == "help") return &t.help;
  if (kind == "opt_out") return &t.opt_out_confirmation;
  if (kind == "opt_out_all") return &t.opt_out_all_confirmation;
  if (kind == "opt_in") return &t.opt_in_confirmation;
  if (kind == "default_reply") return &t.default_reply;
  return nullptr;
}

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

constexpr std::pair<compliance::Intent, const char*> kIntents[] = {
    {compliance::Intent::kOptOut, "opt_out"},
    {compliance::Intent::kOptOutAll, "opt_out_all"},
    {compliance::Intent::kOptIn, "opt_in"},
    {compliance::Intent::kHelp, "help"},
};

const char* IntentText(compliance::Intent intent) {
  for (const auto& [value, name] : kIntents) {
    if (value == intent) return name;
  }
  return "opt_out";
}

compliance::Intent IntentFrom(std::string_view name) {
  for (const auto& [value, text] : kIntents) {
    if (name == text) return value;
  }
  return compliance::Intent::kNone;
}

std::vector<workspace::Organization> LoadOrganizations(pqxx::read_transaction& tx) {
  std::map<OrganizationId, workspace::Organization> orgs;
  for (const auto& row : tx.exec("SELECT id, slug, name, default_language, loop_guard_max,"
                                 " loop_guard_window_seconds, message_body_retention_days"
                                 " FROM organizations")) {
    workspace::Organization o;
    o.id = row[0].as<std::int64_t>();
    o.slug = row[1].c_str();
    o.name = row[2].c_str();
    o.default_language = row[3].c_str();
    o.loop_guard_max = row[4].as<int>();
    o.loop_guard_window = std::chrono::seconds(row[5].as<int>());
    o.message_body_retention_days = row[6].as<int>();
    orgs.emplace(o.id, std::move(o));
  }
  for (const auto& row :
       tx.exec("SELECT organization_id, language, kind, body FROM organization_texts")) {
    auto it = orgs.find(row[0].as<std::int64_t>());
    if (it == orgs.end()) continue;
    if (std::string* field = TextField(it->second.texts[row[1].c_str()], row[2].c_str())) {
      *field = row[3].c_str();
    }
  }
  for (const auto& row : tx.exec("SELECT organization_id, word, intent, language"
                                 " FROM organization_compliance_words")) {
    auto it = orgs.find(row[0].as<std::int64_t>());
    if (it == orgs.end()) continue;
    it->second.words.Add(IntentFrom(row[2].c_str()), row[1].c_str(), row[3].c_str());
  }
  std::vector<workspace::Organization> out;
  for (auto& [id, o] : orgs) out.push_back(std::move(o));
  return out;
}

// Binds sealed credentials to their channel: a value copied into another row does not open.
std::string SecretsContext(OrganizationId org, std::string_view slug) {
  return "chorus:channel-secrets:v1:" + std::to_string(org) + ":" + std::string(slug);
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

// Opens each channel's sealed credentials. A channel written before credentials were sealed
// (migration 0004) still has them in plain text until `chorus secrets rekey`: read, and named.
Result<void> LoadSecrets(pqxx::read_transaction& tx, const secrets::Keyring* keyring,
                         std::map<ChannelId, Channel>& channels) {
  for (const auto& row : tx.exec("SELECT id, secrets_key_id, secrets_sealed FROM channels"
                                 " WHERE enabled AND secrets_sealed IS NOT NULL")) {
    Channel& c = channels.at(row[0].as<std::int64_t>());
    if (keyring == nullptr) return NoKeyFile(c.slug);
    CHORUS_ASSIGN_OR_RETURN(c.secrets, OpenSealed(*keyring, c.organization_id, c.slug,
                                                  row[1].c_str(), row[2].c_str()));
  }
  for (const auto& row : tx.exec("SELECT c.id, s.key, s.value FROM channels c,"
                                 " jsonb_each_text(c.secrets) s"
                                 " WHERE c.enabled AND c.secrets_sealed IS NULL ORDER BY c.id")) {
    Channel& c = channels.at(row[0].as<std::int64_t>());
    if (c.secrets.empty()) {
      spdlog::warn("workspace.plaintext_secrets channel={} (run chorus secrets rekey)", c.slug);
    }
    c.secrets[row[1].c_str()] = row[2].c_str();
  }
  return Ok();
}

Result<std::vector<Channel>> LoadChannels(pqxx::read_transaction& tx,
                                          const secrets::Keyring* keyring) {
  std::map<ChannelId, Channel> channels;
  for (const auto& row : tx.exec("SELECT organization_id, id, slug, carrier, sender, country,"
                                 " segments_per_second FROM channels WHERE enabled")) {
    Channel c;
    c.organization_id = row[0].as<std::int64_t>();
    c.id = row[1].as<std::int64_t>();
    c.slug = row[2].c_str();
    c.carrier = row[3].c_str();
    c.sender = row[4].c_str();
    c.country = row[5].c_str();
    c.segments_per_second = row[6].as<double>();
    channels.emplace(c.id, std::move(c));
  }
  for (const auto& row : tx.exec(
           "SELECT c.id, s.key, s.value FROM channels c, jsonb_each_text(c.settings) s"
           " WHERE c.enabled")) {
    channels.at(row[0].as<std::int64_t>()).settings[row[1].c_str()] = row[2].c_str();
  }
  CHORUS_TRY(LoadSecrets(tx, keyring, channels));
  std::vector<Channel> out;
  for (auto& [id, c] : channels) out.push_back(std::move(c));
  return out;
}

std::vector<workspace::Keyword> LoadKeywords(pqxx::read_transaction& tx) {
  std::vector<workspace::Keyword> out;
  for (const auto& row : tx.exec("SELECT organization_id, channel_id, word, display_word, reply,"
                                 " opt_in, language, qualifier, COALESCE(flow_slug, ''),"
                                 " COALESCE(chapter_slug, '') FROM keywords")) {
    workspace::Keyword k;
    k.organization_id = row[0].as<std::int64_t>();
    if (!row[1].is_null()) k.channel_id = row[1].as<std::int64_t>();
    k.word = row[2].c_str();
    k.display_word = row[3].c_str();
    k.reply = row[4].c_str();
    k.opt_in = row[5].as<bool>();
    k.language = row[6].c_str();
    k.qualifier = row[7].c_str();
    k.flow = row[8].c_str();
    k.chapter = row[9].c_str();
    out.push_back(std::move(k));
  }
  return out;
}

OrganizationId UpsertOrganization(pqxx::work& tx, const Definition& d) {
  return tx
      .exec_params1(
          "INSERT INTO organizations (slug, name, default_language, loop_guard_max,"
          " loop_guard_window_seconds, message_body_retention_days)"
          " VALUES ($1, $2, $3, $4, $5, $6)"
          " ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name,"
          " default_language = EXCLUDED.default_language,"
          " loop_guard_max = EXCLUDED.loop_guard_max,"
          " loop_guard_window_seconds = EXCLUDED.loop_guard_window_seconds,"
          " message_body_retention_days = EXCLUDED.message_body_retention_days,"
          " updated_at = now() RETURNING id",
          d.slug, d.name, d.default_language, d.loop_guard_max, d.loop_guard_window_seconds,
          d.message_body_retention_days)[0]
      .as<std::int64_t>();
}

void ReplaceTexts(pqxx::work& tx, OrganizationId org, const Definition& d) {
  tx.exec_params("DELETE FROM organization_texts WHERE organization_id = $1", org);
  std::vector<std::string> languages, kinds, bodies;
  for (const auto& [language, texts] : d.texts) {
    for (const auto& [kind, name] : kTextKinds) {
      const std::string& body = TextOf(texts, kind);
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

void ReplaceComplianceWords(pqxx::work& tx, OrganizationId org, const Definition& d) {
  tx.exec_params("DELETE FROM organization_compliance_words WHERE organization_id = $1", org);
  std::vector<std::string> words, intents, languages;
  for (const auto& w : d.compliance_words) {
    words.push_back(w.word);
    intents.push_back(IntentText(w.intent));
    languages.push_back(w.language);
  }
  tx.exec_params(
      "INSERT INTO organization_compliance_words (organization_id, word, intent, language)"
      " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])"
      " ON CONFLICT (organization_id, word) DO UPDATE SET intent = EXCLUDED.intent,"
      " language = EXCLUDED.language",
      org, TextArray(words), TextArray(intents), TextArray(languages));
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

Result<std::map<std::string, ChannelId>> UpsertChannels(pqxx::work& tx, OrganizationId org,
                                                        const Definition& d,
                                                        const secrets::Keyring* keyring,
                                                        ApplySummary& summary) {
  std::map<std::string, ChannelId> ids;
  std::vector<std::string> slugs;
  for (std::size_t i = 0; i < d.channels.size(); ++i) {
    const auto& c = d.channels[i];
    auto [setting_keys, setting_values] = Split(c.settings);
    // Credentials are never written in plain text: sealed for this channel, or none at all.
    std::optional<std::string> sealed_key, sealed_blob;
    if (!c.secrets.empty()) {
      if (keyring == nullptr) return NoKeyFile(c.slug);
      CHORUS_ASSIGN_OR_RETURN(auto sealed, SealFor(*keyring, org, c.slug, c.secrets));
      sealed_key = std::move(sealed.first);
      sealed_blob = std::move(sealed.second);
    }
    const pqxx::result row = tx.exec_params(
        "INSERT INTO channels (organization_id, slug, carrier, sender, country,"
        " segments_per_second, settings, secrets, secrets_key_id, secrets_sealed)"
        " VALUES ($1, $2, $8, $3, $4, $5, jsonb_object($6::text[], $7::text[]), '{}', $9, $10)"
        " ON CONFLICT (slug) DO UPDATE SET carrier = EXCLUDED.carrier,"
        " sender = EXCLUDED.sender, country = EXCLUDED.country,"
        " segments_per_second = EXCLUDED.segments_per_second, settings = EXCLUDED.settings,"
        " secrets = '{}', secrets_key_id = EXCLUDED.secrets_key_id,"
        " secrets_sealed = EXCLUDED.secrets_sealed, enabled = true, updated_at = now()"
        " WHERE channels.organization_id = EXCLUDED.organization_id"
        " RETURNING id",
        org, c.slug, c.sender, c.country, c.segments_per_second, TextArray(setting_keys),
        TextArray(setting_values), c.carrier, sealed_key, sealed_blob);
    if (row.empty()) {
      return MakeError(ErrorCode::kConflict, "channels[" + std::to_string(i) +
                                                 "].slug: already used by another organization");
    }
    ids[c.slug] = row[0][0].as<std::int64_t>();
    slugs.push_back(c.slug);
  }
  summary.channels = static_cast<int>(d.channels.size());
  summary.channels_disabled = static_cast<int>(
      tx.exec_params("UPDATE channels SET enabled = false, updated_at = now()"
                     " WHERE organization_id = $1 AND enabled AND slug <> ALL($2::text[])",
                     org, TextArray(slugs))
          .affected_rows());
  return ids;
}

int ReplaceKeywords(pqxx::work& tx, OrganizationId org, const Definition& d,
                    const std::map<std::string, ChannelId>& channel_ids) {
  tx.exec_params("DELETE FROM keywords WHERE organization_id = $1", org);
  std::vector<std::optional<std::int64_t>> channels;
  std::vector<std::string> words, display, replies, languages, qualifiers, flows, chapters;
  std::vector<bool> opt_ins;
  for (const auto& k : d.keywords) {
    std::vector<std::optional<std::int64_t>> scopes;
    for (const auto& slug : k.channels) scopes.push_back(channel_ids.at(slug));
    if (scopes.empty()) scopes.push_back(std::nullopt);
    for (const auto& scope : scopes) {
      channels.push_back(scope);
      words.push_back(k.word);
      display.push_back(k.display_word);
      replies.push_back(k.reply);
      opt_ins.push_back(k.opt_in);
      languages.push_back(k.language);
      qualifiers.push_back(k.qualifier);
      flows.push_back(k.flow);
      chapters.push_back(k.chapter);
    }
  }
  tx.exec_params(
      "INSERT INTO keywords (organization_id, channel_id, word, display_word, reply, opt_in,"
      " language, qualifier, flow_slug, chapter_slug)"
      " SELECT $1, c, w, d, r, o, l, q, NULLIF(f, ''), NULLIF(ch, '')"
      " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[],"
      " $8::text[], $9::text[], $10::text[]) AS v(c, w, d, r, o, l, q, f, ch)",
      org, NullableIntArray(channels), TextArray(words), TextArray(display), TextArray(replies),
      BoolArray(opt_ins), TextArray(languages), TextArray(qualifiers), TextArray(flows),
      TextArray(chapters));
  return static_cast<int>(words.size());
}

}  // namespace

PgWorkspaceStore::PgWorkspaceStore(std::string dsn,
                                   std::shared_ptr<const secrets::Keyring> keyring)
    : session_(std::move(dsn)), keyring_(std::move(keyring)) {}

Result<workspace::SnapshotPtr> PgWorkspaceStore::LoadSnapshot() {
  auto result = session_.Run([&](pqxx::connection& c) -> Result<workspace::SnapshotPtr> {
    pqxx::read_transaction tx(c);
    auto orgs = LoadOrganizations(tx);
    CHORUS_ASSIGN_OR_RETURN(auto channels, LoadChannels(tx, keyring_.get()));
    auto keywords = LoadKeywords(tx);
    CHORUS_ASSIGN_OR_RETURN(auto campaigns, LoadCampaigns(tx, keyring_.get(), orgs));
    return workspace::SnapshotPtr(std::make_shared<const workspace::Snapshot>(
        std::move(orgs), std::move(channels), std::move(keywords), std::move(campaigns)));
  });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

Result<PgWorkspaceStore::Resealed> PgWorkspaceStore::Rekey() {
  if (!keyring_) return NoKeyFile("(any)");
  auto result = session_.Run([&](pqxx::connection& c) -> Result<Resealed> {
    pqxx::work tx(c);
    Resealed resealed;
    for (const auto& row : tx.exec("SELECT id, organization_id, slug, secrets_key_id,"
                                   " secrets_sealed FROM channels"
                                   " WHERE secrets_sealed IS NOT NULL OR secrets <> '{}'"
                                   " ORDER BY id FOR UPDATE")) {
      const OrganizationId org = row[1].as<std::int64_t>();
      const std::string slug = row[2].c_str();
      std::map<std::string, std::string> plain;
      if (!row[4].is_null()) {
        CHORUS_ASSIGN_OR_RETURN(plain,
                                OpenSealed(*keyring_, org, slug, row[3].c_str(), row[4].c_str()));
      } else {
        for (const auto& kv : tx.exec_params("SELECT key, value FROM channels,"
                                             " jsonb_each_text(secrets) WHERE id = $1",
                                             row[0].as<std::int64_t>())) {
          plain[kv[0].c_str()] = kv[1].c_str();
        }
      }
      CHORUS_ASSIGN_OR_RETURN(auto sealed, SealFor(*keyring_, org, slug, plain));
      tx.exec_params("UPDATE channels SET secrets = '{}', secrets_key_id = $2,"
                     " secrets_sealed = $3, updated_at = now() WHERE id = $1",
                     row[0].as<std::int64_t>(), sealed.first, sealed.second);
      ++resealed.channels;
    }
    CHORUS_ASSIGN_OR_RETURN(resealed.webhook_secrets, RekeyCampaignSecrets(tx, *keyring_));
    tx.exec(std::string("NOTIFY ") + kWorkspaceChannel);
    tx.commit();
    return resealed;
  });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

Result<ApplySummary> PgWorkspaceStore::Apply(const Definition& definition) {
  auto result = session_.Run([&](pqxx::connection& c) -> Result<ApplySummary> {
    pqxx::work tx(c);
    // Two applies of one organization at once would interleave their replace steps.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended('workspace:' || $1, 0))",
                   definition.slug);
    ApplySummary summary;
    summary.organization_id = UpsertOrganization(tx, definition);
    ReplaceTexts(tx, summary.organization_id, definition);
    ReplaceComplianceWords(tx, summary.organization_id, definition);
    auto channel_ids =
        UpsertChannels(tx, summary.organization_id, definition, keyring_.get(), summary);
    if (!channel_ids.ok()) return channel_ids.take_error();  // rolls back
    summary.keywords = ReplaceKeywords(tx, summary.organization_id, definition, *channel_ids);
    auto campaigns =
        ApplyCampaigns(tx, summary.organization_id, definition, keyring_.get(), summary);
    if (!campaigns.ok()) return campaigns.take_error();  // rolls back
    tx.exec(std::string("NOTIFY ") + kWorkspaceChannel);
    tx.commit();
    return summary;
  });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

}  // namespace chorus::store::pg

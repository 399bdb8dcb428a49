#include "store/pg/pg_workspace_store.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>

#include "core/base64.hpp"
#include "store/pg/pg_array.hpp"
#include "store/pg/pg_campaign_store.hpp"
#include "store/pg/pg_org_scope.hpp"
#include "store/pg/pg_workspace_items.hpp"

namespace chorus::store::pg {
namespace {

using workspace::Definition;
using workspace::TextKind;

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

std::vector<workspace::Organization> ReadOrganizations(pqxx::read_transaction& tx,
                                                     const OrgScope& scope) {
  std::map<OrganizationId, workspace::Organization> orgs;
  for (const auto& row : tx.exec("SELECT id, slug, name, default_language, loop_guard_max,"
                                 " loop_guard_window_seconds, message_body_retention_days"
                                 " FROM organizations WHERE true" + scope.And("id"))) {
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
       tx.exec("SELECT organization_id, language, kind, body FROM organization_texts"
               " WHERE true" + scope.And("organization_id"))) {
    auto it = orgs.find(row[0].as<std::int64_t>());
    if (it == orgs.end()) continue;
    if (std::string* field = TextField(it->second.texts[row[1].c_str()], row[2].c_str())) {
      *field = row[3].c_str();
    }
  }
  for (const auto& row : tx.exec("SELECT organization_id, word, intent, language"
                                 " FROM organization_compliance_words WHERE true" +
                                 scope.And("organization_id"))) {
    auto it = orgs.find(row[0].as<std::int64_t>());
    if (it == orgs.end()) continue;
    it->second.words.Add(IntentFrom(row[2].c_str()), row[1].c_str(), row[3].c_str());
  }
  std::vector<workspace::Organization> out;
  for (auto& [id, o] : orgs) out.push_back(std::move(o));
  return out;
}

// Opens each channel's sealed credentials. A channel written before credentials were sealed
// (migration 0004) still has them in plain text until `chorus secrets rekey`: read, and named.
Result<void> LoadSecrets(pqxx::read_transaction& tx, const secrets::Keyring* keyring,
                         const OrgScope& scope, std::map<ChannelId, Channel>& channels) {
  for (const auto& row : tx.exec("SELECT id, secrets_key_id, secrets_sealed FROM channels"
                                 " WHERE enabled AND secrets_sealed IS NOT NULL" +
                                 scope.And("organization_id"))) {
    Channel& c = channels.at(row[0].as<std::int64_t>());
    if (keyring == nullptr) return NoKeyFile(c.slug);
    CHORUS_ASSIGN_OR_RETURN(c.secrets, OpenSealed(*keyring, c.organization_id, c.slug,
                                                  row[1].c_str(), row[2].c_str()));
  }
  for (const auto& row : tx.exec("SELECT c.id, s.key, s.value FROM channels c,"
                                 " jsonb_each_text(c.secrets) s"
                                 " WHERE c.enabled AND c.secrets_sealed IS NULL" +
                                 scope.And("c.organization_id") + " ORDER BY c.id")) {
    Channel& c = channels.at(row[0].as<std::int64_t>());
    if (c.secrets.empty()) {
      spdlog::warn("workspace.plaintext_secrets channel={} (run chorus secrets rekey)", c.slug);
    }
    c.secrets[row[1].c_str()] = row[2].c_str();
  }
  return Ok();
}

Result<std::vector<Channel>> LoadChannels(pqxx::read_transaction& tx,
                                          const secrets::Keyring* keyring,
                                          const OrgScope& scope) {
  std::map<ChannelId, Channel> channels;
  for (const auto& row : tx.exec("SELECT organization_id, id, slug, carrier, sender, country,"
                                 " segments_per_second FROM channels WHERE enabled" +
                                 scope.And("organization_id"))) {
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
           " WHERE c.enabled" + scope.And("c.organization_id"))) {
    channels.at(row[0].as<std::int64_t>()).settings[row[1].c_str()] = row[2].c_str();
  }
  CHORUS_TRY(LoadSecrets(tx, keyring, scope, channels));
  std::vector<Channel> out;
  for (auto& [id, c] : channels) out.push_back(std::move(c));
  return out;
}

std::vector<workspace::Keyword> LoadKeywords(pqxx::read_transaction& tx, const OrgScope& scope) {
  std::vector<workspace::Keyword> out;
  for (const auto& row : tx.exec("SELECT organization_id, channel_id, word, display_word, reply,"
                                 " opt_in, language, qualifier, COALESCE(flow_slug, ''),"
                                 " COALESCE(chapter_slug, '') FROM keywords WHERE true" +
                                 scope.And("organization_id"))) {
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


Result<std::map<std::string, ChannelId>> UpsertChannels(pqxx::work& tx, OrganizationId org,
                                                        const Definition& d,
                                                        const secrets::Keyring* keyring,
                                                        ApplySummary& summary) {
  std::map<std::string, ChannelId> ids;
  std::vector<std::string> slugs;
  for (std::size_t i = 0; i < d.channels.size(); ++i) {
    auto written = WriteChannel(tx, org, d.channels[i], keyring);
    if (!written.ok()) {
      if (written.error().code != ErrorCode::kConflict) return written.take_error();
      return MakeError(ErrorCode::kConflict, "channels[" + std::to_string(i) +
                                                 "].slug: already used by another organization");
    }
    ids[d.channels[i].slug] = written->id;
    slugs.push_back(d.channels[i].slug);
  }
  summary.channels = static_cast<int>(d.channels.size());
  summary.channels_disabled = static_cast<int>(
      tx.exec_params("UPDATE channels SET enabled = false, updated_at = now(),"
                     " revision = revision + 1"
                     " WHERE organization_id = $1 AND enabled AND slug <> ALL($2::text[])",
                     org, TextArray(slugs))
          .affected_rows());
  return ids;
}

// Upserts every keyword of the file (one row per channel) and deletes the organization's others.
int ReplaceKeywords(pqxx::work& tx, OrganizationId org, const Definition& d,
                    const std::map<std::string, ChannelId>& channel_ids) {
  std::vector<std::int64_t> kept;
  for (const auto& k : d.keywords) {
    for (const WrittenItem& row : WriteKeyword(tx, org, k, channel_ids)) kept.push_back(row.id);
  }
  tx.exec_params("DELETE FROM keywords WHERE organization_id = $1 AND id <> ALL($2::bigint[])",
                 org, IntArray(kept));
  return static_cast<int>(kept.size());
}

}  // namespace

void NotifyChanged(pqxx::work& tx, OrganizationId organization) {
  tx.exec_params("SELECT pg_notify($1, $2)", kWorkspaceChannel, std::to_string(organization));
}

PgWorkspaceStore::PgWorkspaceStore(std::string dsn,
                                   std::shared_ptr<const secrets::Keyring> keyring)
    : session_(std::move(dsn)), keyring_(std::move(keyring)) {}

Result<workspace::SnapshotPtr> PgWorkspaceStore::LoadSnapshot() { return Load(OrgScope{}); }

Result<workspace::SnapshotPtr> PgWorkspaceStore::LoadOrganizations(
    const std::set<OrganizationId>& organizations) {
  return Load(OrgScope{organizations});
}

Result<workspace::SnapshotPtr> PgWorkspaceStore::Load(const OrgScope& scope) {
  auto result = session_.Run([&](pqxx::connection& c) -> Result<workspace::SnapshotPtr> {
    pqxx::read_transaction tx(c);
    auto orgs = ReadOrganizations(tx, scope);
    CHORUS_ASSIGN_OR_RETURN(auto channels, LoadChannels(tx, keyring_.get(), scope));
    auto keywords = LoadKeywords(tx, scope);
    CHORUS_ASSIGN_OR_RETURN(auto campaigns, LoadCampaigns(tx, keyring_.get(), scope, orgs));
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
    WriteTexts(tx, summary.organization_id, definition.texts);
    ReplaceComplianceWords(tx, summary.organization_id, definition);
    auto channel_ids =
        UpsertChannels(tx, summary.organization_id, definition, keyring_.get(), summary);
    if (!channel_ids.ok()) return channel_ids.take_error();  // rolls back
    summary.keywords = ReplaceKeywords(tx, summary.organization_id, definition, *channel_ids);
    auto campaigns =
        ApplyCampaigns(tx, summary.organization_id, definition, keyring_.get(), summary);
    if (!campaigns.ok()) return campaigns.take_error();  // rolls back
    NotifyChanged(tx, summary.organization_id);
    tx.commit();
    return summary;
  });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

}  // namespace chorus::store::pg

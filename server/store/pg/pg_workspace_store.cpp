#include "store/pg/pg_workspace_store.hpp"

#include <map>

#include "store/pg/pg_array.hpp"

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
                                 " loop_guard_window_seconds FROM organizations")) {
    workspace::Organization o;
    o.id = row[0].as<std::int64_t>();
    o.slug = row[1].c_str();
    o.name = row[2].c_str();
    o.default_language = row[3].c_str();
    o.loop_guard_max = row[4].as<int>();
    o.loop_guard_window = std::chrono::seconds(row[5].as<int>());
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

std::vector<Channel> LoadChannels(pqxx::read_transaction& tx) {
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
           "SELECT c.id, false, s.key, s.value FROM channels c, jsonb_each_text(c.settings) s"
           " WHERE c.enabled UNION ALL "
           "SELECT c.id, true, s.key, s.value FROM channels c, jsonb_each_text(c.secrets) s"
           " WHERE c.enabled")) {
    Channel& c = channels.at(row[0].as<std::int64_t>());
    (row[1].as<bool>() ? c.secrets : c.settings)[row[2].c_str()] = row[3].c_str();
  }
  std::vector<Channel> out;
  for (auto& [id, c] : channels) out.push_back(std::move(c));
  return out;
}

std::vector<workspace::Keyword> LoadKeywords(pqxx::read_transaction& tx) {
  std::vector<workspace::Keyword> out;
  for (const auto& row : tx.exec("SELECT organization_id, channel_id, word, display_word, reply,"
                                 " opt_in, language FROM keywords")) {
    workspace::Keyword k;
    k.organization_id = row[0].as<std::int64_t>();
    if (!row[1].is_null()) k.channel_id = row[1].as<std::int64_t>();
    k.word = row[2].c_str();
    k.display_word = row[3].c_str();
    k.reply = row[4].c_str();
    k.opt_in = row[5].as<bool>();
    k.language = row[6].c_str();
    out.push_back(std::move(k));
  }
  return out;
}

OrganizationId UpsertOrganization(pqxx::work& tx, const Definition& d) {
  return tx
      .exec_params1(
          "INSERT INTO organizations (slug, name, default_language, loop_guard_max,"
          " loop_guard_window_seconds) VALUES ($1, $2, $3, $4, $5)"
          " ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name,"
          " default_language = EXCLUDED.default_language,"
          " loop_guard_max = EXCLUDED.loop_guard_max,"
          " loop_guard_window_seconds = EXCLUDED.loop_guard_window_seconds, updated_at = now()"
          " RETURNING id",
          d.slug, d.name, d.default_language, d.loop_guard_max, d.loop_guard_window_seconds)[0]
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
                                                        ApplySummary& summary) {
  std::map<std::string, ChannelId> ids;
  std::vector<std::string> slugs;
  for (std::size_t i = 0; i < d.channels.size(); ++i) {
    const auto& c = d.channels[i];
    auto [setting_keys, setting_values] = Split(c.settings);
    auto [secret_keys, secret_values] = Split(c.secrets);
    const pqxx::result row = tx.exec_params(
        "INSERT INTO channels (organization_id, slug, carrier, sender, country,"
        " segments_per_second, settings, secrets)"
        " VALUES ($1, $2, $10, $3, $4, $5, jsonb_object($6::text[], $7::text[]),"
        " jsonb_object($8::text[], $9::text[]))"
        " ON CONFLICT (slug) DO UPDATE SET carrier = EXCLUDED.carrier,"
        " sender = EXCLUDED.sender, country = EXCLUDED.country,"
        " segments_per_second = EXCLUDED.segments_per_second, settings = EXCLUDED.settings,"
        " secrets = EXCLUDED.secrets, enabled = true, updated_at = now()"
        " WHERE channels.organization_id = EXCLUDED.organization_id"
        " RETURNING id",
        org, c.slug, c.sender, c.country, c.segments_per_second, TextArray(setting_keys),
        TextArray(setting_values), TextArray(secret_keys), TextArray(secret_values), c.carrier);
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
  std::vector<std::string> words, display, replies, languages;
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
    }
  }
  tx.exec_params(
      "INSERT INTO keywords (organization_id, channel_id, word, display_word, reply, opt_in,"
      " language) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[],"
      " $6::boolean[], $7::text[])",
      org, NullableIntArray(channels), TextArray(words), TextArray(display), TextArray(replies),
      BoolArray(opt_ins), TextArray(languages));
  return static_cast<int>(words.size());
}

}  // namespace

PgWorkspaceStore::PgWorkspaceStore(std::string dsn) : session_(std::move(dsn)) {}

Result<workspace::SnapshotPtr> PgWorkspaceStore::LoadSnapshot() {
  return session_.Run([&](pqxx::connection& c) -> workspace::SnapshotPtr {
    pqxx::read_transaction tx(c);
    auto orgs = LoadOrganizations(tx);
    auto channels = LoadChannels(tx);
    auto keywords = LoadKeywords(tx);
    return std::make_shared<const workspace::Snapshot>(std::move(orgs), std::move(channels),
                                                       std::move(keywords));
  });
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
    auto channel_ids = UpsertChannels(tx, summary.organization_id, definition, summary);
    if (!channel_ids.ok()) return channel_ids.take_error();  // rolls back
    summary.keywords = ReplaceKeywords(tx, summary.organization_id, definition, *channel_ids);
    tx.exec(std::string("NOTIFY ") + kWorkspaceChannel);
    tx.commit();
    return summary;
  });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

}  // namespace chorus::store::pg

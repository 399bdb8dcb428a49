#include "store/pg/pg_workspace_editor.hpp"

#include <algorithm>
#include <map>

#include "store/pg/pg_array.hpp"
#include "store/pg/pg_idempotency.hpp"
#include "store/pg/pg_workspace_items.hpp"
#include "store/pg/pg_workspace_store.hpp"

namespace chorus::store::pg {
namespace {

using workspace::ChapterDefinition;
using workspace::Definition;
using workspace::Edited;
using workspace::EditOutcome;
using workspace::Editor;
using workspace::EventDefinition;
using workspace::Item;
using workspace::KeywordDefinition;

constexpr const char* kTime = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

void Audit(pqxx::work& tx, const Editor& editor, const std::string& action,
           const std::string& detail) {
  tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                 " VALUES ($1, $2, $3, $4)",
                 editor.organization, editor.actor, action, detail);
}

// Every write ends here: servers reload this organization when it commits.
void Finish(pqxx::work& tx, const Editor& editor) {
  NotifyChanged(tx, editor.organization);
  tx.commit();
}

std::string Revisions(int before, int after) {
  return "revision:" + std::to_string(before) + "->" + std::to_string(after);
}

// The row's revision, locked; nullopt when there is no such row.
std::optional<int> LockedRevision(pqxx::work& tx, const std::string& table, OrganizationId org,
                                  const std::string& key_column, const std::string& key) {
  const pqxx::result row = tx.exec_params(
      "SELECT revision FROM " + table + " WHERE organization_id = $1 AND " + key_column +
          " = $2" + (table == "keywords" ? "" : " AND archived_at IS NULL") + " FOR UPDATE",
      org, key);
  if (row.empty()) return std::nullopt;
  return row[0][0].as<int>();
}

// kNotFound or kStale for a write that names a missing row or an older revision.
std::optional<EditOutcome> Refused(const std::optional<int>& revision,
                                   const std::optional<int>& if_revision) {
  if (!revision) return EditOutcome::kNotFound;
  if (if_revision && *if_revision != *revision) return EditOutcome::kStale;
  return std::nullopt;
}

std::map<std::string, ChannelId> ChannelIds(pqxx::work& tx, OrganizationId org) {
  std::map<std::string, ChannelId> ids;
  for (const auto& row : tx.exec_params(
           "SELECT slug, id FROM channels WHERE organization_id = $1 AND enabled", org)) {
    ids[row[0].c_str()] = row[1].as<std::int64_t>();
  }
  return ids;
}



std::vector<Item<KeywordDefinition>> ReadKeywords(pqxx::work& tx, OrganizationId org,
                                                  std::optional<std::int64_t> only) {
  std::vector<Item<KeywordDefinition>> out;
  for (const auto& row : tx.exec_params(
           "SELECT k.id, k.revision, k.word, k.display_word, COALESCE(c.slug, ''), k.reply,"
           " k.opt_in, k.language, k.qualifier, COALESCE(k.flow_slug, ''),"
           " COALESCE(k.chapter_slug, '') FROM keywords k LEFT JOIN channels c"
           "   ON c.organization_id = k.organization_id AND c.id = k.channel_id"
           " WHERE k.organization_id = $1 AND ($2::bigint IS NULL OR k.id = $2) ORDER BY k.id",
           org, only)) {
    Item<KeywordDefinition> item{row[0].as<std::int64_t>(), row[1].as<int>(), {}};
    KeywordDefinition& k = item.definition;
    k.word = row[2].c_str();
    k.display_word = row[3].c_str();
    if (!row[4].is_null() && *row[4].c_str()) k.channels.push_back(row[4].c_str());
    k.reply = row[5].c_str();
    k.opt_in = row[6].as<bool>();
    k.language = row[7].c_str();
    k.qualifier = row[8].c_str();
    k.flow = row[9].c_str();
    k.chapter = row[10].c_str();
    out.push_back(std::move(item));
  }
  return out;
}

// Live chapters, parents before children (what the item checks expect).
std::vector<Item<ChapterDefinition>> ReadChapters(pqxx::work& tx, OrganizationId org) {
  std::vector<Item<ChapterDefinition>> rows;
  for (const auto& row : tx.exec_params(
           "SELECT c.id, c.revision, c.slug, c.name, COALESCE(p.slug, ''),"
           " array_to_string(c.postal_codes, ','), c.country, c.time_zone FROM chapters c"
           " LEFT JOIN chapters p ON p.organization_id = c.organization_id AND p.id = c.parent_id"
           " WHERE c.organization_id = $1 AND c.archived_at IS NULL ORDER BY c.id",
           org)) {
    rows.push_back({row[0].as<std::int64_t>(), row[1].as<int>(),
                    ChapterDefinition{row[2].c_str(), row[3].c_str(), row[4].c_str(),
                                      SplitComma(row[5].c_str()), row[6].c_str(), row[7].c_str()}});
  }
  std::vector<Item<ChapterDefinition>> ordered;
  std::set<std::string> placed{""};
  while (!rows.empty()) {
    auto ready = std::stable_partition(rows.begin(), rows.end(), [&](const auto& c) {
      return !placed.count(c.definition.parent);
    });
    if (ready == rows.end()) ready = rows.begin();  // a parent archived under it: place anyway
    for (auto it = ready; it != rows.end(); ++it) {
      placed.insert(it->definition.slug);
      ordered.push_back(std::move(*it));
    }
    rows.erase(ready, rows.end());
  }
  return ordered;
}

std::vector<Item<EventDefinition>> ReadEvents(pqxx::work& tx, OrganizationId org) {
  std::vector<Item<EventDefinition>> out;
  std::map<std::int64_t, std::size_t> index;
  for (const auto& row : tx.exec_params(
           "SELECT e.id, e.revision, e.slug,"
           " to_char(e.starts_at AT TIME ZONE e.time_zone, 'YYYY-MM-DD\"T\"HH24:MI'),"
           " to_char(e.ends_at AT TIME ZONE e.time_zone, 'YYYY-MM-DD\"T\"HH24:MI'),"
           " e.time_zone, e.place, COALESCE(c.slug, ''), e.checkin_code,"
           " e.follow_up_after_seconds, COALESCE(e.attended_flow, ''),"
           " COALESCE(e.absent_flow, '') FROM events e"
           " LEFT JOIN chapters c ON c.organization_id = e.organization_id AND c.id = e.chapter_id"
           " WHERE e.organization_id = $1 AND e.archived_at IS NULL ORDER BY e.starts_at, e.id",
           org)) {
    Item<EventDefinition> item{row[0].as<std::int64_t>(), row[1].as<int>(), {}};
    EventDefinition& e = item.definition;
    e.slug = row[2].c_str();
    index[item.id] = out.size();
    e.starts_local = row[3].c_str();
    e.ends_local = row[4].c_str();
    e.time_zone = row[5].c_str();
    e.place = row[6].c_str();
    e.chapter = row[7].c_str();
    e.checkin_code = row[8].c_str();
    e.follow_up_after_seconds = row[9].as<int>();
    e.attended_flow = row[10].c_str();
    e.absent_flow = row[11].c_str();
    out.push_back(std::move(item));
  }
  // Titles and check-in answers by language, for every event in one statement.
  for (const auto& row : tx.exec_params(
           "SELECT e.id, t.key, t.value, false FROM events e, jsonb_each_text(e.titles) t"
           " WHERE e.organization_id = $1 AND e.archived_at IS NULL"
           " UNION ALL SELECT e.id, t.key, t.value, true FROM events e,"
           " jsonb_each_text(e.checked_in_texts) t"
           " WHERE e.organization_id = $1 AND e.archived_at IS NULL",
           org)) {
    auto it = index.find(row[0].as<std::int64_t>());
    if (it == index.end()) continue;
    EventDefinition& e = out[it->second].definition;
    (row[3].as<bool>() ? e.checked_in_text : e.title)[row[1].c_str()] = row[2].c_str();
  }
  return out;
}

// Enabled channels (one, with `only`), credentials by name only.
std::vector<Item<workspace::ChannelDefinition>> ReadChannels(pqxx::work& tx, OrganizationId org,
                                                            const std::string& only = "") {
  std::vector<Item<workspace::ChannelDefinition>> out;
  std::map<std::int64_t, std::size_t> index;
  for (const auto& row : tx.exec_params(
           "SELECT id, revision, slug, carrier, sender, country, segments_per_second,"
           " secrets_sealed IS NOT NULL OR secrets <> '{}', segment_price, currency FROM channels"
           " WHERE organization_id = $1 AND enabled AND ($2 = '' OR slug = $2) ORDER BY id",
           org, only)) {
    Item<workspace::ChannelDefinition> item{row[0].as<std::int64_t>(), row[1].as<int>(), {}};
    auto& c = item.definition;
    c.slug = row[2].c_str();
    c.carrier = row[3].c_str();
    c.sender = row[4].c_str();
    c.country = row[5].c_str();
    c.segments_per_second = row[6].as<double>();
    c.segment_price = row[8].as<double>();
    c.currency = row[9].c_str();
    index[item.id] = out.size();
    out.push_back(std::move(item));
  }
  for (const auto& row : tx.exec_params(
           "SELECT c.id, s.key, s.value FROM channels c, jsonb_each_text(c.settings) s"
           " WHERE c.organization_id = $1 AND c.enabled AND ($2 = '' OR c.slug = $2)",
           org, only)) {
    auto it = index.find(row[0].as<std::int64_t>());
    if (it != index.end()) out[it->second].definition.settings[row[1].c_str()] = row[2].c_str();
  }
  return out;
}

template <typename T>
T Find(const std::vector<T>& items, std::int64_t id) {
  for (const auto& item : items) {
    if (item.id == id) return item;
  }
  return T{};
}

// A create's Idempotency-Key seen before: the item it created (by id), or kKeyReused.
template <typename T>
std::optional<Edited<T>> Repeat(pqxx::work& tx, const Editor& editor,
                                const std::function<T(std::int64_t)>& read) {
  auto seen = RecallKey(tx, editor.organization, editor.idempotency_key, editor.request);
  if (!seen) return std::nullopt;
  Edited<T> out;
  if (!seen->same_request) {
    out.outcome = EditOutcome::kKeyReused;
    return out;
  }
  out.item = read(std::stoll(seen->body));
  out.repeated = true;
  return out;
}

}  // namespace

PgWorkspaceEditor::PgWorkspaceEditor(std::string dsn,
                                     std::shared_ptr<const secrets::Keyring> keyring)
    : session_(std::move(dsn)), keyring_(std::move(keyring)) {}

template <typename F>
auto PgWorkspaceEditor::Run(F&& fn) -> decltype(fn(std::declval<pqxx::connection&>())) {
  auto result = session_.Run(std::forward<F>(fn));
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

Result<std::optional<Edited<std::int64_t>>> PgWorkspaceEditor::Recall(const Editor& editor) {
  using Out = std::optional<Edited<std::int64_t>>;
  if (editor.idempotency_key.empty()) return Out{};
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    auto seen = RecallKey(tx, editor.organization, editor.idempotency_key, editor.request);
    if (!seen) return Out{};
    if (!seen->same_request) return Out{Edited<std::int64_t>{EditOutcome::kKeyReused}};
    return Out{Edited<std::int64_t>{EditOutcome::kDone, std::stoll(seen->body), true}};
  });
}

Result<Definition> PgWorkspaceEditor::Context(OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<Definition> {
    pqxx::work tx(c);
    Definition d;
    const pqxx::row o = tx.exec_params1(
        "SELECT slug, name, default_language, time_zone, segment_budget FROM organizations"
        " WHERE id = $1",
        org);
    d.slug = o[0].c_str();
    d.name = o[1].c_str();
    d.default_language = o[2].c_str();
    d.time_zone = o[3].c_str();
    d.segment_budget = o[4].as<int>();
    d.texts[d.default_language];
    for (const auto& row : tx.exec_params(
             "SELECT DISTINCT language FROM organization_texts WHERE organization_id = $1", org)) {
      d.texts[row[0].c_str()];
    }
    for (const auto& row : tx.exec_params("SELECT word, intent, language FROM"
                                          " organization_compliance_words WHERE organization_id = $1",
                                          org)) {
      const std::string intent = row[1].c_str();
      d.compliance_words.push_back(
          {row[0].c_str(),
           intent == "opt_out_all" ? compliance::Intent::kOptOutAll
           : intent == "opt_in"    ? compliance::Intent::kOptIn
           : intent == "help"      ? compliance::Intent::kHelp
                                   : compliance::Intent::kOptOut,
           row[2].c_str()});
    }
    for (const auto& row : tx.exec_params(
             "SELECT name FROM organization_secrets WHERE organization_id = $1", org)) {
      d.webhook_secrets[row[0].c_str()] = "";  // names only: checks need no values
    }
    for (const auto& row : tx.exec_params("SELECT slug, country, carrier FROM channels"
                                          " WHERE organization_id = $1 AND enabled ORDER BY id",
                                          org)) {
      workspace::ChannelDefinition ch;
      ch.slug = row[0].c_str();
      ch.country = row[1].c_str();
      ch.carrier = row[2].c_str();
      d.channels.push_back(std::move(ch));
    }
    for (auto& k : ReadKeywords(tx, org, std::nullopt)) d.keywords.push_back(std::move(k.definition));
    for (auto& ch : ReadChapters(tx, org)) d.chapters.push_back(std::move(ch.definition));
    for (const auto& row : tx.exec_params("SELECT slug FROM flows WHERE organization_id = $1", org)) {
      workspace::FlowDefinition f;
      f.flow.slug = row[0].c_str();
      d.flows.push_back(std::move(f));
    }
    for (auto& e : ReadEvents(tx, org)) d.events.push_back(std::move(e.definition));
    return d;
  });
}

Result<workspace::Settings> PgWorkspaceEditor::GetSettings(OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<workspace::Settings> {
    pqxx::work tx(c);
    const pqxx::row o = tx.exec_params1(
        "SELECT revision, slug, name, default_language, time_zone, quiet_hours_start,"
        " quiet_hours_end, coalesce(broadcast_approval_above, 0) FROM organizations"
        " WHERE id = $1",
        org);
    workspace::Settings s{o[0].as<int>(), o[1].c_str(), o[2].c_str(), o[3].c_str(),
                          o[4].c_str(), o[5].c_str(), o[6].c_str(), {}, o[7].as<std::int64_t>()};
    s.texts = ReadTexts(tx, org);
    return s;
  });
}

Result<Edited<workspace::Settings>> PgWorkspaceEditor::UpdateSettings(
    const Editor& editor, const workspace::Settings& s, std::optional<int> if_revision) {
  auto written = Run([&](pqxx::connection& c) -> Result<Edited<workspace::Settings>> {
    pqxx::work tx(c);
    const int before = tx.exec_params1("SELECT revision FROM organizations WHERE id = $1 FOR UPDATE",
                                       editor.organization)[0]
                           .as<int>();
    if (auto refused = Refused(before, if_revision)) return Edited<workspace::Settings>{*refused};
    CHORUS_TRY(CheckZone(tx, "time_zone", s.time_zone));
    const int after = tx.exec_params1(
                            "UPDATE organizations SET name = $2, default_language = $3,"
                            " time_zone = $4, quiet_hours_start = $5, quiet_hours_end = $6,"
                            " broadcast_approval_above = NULLIF($7, 0),"
                            " revision = revision + 1, updated_at = now() WHERE id = $1"
                            " RETURNING revision",
                            editor.organization, s.name, s.default_language, s.time_zone,
                            s.quiet_hours_start, s.quiet_hours_end, s.broadcast_approval_above)[0]
                          .as<int>();
    WriteTexts(tx, editor.organization, s.texts);
    Audit(tx, editor, "organization.update", Revisions(before, after));
    Finish(tx, editor);
    return Edited<workspace::Settings>{};
  });
  if (!written.ok() || written->outcome != EditOutcome::kDone) return written;
  CHORUS_ASSIGN_OR_RETURN(written->item, GetSettings(editor.organization));
  return written;
}

Result<std::vector<Item<workspace::ChannelDefinition>>> PgWorkspaceEditor::Channels(
    OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<std::vector<Item<workspace::ChannelDefinition>>> {
    pqxx::work tx(c);
    auto channels = ReadChannels(tx, org);
    // The names of the credentials each holds (opened only to list their names).
    for (auto& item : channels) {
      CHORUS_ASSIGN_OR_RETURN(auto secrets, OpenChannelSecrets(tx, org, item.definition.slug));
      for (const auto& [name, value] : secrets) item.definition.secrets[name] = "";
    }
    return channels;
  });
}

Result<std::optional<std::map<std::string, std::string>>> PgWorkspaceEditor::ChannelSecrets(
    OrganizationId org, const std::string& slug) {
  using Out = std::optional<std::map<std::string, std::string>>;
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    if (ReadChannels(tx, org, slug).empty()) return Out{};
    CHORUS_ASSIGN_OR_RETURN(auto secrets, OpenChannelSecrets(tx, org, slug));
    return Out{std::move(secrets)};
  });
}

Result<std::map<std::string, std::string>> PgWorkspaceEditor::OpenChannelSecrets(
    pqxx::work& tx, OrganizationId org, const std::string& slug) {
  const pqxx::result row = tx.exec_params(
      "SELECT secrets_key_id, secrets_sealed FROM channels WHERE organization_id = $1"
      " AND slug = $2 AND secrets_sealed IS NOT NULL",
      org, slug);
  if (row.empty()) return std::map<std::string, std::string>{};
  if (!keyring_) return NoKeyFile(slug);
  return OpenSealed(*keyring_, org, slug, row[0][0].c_str(), row[0][1].c_str());
}

Result<Edited<Item<workspace::ChannelDefinition>>> PgWorkspaceEditor::CreateChannel(
    const Editor& editor, const workspace::ChannelDefinition& d) {
  return WriteChannelItem(editor, d, true, std::nullopt, false);
}

Result<Edited<Item<workspace::ChannelDefinition>>> PgWorkspaceEditor::ReplaceChannel(
    const Editor& editor, std::optional<int> if_revision, const workspace::ChannelDefinition& d,
    bool keep_secrets) {
  return WriteChannelItem(editor, d, false, if_revision, keep_secrets);
}

Result<Edited<Item<workspace::ChannelDefinition>>> PgWorkspaceEditor::WriteChannelItem(
    const Editor& editor, const workspace::ChannelDefinition& d, bool create,
    std::optional<int> if_revision, bool keep_secrets) {
  using Out = Edited<Item<workspace::ChannelDefinition>>;
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    const auto read = [&](std::int64_t id) {
      auto channels = ReadChannels(tx, editor.organization, d.slug);
      auto item = Find(channels, id);
      for (const auto& [name, value] : d.secrets) item.definition.secrets[name] = "";
      return item;
    };
    if (create) {
      const std::function<Item<workspace::ChannelDefinition>(std::int64_t)> reader = read;
      if (auto repeat = Repeat(tx, editor, reader)) return *repeat;
    }
    const pqxx::result found = tx.exec_params(
        "SELECT revision FROM channels WHERE organization_id = $1 AND slug = $2 AND enabled"
        " FOR UPDATE",
        editor.organization, d.slug);
    const std::optional<int> before =
        found.empty() ? std::nullopt : std::optional<int>(found[0][0].as<int>());
    if (create && before) return Out{EditOutcome::kExists};
    if (!create) {
      if (auto refused = Refused(before, if_revision)) return Out{*refused};
    }
    CHORUS_ASSIGN_OR_RETURN(WrittenItem row, WriteChannel(tx, editor.organization, d,
                                                          keyring_.get(), keep_secrets));
    // Names of settings and credentials only: never their values.
    std::string names;
    for (const auto& [name, value] : d.secrets) names += (names.empty() ? "" : ",") + name;
    Audit(tx, editor, create ? "channel.create" : "channel.replace",
          "channel:" + d.slug + " " + Revisions(before.value_or(0), row.revision) +
              (names.empty() ? "" : " credentials:" + names));
    if (create) {
      RememberKey(tx, editor.organization, editor.token_id, editor.idempotency_key,
                  editor.request, 201, std::to_string(row.id));
    }
    Out out{EditOutcome::kDone, read(row.id)};
    if (keep_secrets) {
      CHORUS_ASSIGN_OR_RETURN(auto kept, OpenChannelSecrets(tx, editor.organization, d.slug));
      for (const auto& [name, value] : kept) out.item.definition.secrets[name] = "";
    }
    Finish(tx, editor);
    return out;
  });
}

Result<EditOutcome> PgWorkspaceEditor::DisableChannel(const Editor& editor,
                                                      const std::string& slug,
                                                      std::optional<int> if_revision) {
  return Run([&](pqxx::connection& c) -> Result<EditOutcome> {
    pqxx::work tx(c);
    const pqxx::result found = tx.exec_params(
        "SELECT revision FROM channels WHERE organization_id = $1 AND slug = $2 AND enabled"
        " FOR UPDATE",
        editor.organization, slug);
    const std::optional<int> before =
        found.empty() ? std::nullopt : std::optional<int>(found[0][0].as<int>());
    if (auto refused = Refused(before, if_revision)) return *refused;
    tx.exec_params("UPDATE channels SET enabled = false, updated_at = now(),"
                   " revision = revision + 1 WHERE organization_id = $1 AND slug = $2",
                   editor.organization, slug);
    Audit(tx, editor, "channel.disable",
          "channel:" + slug + " " + Revisions(*before, *before + 1));
    Finish(tx, editor);
    return EditOutcome::kDone;
  });
}

Result<std::vector<Item<KeywordDefinition>>> PgWorkspaceEditor::Keywords(OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<std::vector<Item<KeywordDefinition>>> {
    pqxx::work tx(c);
    return ReadKeywords(tx, org, std::nullopt);
  });
}

Result<Edited<Item<KeywordDefinition>>> PgWorkspaceEditor::CreateKeyword(
    const Editor& editor, const KeywordDefinition& k) {
  using Out = Edited<Item<KeywordDefinition>>;
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    const std::function<Item<KeywordDefinition>(std::int64_t)> read = [&](std::int64_t id) {
      return Find(ReadKeywords(tx, editor.organization, id), id);
    };
    if (auto repeat = Repeat(tx, editor, read)) return *repeat;
    const auto channels = ChannelIds(tx, editor.organization);
    if (!k.channels.empty() && !channels.count(k.channels.front())) {
      return MakeError(ErrorCode::kInvalidArgument, "channels[0]: no such channel");
    }
    const pqxx::result taken = tx.exec_params(
        "SELECT 1 FROM keywords WHERE organization_id = $1 AND word = $2 AND qualifier = $3"
        " AND channel_id IS NOT DISTINCT FROM $4",
        editor.organization, k.word, k.qualifier,
        k.channels.empty() ? std::optional<ChannelId>() : channels.at(k.channels.front()));
    if (!taken.empty()) return Out{EditOutcome::kExists};
    const WrittenItem row = WriteKeyword(tx, editor.organization, k, channels).front();
    Audit(tx, editor, "keyword.create",
          "keyword:" + std::to_string(row.id) + " word:" + k.display_word + " revision:1");
    RememberKey(tx, editor.organization, editor.token_id, editor.idempotency_key, editor.request,
                201, std::to_string(row.id));
    Out out{EditOutcome::kDone, read(row.id)};
    Finish(tx, editor);
    return out;
  });
}

Result<Edited<Item<KeywordDefinition>>> PgWorkspaceEditor::ReplaceKeyword(
    const Editor& editor, std::int64_t id, std::optional<int> if_revision,
    const KeywordDefinition& k) {
  using Out = Edited<Item<KeywordDefinition>>;
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    const auto before =
        LockedRevision(tx, "keywords", editor.organization, "id", std::to_string(id));
    if (auto refused = Refused(before, if_revision)) return Out{*refused};
    const auto channels = ChannelIds(tx, editor.organization);
    if (!k.channels.empty() && !channels.count(k.channels.front())) {
      return MakeError(ErrorCode::kInvalidArgument, "channels[0]: no such channel");
    }
    const pqxx::result taken = tx.exec_params(
        "SELECT 1 FROM keywords WHERE organization_id = $1 AND word = $2 AND qualifier = $3"
        " AND channel_id IS NOT DISTINCT FROM $4 AND id <> $5",
        editor.organization, k.word, k.qualifier,
        k.channels.empty() ? std::optional<ChannelId>() : channels.at(k.channels.front()), id);
    if (!taken.empty()) return Out{EditOutcome::kExists};
    WriteKeyword(tx, editor.organization, k, channels, id);
    Out out{EditOutcome::kDone, Find(ReadKeywords(tx, editor.organization, id), id)};
    Audit(tx, editor, "keyword.replace",
          "keyword:" + std::to_string(id) + " " + Revisions(*before, out.item.revision));
    Finish(tx, editor);
    return out;
  });
}

Result<EditOutcome> PgWorkspaceEditor::DeleteKeyword(const Editor& editor, std::int64_t id,
                                                     std::optional<int> if_revision) {
  return Run([&](pqxx::connection& c) -> Result<EditOutcome> {
    pqxx::work tx(c);
    const auto before =
        LockedRevision(tx, "keywords", editor.organization, "id", std::to_string(id));
    if (auto refused = Refused(before, if_revision)) return *refused;
    tx.exec_params("DELETE FROM keywords WHERE organization_id = $1 AND id = $2",
                   editor.organization, id);
    Audit(tx, editor, "keyword.delete",
          "keyword:" + std::to_string(id) + " revision:" + std::to_string(*before));
    Finish(tx, editor);
    return EditOutcome::kDone;
  });
}

Result<std::vector<Item<ChapterDefinition>>> PgWorkspaceEditor::Chapters(OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<std::vector<Item<ChapterDefinition>>> {
    pqxx::work tx(c);
    return ReadChapters(tx, org);
  });
}

namespace {

template <typename Definition, typename Reader, typename Writer>
Result<Edited<Item<Definition>>> WriteBySlug(pqxx::work& tx, const Editor& editor,
                                             const std::string& table, const std::string& kind,
                                             const Definition& d, bool create,
                                             std::optional<int> if_revision, Reader read,
                                             Writer write) {
  using Out = Edited<Item<Definition>>;
  const auto by_id = [&](std::int64_t id) {
    return Find(read(), id);
  };
  if (create) {
    const std::function<Item<Definition>(std::int64_t)> reader = by_id;
    if (auto repeat = Repeat(tx, editor, reader)) return *repeat;
  }
  const auto before = LockedRevision(tx, table, editor.organization, "slug", d.slug);
  if (create && before) return Out{EditOutcome::kExists};
  if (!create) {
    if (auto refused = Refused(before, if_revision)) return Out{*refused};
  }
  CHORUS_TRY(CheckZone(tx, "time_zone", d.time_zone));
  const WrittenItem row = write();
  Audit(tx, editor, kind + (create ? ".create" : ".replace"),
        kind + ":" + d.slug + " " + Revisions(before.value_or(0), row.revision));
  if (create) {
    RememberKey(tx, editor.organization, editor.token_id, editor.idempotency_key, editor.request,
                201, std::to_string(row.id));
  }
  Out out{EditOutcome::kDone, by_id(row.id)};
  Finish(tx, editor);
  return out;
}

Result<EditOutcome> ArchiveBySlug(pqxx::work& tx, const Editor& editor, const std::string& table,
                                  const std::string& kind, const std::string& slug,
                                  std::optional<int> if_revision) {
  const auto before = LockedRevision(tx, table, editor.organization, "slug", slug);
  if (auto refused = Refused(before, if_revision)) return *refused;
  if (table == "chapters" &&
      !tx.exec_params("SELECT 1 FROM chapters c JOIN chapters p"
                      "   ON p.organization_id = c.organization_id AND p.id = c.parent_id"
                      " WHERE c.organization_id = $1 AND p.slug = $2 AND c.archived_at IS NULL",
                      editor.organization, slug)
           .empty()) {
    return EditOutcome::kExists;  // a live chapter below it
  }
  tx.exec_params("UPDATE " + table + " SET archived_at = now(), updated_at = now(),"
                 " revision = revision + 1 WHERE organization_id = $1 AND slug = $2",
                 editor.organization, slug);
  Audit(tx, editor, kind + ".archive", kind + ":" + slug + " " + Revisions(*before, *before + 1));
  Finish(tx, editor);
  return EditOutcome::kDone;
}

}  // namespace

Result<Edited<Item<ChapterDefinition>>> PgWorkspaceEditor::CreateChapter(
    const Editor& editor, const ChapterDefinition& d) {
  return Run([&](pqxx::connection& c) -> Result<Edited<Item<ChapterDefinition>>> {
    pqxx::work tx(c);
    return WriteBySlug(
        tx, editor, "chapters", "chapter", d, true, std::nullopt,
        [&] { return ReadChapters(tx, editor.organization); },
        [&] { return WriteChapter(tx, editor.organization, d); });
  });
}

Result<Edited<Item<ChapterDefinition>>> PgWorkspaceEditor::ReplaceChapter(
    const Editor& editor, std::optional<int> if_revision, const ChapterDefinition& d) {
  return Run([&](pqxx::connection& c) -> Result<Edited<Item<ChapterDefinition>>> {
    pqxx::work tx(c);
    return WriteBySlug(
        tx, editor, "chapters", "chapter", d, false, if_revision,
        [&] { return ReadChapters(tx, editor.organization); },
        [&] { return WriteChapter(tx, editor.organization, d); });
  });
}

Result<EditOutcome> PgWorkspaceEditor::ArchiveChapter(const Editor& editor,
                                                      const std::string& slug,
                                                      std::optional<int> if_revision) {
  return Run([&](pqxx::connection& c) -> Result<EditOutcome> {
    pqxx::work tx(c);
    return ArchiveBySlug(tx, editor, "chapters", "chapter", slug, if_revision);
  });
}

Result<std::vector<Item<EventDefinition>>> PgWorkspaceEditor::Events(OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<std::vector<Item<EventDefinition>>> {
    pqxx::work tx(c);
    return ReadEvents(tx, org);
  });
}

Result<Edited<Item<EventDefinition>>> PgWorkspaceEditor::CreateEvent(const Editor& editor,
                                                                     const EventDefinition& d) {
  return Run([&](pqxx::connection& c) -> Result<Edited<Item<EventDefinition>>> {
    pqxx::work tx(c);
    return WriteBySlug(
        tx, editor, "events", "event", d, true, std::nullopt,
        [&] { return ReadEvents(tx, editor.organization); },
        [&] { return WriteEvent(tx, editor.organization, d); });
  });
}

Result<Edited<Item<EventDefinition>>> PgWorkspaceEditor::ReplaceEvent(
    const Editor& editor, std::optional<int> if_revision, const EventDefinition& d) {
  return Run([&](pqxx::connection& c) -> Result<Edited<Item<EventDefinition>>> {
    pqxx::work tx(c);
    return WriteBySlug(
        tx, editor, "events", "event", d, false, if_revision,
        [&] { return ReadEvents(tx, editor.organization); },
        [&] { return WriteEvent(tx, editor.organization, d); });
  });
}

Result<EditOutcome> PgWorkspaceEditor::ArchiveEvent(const Editor& editor, const std::string& slug,
                                                    std::optional<int> if_revision) {
  return Run([&](pqxx::connection& c) -> Result<EditOutcome> {
    pqxx::work tx(c);
    return ArchiveBySlug(tx, editor, "events", "event", slug, if_revision);
  });
}

Result<std::vector<workspace::FlowSummary>> PgWorkspaceEditor::Flows(OrganizationId org) {
  return Run([&](pqxx::connection& c) -> Result<std::vector<workspace::FlowSummary>> {
    pqxx::work tx(c);
    std::vector<workspace::FlowSummary> out;
    for (const auto& row : tx.exec_params(
             std::string("SELECT f.slug, COALESCE(NULLIF(v.definition->>'name', ''), f.slug),"
                         " f.active_version, v.version, to_char(f.updated_at AT TIME ZONE 'UTC', ") +
                 kTime +
                 ") FROM flows f JOIN LATERAL (SELECT version, definition FROM flow_versions"
                 "   WHERE organization_id = f.organization_id AND flow_id = f.id"
                 "   ORDER BY version DESC LIMIT 1) v ON true"
                 " WHERE f.organization_id = $1 ORDER BY f.slug",
             org)) {
      workspace::FlowSummary f{row[0].c_str(), row[1].c_str(), std::nullopt, row[3].as<int>(),
                               row[4].c_str()};
      if (!row[2].is_null()) f.active_version = row[2].as<int>();
      out.push_back(std::move(f));
    }
    return out;
  });
}

Result<std::optional<std::vector<workspace::FlowVersionInfo>>> PgWorkspaceEditor::FlowVersions(
    OrganizationId org, const std::string& slug) {
  using Out = std::optional<std::vector<workspace::FlowVersionInfo>>;
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    const pqxx::result rows = tx.exec_params(
        std::string("SELECT v.version, v.digest, v.created_by,"
                    " to_char(v.created_at AT TIME ZONE 'UTC', ") +
            kTime +
            "), v.version IS NOT DISTINCT FROM f.active_version FROM flows f"
            " JOIN flow_versions v ON v.organization_id = f.organization_id AND v.flow_id = f.id"
            " WHERE f.organization_id = $1 AND f.slug = $2 ORDER BY v.version DESC",
        org, slug);
    if (rows.empty()) return Out{};
    std::vector<workspace::FlowVersionInfo> out;
    for (const auto& row : rows) {
      out.push_back({row[0].as<int>(), row[1].c_str(), row[2].c_str(), row[3].c_str(),
                     row[4].as<bool>()});
    }
    return Out{std::move(out)};
  });
}

Result<std::optional<std::string>> PgWorkspaceEditor::FlowVersion(OrganizationId org,
                                                                  const std::string& slug,
                                                                  int version) {
  return Run([&](pqxx::connection& c) -> Result<std::optional<std::string>> {
    pqxx::work tx(c);
    const pqxx::result row = tx.exec_params(
        "SELECT v.definition::text FROM flows f JOIN flow_versions v"
        "   ON v.organization_id = f.organization_id AND v.flow_id = f.id"
        " WHERE f.organization_id = $1 AND f.slug = $2 AND v.version = $3",
        org, slug, version);
    if (row.empty()) return std::optional<std::string>{};
    return std::optional<std::string>{row[0][0].c_str()};
  });
}

Result<Edited<Item<workspace::FlowDefinition>>> PgWorkspaceEditor::SaveFlow(
    const Editor& editor, const workspace::FlowDefinition& flow, bool activate) {
  using Out = Edited<Item<workspace::FlowDefinition>>;
  return Run([&](pqxx::connection& c) -> Result<Out> {
    pqxx::work tx(c);
    const std::function<Item<workspace::FlowDefinition>(std::int64_t)> read =
        [&](std::int64_t version) {
          return Item<workspace::FlowDefinition>{0, static_cast<int>(version), flow};
        };
    if (auto repeat = Repeat(tx, editor, read)) return *repeat;
    const FlowVersionWritten written =
        WriteFlowVersion(tx, editor.organization, flow, editor.actor);
    if (activate) ActivateFlowVersion(tx, editor.organization, written.flow_id, written.version);
    Audit(tx, editor, activate ? "flow.save_and_activate" : "flow.save",
          "flow:" + flow.flow.slug + " version:" + std::to_string(written.version) +
              (written.created ? " new" : " existing"));
    RememberKey(tx, editor.organization, editor.token_id, editor.idempotency_key, editor.request,
                201, std::to_string(written.version));
    Finish(tx, editor);
    return Out{EditOutcome::kDone, {written.flow_id, written.version, flow}};
  });
}

Result<EditOutcome> PgWorkspaceEditor::ActivateFlow(const Editor& editor, const std::string& slug,
                                                    int version) {
  return Run([&](pqxx::connection& c) -> Result<EditOutcome> {
    pqxx::work tx(c);
    const pqxx::result row = tx.exec_params(
        "SELECT f.id, f.active_version FROM flows f JOIN flow_versions v"
        "   ON v.organization_id = f.organization_id AND v.flow_id = f.id"
        " WHERE f.organization_id = $1 AND f.slug = $2 AND v.version = $3 FOR UPDATE OF f",
        editor.organization, slug, version);
    if (row.empty()) return EditOutcome::kNotFound;
    ActivateFlowVersion(tx, editor.organization, row[0][0].as<std::int64_t>(), version);
    Audit(tx, editor, "flow.activate",
          "flow:" + slug + " version:" + std::string(row[0][1].is_null() ? "none" : row[0][1].c_str()) +
              "->" + std::to_string(version));
    Finish(tx, editor);
    return EditOutcome::kDone;
  });
}

Result<Edited<int>> PgWorkspaceEditor::RollBackFlow(const Editor& editor, const std::string& slug) {
  return Run([&](pqxx::connection& c) -> Result<Edited<int>> {
    pqxx::work tx(c);
    const pqxx::result row = tx.exec_params(
        "SELECT f.id, f.active_version, (SELECT max(version) FROM flow_versions v"
        "   WHERE v.organization_id = f.organization_id AND v.flow_id = f.id"
        "     AND v.version < f.active_version)"
        " FROM flows f WHERE f.organization_id = $1 AND f.slug = $2 FOR UPDATE",
        editor.organization, slug);
    if (row.empty() || row[0][2].is_null()) return Edited<int>{EditOutcome::kNotFound};
    const int previous = row[0][2].as<int>();
    ActivateFlowVersion(tx, editor.organization, row[0][0].as<std::int64_t>(), previous);
    Audit(tx, editor, "flow.roll_back",
          "flow:" + slug + " version:" + row[0][1].c_str() + "->" + std::to_string(previous));
    Finish(tx, editor);
    return Edited<int>{EditOutcome::kDone, previous};
  });
}

Result<EditOutcome> PgWorkspaceEditor::PauseFlow(const Editor& editor, const std::string& slug) {
  return Run([&](pqxx::connection& c) -> Result<EditOutcome> {
    pqxx::work tx(c);
    const pqxx::result row = tx.exec_params(
        "UPDATE flows SET active_version = NULL, updated_at = now()"
        " WHERE organization_id = $1 AND slug = $2 RETURNING id",
        editor.organization, slug);
    if (row.empty()) return EditOutcome::kNotFound;
    Audit(tx, editor, "flow.pause", "flow:" + slug);
    Finish(tx, editor);
    return EditOutcome::kDone;
  });
}

}  // namespace chorus::store::pg

#include "store/pg/pg_campaign_store.hpp"
#include "store/pg/pg_workspace_items.hpp"

#include <map>
#include <set>

#include "core/base64.hpp"
#include "store/pg/pg_array.hpp"
#include "workspace/file/flow_file.hpp"

namespace chorus::store::pg {
namespace {

using workspace::Definition;

// Binds a sealed webhook secret to its organization and name.
std::string SecretContext(OrganizationId org, std::string_view name) {
  return "chorus:webhook-secret:v1:" + std::to_string(org) + ":" + std::string(name);
}

Error UnknownZone(const std::string& path, const std::string& zone) {
  return MakeError(ErrorCode::kInvalidArgument, path + ": unknown time zone \"" + zone +
                                                    "\" (an IANA name such as "
                                                    "\"America/New_York\" or \"Asia/Kolkata\")");
}

Result<void> CheckZones(pqxx::work& tx, const Definition& d) {
  std::vector<std::pair<std::string, std::string>> zones{{"organization.time_zone", d.time_zone}};
  for (std::size_t i = 0; i < d.chapters.size(); ++i) {
    if (!d.chapters[i].time_zone.empty()) {
      zones.emplace_back("chapters[" + std::to_string(i) + "].time_zone", d.chapters[i].time_zone);
    }
  }
  for (std::size_t i = 0; i < d.events.size(); ++i) {
    zones.emplace_back("events[" + std::to_string(i) + "].time_zone", d.events[i].time_zone);
  }
  // pg_timezone_names reads the whole zone database on every query (~40 ms): one query for
  // every zone of the file, not one per event.
  std::vector<std::string> names;
  for (const auto& [path, zone] : zones) names.push_back(zone);
  std::set<std::string> unknown;
  for (const auto& row : tx.exec_params("SELECT z FROM unnest($1::text[]) AS z"
                                        " WHERE z NOT IN (SELECT name FROM pg_timezone_names)",
                                        TextArray(names))) {
    unknown.insert(row[0].c_str());
  }
  for (const auto& [path, zone] : zones) {
    if (unknown.count(zone)) return UnknownZone(path, zone);
  }
  return Ok();
}

Result<void> WriteSecrets(pqxx::work& tx, OrganizationId org, const Definition& d,
                          const secrets::Keyring* keyring) {
  tx.exec_params("DELETE FROM organization_secrets WHERE organization_id = $1", org);
  for (const auto& [name, value] : d.webhook_secrets) {
    if (keyring == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "organization.webhook_secrets: Chorus stores secrets encrypted, and "
                       "CHORUS_SECRETS_KEY_FILE is not set (docs/SECRETS.md)");
    }
    CHORUS_ASSIGN_OR_RETURN(secrets::Sealed sealed, keyring->Seal(value, SecretContext(org, name)));
    tx.exec_params(
        "INSERT INTO organization_secrets (organization_id, name, secrets_key_id,"
        " secrets_sealed) VALUES ($1, $2, $3, $4)",
        org, name, sealed.key_id, Base64Encode(sealed.blob));
  }
  return Ok();
}

void UpsertChapters(pqxx::work& tx, OrganizationId org, const Definition& d) {
  std::vector<std::string> slugs;
  for (const auto& c : d.chapters) {  // parents first (the file checks the order)
    WriteChapter(tx, org, c);
    slugs.push_back(c.slug);
  }
  tx.exec_params(
      "UPDATE chapters SET archived_at = now(), updated_at = now(), revision = revision + 1"
      " WHERE organization_id = $1 AND archived_at IS NULL AND slug <> ALL($2::text[])",
      org, TextArray(slugs));
}

// Returns how many versions were created.
int UpsertFlows(pqxx::work& tx, OrganizationId org, const Definition& d) {
  int created = 0;
  std::vector<std::string> slugs;
  for (const auto& f : d.flows) {
    const FlowVersionWritten written = WriteFlowVersion(tx, org, f, "apply");
    created += written.created ? 1 : 0;
    ActivateFlowVersion(tx, org, written.flow_id, written.version);
    slugs.push_back(f.flow.slug);
  }
  tx.exec_params(
      "UPDATE flows SET active_version = NULL, updated_at = now()"
      " WHERE organization_id = $1 AND slug <> ALL($2::text[])"
      " AND active_version IS NOT NULL",
      org, TextArray(slugs));
  return created;
}

void UpsertEvents(pqxx::work& tx, OrganizationId org, const Definition& d) {
  std::vector<std::string> slugs;
  for (const auto& e : d.events) {
    WriteEvent(tx, org, e);
    slugs.push_back(e.slug);
  }
  tx.exec_params(
      "UPDATE events SET archived_at = now(), updated_at = now(), revision = revision + 1"
      " WHERE organization_id = $1 AND archived_at IS NULL AND slug <> ALL($2::text[])",
      org, TextArray(slugs));
}


void LoadChapters(pqxx::read_transaction& tx, const OrgScope& scope, workspace::Campaigns& out) {
  for (const auto& row : tx.exec(
           "SELECT c.organization_id, c.id, c.slug, c.name, COALESCE(p.slug, ''), c.country,"
           " array_to_string(c.postal_codes, ','), c.time_zone FROM chapters c"
           " LEFT JOIN chapters p ON p.organization_id = c.organization_id AND p.id = c.parent_id"
           " WHERE c.archived_at IS NULL" + scope.And("c.organization_id") +
           " ORDER BY c.organization_id, c.id")) {
    workspace::Chapter c;
    c.organization_id = row[0].as<std::int64_t>();
    c.id = row[1].as<std::int64_t>();
    c.slug = row[2].c_str();
    c.name = row[3].c_str();
    c.parent = row[4].c_str();
    c.country = row[5].c_str();
    c.postal_codes = SplitComma(row[6].c_str());
    c.time_zone = row[7].c_str();
    out.chapters.push_back(std::move(c));
  }
}

Result<void> LoadFlows(pqxx::read_transaction& tx, const OrgScope& scope,
                       workspace::Campaigns& out) {
  for (const auto& row :
       tx.exec("SELECT f.organization_id, f.slug, v.version, v.definition::text, f.active_version"
               " FROM flows f JOIN flow_versions v"
               "   ON v.organization_id = f.organization_id AND v.flow_id = f.id"
               " WHERE (v.version = f.active_version OR EXISTS (SELECT 1 FROM flow_sessions s"
               "   WHERE s.organization_id = f.organization_id AND s.flow_slug = f.slug"
               "     AND s.version = v.version AND s.active))" +
               scope.And("f.organization_id"))) {
    CHORUS_ASSIGN_OR_RETURN(flows::Flow flow, workspace::file::ParseFlowJson(row[3].c_str()));
    flow.organization_id = row[0].as<std::int64_t>();
    flow.slug = row[1].c_str();
    flow.version = row[2].as<int>();
    if (!row[4].is_null() && row[4].as<int>() == flow.version) {
      out.active_versions[{flow.organization_id, flow.slug}] = flow.version;
    }
    out.flows.push_back(std::move(flow));
  }
  return Ok();
}

void LoadEvents(pqxx::read_transaction& tx, const OrgScope& scope, workspace::Campaigns& out) {
  std::map<std::int64_t, std::size_t> index;
  for (const auto& row :
       tx.exec("SELECT e.organization_id, e.id, e.slug, COALESCE(c.slug, ''),"
               " extract(epoch FROM e.starts_at)::bigint, extract(epoch FROM e.ends_at)::bigint,"
               " e.time_zone, e.place, e.checkin_code, e.follow_up_after_seconds,"
               " COALESCE(e.attended_flow, ''), COALESCE(e.absent_flow, ''),"
               " to_char(e.starts_at AT TIME ZONE e.time_zone, 'FMDay, FMMonth FMDD'),"
               " to_char(e.starts_at AT TIME ZONE e.time_zone, 'FMHH12:MI AM')"
               " FROM events e LEFT JOIN chapters c"
               "   ON c.organization_id = e.organization_id AND c.id = e.chapter_id"
               " WHERE e.archived_at IS NULL" + scope.And("e.organization_id") +
               " ORDER BY e.organization_id, e.starts_at")) {
    workspace::Event e;
    e.organization_id = row[0].as<std::int64_t>();
    e.id = row[1].as<std::int64_t>();
    e.slug = row[2].c_str();
    e.chapter = row[3].c_str();
    e.starts_at = TimePoint(std::chrono::seconds(row[4].as<std::int64_t>()));
    e.ends_at = TimePoint(std::chrono::seconds(row[5].as<std::int64_t>()));
    e.time_zone = row[6].c_str();
    e.place = row[7].c_str();
    e.checkin_code = row[8].c_str();
    e.follow_up_after = std::chrono::seconds(row[9].as<int>());
    e.attended_flow = row[10].c_str();
    e.absent_flow = row[11].c_str();
    e.local_date = row[12].c_str();
    e.local_time = row[13].c_str();
    index[e.id] = out.events.size();
    out.events.push_back(std::move(e));
  }
  const std::string in_scope = scope.And("e.organization_id");
  for (const auto& row : tx.exec("SELECT e.id, t.key, t.value, false FROM events e,"
                                 " jsonb_each_text(e.titles) t WHERE e.archived_at IS NULL" +
                                 in_scope +
                                 " UNION ALL SELECT e.id, t.key, t.value, true FROM events e,"
                                 " jsonb_each_text(e.checked_in_texts) t"
                                 " WHERE e.archived_at IS NULL" + in_scope)) {
    auto it = index.find(row[0].as<std::int64_t>());
    if (it == index.end()) continue;
    workspace::Event& e = out.events[it->second];
    (row[3].as<bool>() ? e.checked_in_text : e.title)[row[1].c_str()] = row[2].c_str();
  }
}

Result<void> LoadOrganizationSettings(pqxx::read_transaction& tx, const secrets::Keyring* keyring,
                                      const OrgScope& scope,
                                      std::vector<workspace::Organization>& orgs) {
  std::map<OrganizationId, workspace::Organization*> by_id;
  for (auto& o : orgs) by_id[o.id] = &o;
  for (const auto& row : tx.exec("SELECT id, time_zone, segment_budget FROM organizations"
                                 " WHERE true" + scope.And("id"))) {
    auto it = by_id.find(row[0].as<std::int64_t>());
    if (it == by_id.end()) continue;
    it->second->time_zone = row[1].c_str();
    it->second->segment_budget = row[2].as<int>();
  }
  for (const auto& row : tx.exec("SELECT organization_id, name, secrets_key_id, secrets_sealed"
                                 " FROM organization_secrets WHERE true" +
                                 scope.And("organization_id"))) {
    auto it = by_id.find(row[0].as<std::int64_t>());
    if (it == by_id.end()) continue;
    const std::string name = row[1].c_str();
    if (keyring == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "webhook secret " + name +
                           " is stored encrypted, and "
                           "CHORUS_SECRETS_KEY_FILE is not set (docs/SECRETS.md)");
    }
    auto blob = Base64Decode(row[3].c_str());
    if (!blob) return MakeError(ErrorCode::kInternal, "webhook secret " + name + " is malformed");
    CHORUS_ASSIGN_OR_RETURN(std::string value, keyring->Open({row[2].c_str(), std::move(*blob)},
                                                             SecretContext(it->first, name)));
    it->second->webhook_secrets[name] = value;
  }
  return Ok();
}

}  // namespace

Result<void> ApplyCampaigns(pqxx::work& tx, OrganizationId org, const Definition& d,
                            const secrets::Keyring* keyring, workspace::ApplySummary& summary) {
  CHORUS_TRY(CheckZones(tx, d));
  tx.exec_params("UPDATE organizations SET time_zone = $2, segment_budget = $3 WHERE id = $1", org,
                 d.time_zone, d.segment_budget);
  CHORUS_TRY(WriteSecrets(tx, org, d, keyring));
  UpsertChapters(tx, org, d);
  summary.flow_versions_created = UpsertFlows(tx, org, d);
  UpsertEvents(tx, org, d);
  summary.chapters = static_cast<int>(d.chapters.size());
  summary.flows = static_cast<int>(d.flows.size());
  summary.events = static_cast<int>(d.events.size());
  return Ok();
}

Result<workspace::Campaigns> LoadCampaigns(pqxx::read_transaction& tx,
                                           const secrets::Keyring* keyring, const OrgScope& scope,
                                           std::vector<workspace::Organization>& organizations) {
  workspace::Campaigns out;
  CHORUS_TRY(LoadOrganizationSettings(tx, keyring, scope, organizations));
  LoadChapters(tx, scope, out);
  CHORUS_TRY(LoadFlows(tx, scope, out));
  LoadEvents(tx, scope, out);
  return out;
}

Result<int> RekeyCampaignSecrets(pqxx::work& tx, const secrets::Keyring& keyring) {
  int resealed = 0;
  for (const auto& row : tx.exec("SELECT organization_id, name, secrets_key_id, secrets_sealed"
                                 " FROM organization_secrets ORDER BY 1, 2 FOR UPDATE")) {
    const OrganizationId org = row[0].as<std::int64_t>();
    const std::string name = row[1].c_str();
    auto blob = Base64Decode(row[3].c_str());
    if (!blob) return MakeError(ErrorCode::kInternal, "webhook secret " + name + " is malformed");
    CHORUS_ASSIGN_OR_RETURN(std::string value,
                            keyring.Open({row[2].c_str(), std::move(*blob)},
                                         SecretContext(org, name)));
    CHORUS_ASSIGN_OR_RETURN(secrets::Sealed sealed, keyring.Seal(value, SecretContext(org, name)));
    tx.exec_params("UPDATE organization_secrets SET secrets_key_id = $3, secrets_sealed = $4"
                   " WHERE organization_id = $1 AND name = $2",
                   org, name, sealed.key_id, Base64Encode(sealed.blob));
    ++resealed;
  }
  return resealed;
}

}  // namespace chorus::store::pg

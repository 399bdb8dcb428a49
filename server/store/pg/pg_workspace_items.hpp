#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "secrets/keyring.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace.hpp"

namespace chorus::store::pg {

/// One workspace item as written: its id and revision (raised only when the write changed it).
struct WrittenItem {
  std::int64_t id = 0;
  int revision = 1;
};

/// The writes of one workspace item, inside the caller's transaction: what `chorus apply` does
/// for each item of a file and what the organizer API does for one (the same statements).

/// The organization's texts by language, replaced whole / read.
void WriteTexts(pqxx::work& tx, OrganizationId org,
                const std::map<std::string, workspace::Texts>& texts);
std::map<std::string, workspace::Texts> ReadTexts(pqxx::work& tx, OrganizationId org);
/// The field of `t` that organization_texts.kind names ("help"); nullptr for an unknown kind.
std::string* TextField(workspace::Texts& t, std::string_view kind);

/// Upserts the channel by its slug, enabled, its credentials sealed for it with `keyring` (never
/// written in plain text; kInvalidArgument without a keyring). kConflict when the slug is
/// another organization's. With `keep_secrets`, or credentials equal to the stored ones, the
/// stored sealed credentials stay as they are.
Result<WrittenItem> WriteChannel(pqxx::work& tx, OrganizationId org,
                                 const workspace::ChannelDefinition& c,
                                 const secrets::Keyring* keyring, bool keep_secrets = false);

/// A channel's credentials, sealed under `keyring`'s newest key for that channel: the key id
/// and the Base64 of the blob, as stored. Opened again by OpenSealed.
Result<std::pair<std::string, std::string>> SealFor(const secrets::Keyring& keyring,
                                                    OrganizationId org, std::string_view slug,
                                                    const std::map<std::string, std::string>& plain);
Result<std::map<std::string, std::string>> OpenSealed(const secrets::Keyring& keyring,
                                                      OrganizationId org, const std::string& slug,
                                                      std::string key_id,
                                                      std::string_view sealed_base64);
/// The error for credentials without CHORUS_SECRETS_KEY_FILE.
Error NoKeyFile(std::string_view slug);

/// kInvalidArgument "`path`: unknown time zone" unless PostgreSQL knows `zone` ("" is fine).
Result<void> CheckZone(pqxx::work& tx, const std::string& path, const std::string& zone);

/// Upserts by slug (an archived chapter comes back).
WrittenItem WriteChapter(pqxx::work& tx, OrganizationId org, const workspace::ChapterDefinition& c);

/// Upserts by slug (an archived event comes back); follow-ups are due again when its time moves.
WrittenItem WriteEvent(pqxx::work& tx, OrganizationId org, const workspace::EventDefinition& e);

/// Writes one keyword row per channel it lists (one row for every channel when none): upserted
/// by (channel, word, qualifier); with `id`, that row is rewritten instead (its word may change;
/// a unique violation is the caller's kConflict). Channels are resolved through `channel_ids`.
std::vector<WrittenItem> WriteKeyword(pqxx::work& tx, OrganizationId org,
                                      const workspace::KeywordDefinition& k,
                                      const std::map<std::string, ChannelId>& channel_ids,
                                      std::optional<std::int64_t> id = std::nullopt);

/// Stores the flow as a version unless an equal one (compared as jsonb) exists; `id` is the
/// flow's id, `revision` the version.
struct FlowVersionWritten {
  std::int64_t flow_id = 0;
  int version = 0;
  bool created = false;
};
FlowVersionWritten WriteFlowVersion(pqxx::work& tx, OrganizationId org,
                                    const workspace::FlowDefinition& f, const std::string& actor);

/// Makes `version` live (nullopt: paused).
void ActivateFlowVersion(pqxx::work& tx, OrganizationId org, std::int64_t flow_id,
                         std::optional<int> version);

}  // namespace chorus::store::pg

#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "core/result.hpp"
#include "store/pg/pg_org_scope.hpp"
#include "secrets/keyring.hpp"
#include "workspace/campaigns.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace.hpp"
#include "workspace/workspace_store.hpp"

namespace chorus::store::pg {

/// The campaign part of a workspace apply, inside its transaction: the organization's time
/// zone, segment budget and webhook secrets (sealed), chapters upserted by slug (missing ones
/// archived), flows upserted by slug with a new version when the definition changed (a file
/// equal to an earlier version activates that version again: a roll-back), flows missing from
/// the file paused, events upserted by slug (missing ones archived). Time zones are checked
/// against PostgreSQL's; an unknown one is kInvalidArgument naming the field.
Result<void> ApplyCampaigns(pqxx::work& tx, OrganizationId org,
                            const workspace::Definition& definition,
                            const secrets::Keyring* keyring, workspace::ApplySummary& summary);

/// Chapters (not archived), the flow versions that are active or still have members in them,
/// events (not archived); and the organizations' campaign settings and secrets; of the
/// organizations in `scope`.
Result<workspace::Campaigns> LoadCampaigns(pqxx::read_transaction& tx,
                                           const secrets::Keyring* keyring, const OrgScope& scope,
                                           std::vector<workspace::Organization>& organizations);

/// Seals every organization's webhook secrets again under the keyring's newest key (part of
/// `chorus secrets rekey`). Returns how many. An error when one does not open.
Result<int> RekeyCampaignSecrets(pqxx::work& tx, const secrets::Keyring& keyring);

}  // namespace chorus::store::pg

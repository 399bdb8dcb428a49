#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "secrets/keyring.hpp"
#include "store/pg/pg_org_scope.hpp"
#include "store/pg/pg_session.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace.hpp"
#include "workspace/workspace_store.hpp"

namespace chorus::store::pg {

using workspace::ApplySummary;

/// Workspaces in PostgreSQL. One instance per thread. Carrier credentials are sealed with
/// `keyring` (AES-256-GCM, bound to their channel) and never written in plain text; without a
/// keyring, applying or loading a channel that has credentials fails with a clear error.
class PgWorkspaceStore final : public workspace::WorkspaceStore {
 public:
  explicit PgWorkspaceStore(std::string dsn,
                            std::shared_ptr<const secrets::Keyring> keyring = nullptr);

  /// Every organization, enabled channel (credentials opened) and keyword.
  Result<workspace::SnapshotPtr> LoadSnapshot() override;
  /// The same, of these organizations only.
  Result<workspace::SnapshotPtr> LoadOrganizations(
      const std::set<OrganizationId>& organizations) override;

  /// Seals every channel's credentials again under the keyring's active key (channels from
  /// before migration 0004 included, whose plain text is then erased), in one transaction.
  /// Organizations' webhook secrets too. What was resealed.
  struct Resealed {
    int channels = 0;
    int webhook_secrets = 0;
  };
  Result<Resealed> Rekey();

  /// Makes the database hold exactly `definition` for its organization, in one transaction:
  /// organization upserted by slug, texts and compliance words replaced, channels upserted by
  /// slug (kConflict when a slug belongs to another organization) and those missing from the
  /// definition disabled, keywords replaced. Applying the same definition again changes
  /// nothing. Notifies running servers (NOTIFY chorus_workspace) on commit.
  Result<ApplySummary> Apply(const workspace::Definition& definition) override;

 private:
  Result<workspace::SnapshotPtr> Load(const OrgScope& scope);

  PgSession session_;
  std::shared_ptr<const secrets::Keyring> keyring_;
};

/// The channel servers LISTEN on to reload their snapshot. The payload is the id of the
/// organization that changed (servers reload just it); none means every organization.
inline constexpr const char* kWorkspaceChannel = "chorus_workspace";

/// Announces, on commit of `tx`, that `organization`'s workspace changed.
void NotifyChanged(pqxx::work& tx, OrganizationId organization);

}  // namespace chorus::store::pg

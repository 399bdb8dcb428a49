#pragma once

#include <string>

#include "core/result.hpp"
#include "store/pg/pg_session.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace.hpp"

namespace chorus::store::pg {

struct ApplySummary {
  OrganizationId organization_id = 0;
  int channels = 0;
  int channels_disabled = 0;
  int keywords = 0;
};

/// Workspaces in PostgreSQL. One instance per thread.
class PgWorkspaceStore {
 public:
  explicit PgWorkspaceStore(std::string dsn);

  /// Every organization, enabled channel and keyword.
  Result<workspace::SnapshotPtr> LoadSnapshot();

  /// Makes the database hold exactly `definition` for its organization, in one transaction:
  /// organization upserted by slug, texts and compliance words replaced, channels upserted by
  /// slug (kConflict when a slug belongs to another organization) and those missing from the
  /// definition disabled, keywords replaced. Applying the same definition again changes
  /// nothing. Notifies running servers (NOTIFY chorus_workspace) on commit.
  Result<ApplySummary> Apply(const workspace::Definition& definition);

 private:
  PgSession session_;
};

/// The channel servers LISTEN on to reload their snapshot.
inline constexpr const char* kWorkspaceChannel = "chorus_workspace";

}  // namespace chorus::store::pg

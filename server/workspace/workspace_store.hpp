#pragma once

#include <chrono>
#include <optional>
#include <set>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace.hpp"

namespace chorus::workspace {

struct ApplySummary {
  OrganizationId organization_id = 0;
  int channels = 0;
  int channels_disabled = 0;
  int keywords = 0;
  int chapters = 0;
  int flows = 0;
  int flow_versions_created = 0;
  int events = 0;
};

/// Where workspaces are kept. Contract: tests/store/contract/workspace_contract.hpp, run
/// against the fake and PostgreSQL.
class WorkspaceStore {
 public:
  virtual ~WorkspaceStore() = default;

  /// Every organization, enabled channel (credentials opened) and keyword.
  virtual Result<SnapshotPtr> LoadSnapshot() = 0;

  /// A snapshot of just these organizations (what LoadSnapshot has of them), for a reload
  /// after an edit of one organization. By default the whole snapshot.
  virtual Result<SnapshotPtr> LoadOrganizations(const std::set<OrganizationId>& organizations) {
    (void)organizations;
    return LoadSnapshot();
  }

  /// Makes the store hold exactly `definition` for its organization, all or nothing:
  /// organization upserted by slug, texts and compliance words replaced, channels upserted by
  /// slug (kConflict when a slug belongs to another organization) and those missing from the
  /// definition disabled (never deleted: history refers to them), keywords replaced. Running
  /// servers are told to reload.
  virtual Result<ApplySummary> Apply(const Definition& definition) = 0;
};

/// How a server notices that the workspace changed, and whether the store is usable.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  /// Waits up to `timeout`. Ok(true) when a change was announced (or may have been missed, as
  /// after a reconnection), Ok(false) on timeout, kUnavailable when the store cannot be reached.
  virtual Result<bool> WaitForChange(std::chrono::milliseconds timeout) = 0;

  /// After WaitForChange said true: the organizations whose workspace changed since the last
  /// call, or nullopt when it may have been any (an announcement without one, a reconnection).
  virtual std::optional<std::set<OrganizationId>> ChangedOrganizations() { return std::nullopt; }

  /// The schema version the store is at.
  virtual Result<int> SchemaVersion() = 0;
};

}  // namespace chorus::workspace

#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "workspace/workspace.hpp"
#include "workspace/workspace_store.hpp"

namespace chorus::workspace {

/// Whether the store behind the workspace is usable, for /readyz.
struct StoreHealth {
  bool ready = false;
  std::string reason;  // why not, for operators
};

/// The current workspace snapshot, kept fresh by one thread that waits on the change feed and
/// reloads from the store (only the organizations that changed, when the feed says which); also the store's health, checked on every round (about once per
/// `round`). A reload that fails is retried on the next round, since the change that asked for
/// it will not be announced again; until then the previous snapshot stays in use.
class WorkspaceWatch {
 public:
  WorkspaceWatch(std::unique_ptr<WorkspaceStore> store, std::unique_ptr<ChangeFeed> feed,
                 SnapshotPtr initial, int expected_schema,
                 std::chrono::milliseconds round = std::chrono::seconds(1));
  ~WorkspaceWatch();
  WorkspaceWatch(const WorkspaceWatch&) = delete;
  WorkspaceWatch& operator=(const WorkspaceWatch&) = delete;

  void Start();
  /// Joins after the round in progress (at most `round`).
  void Stop();

  SnapshotPtr Snapshot() const { return snapshot_.load(); }
  StoreHealth Health() const;

  /// One round on the caller's thread (what the thread does in a loop).
  void RunRound();

  /// Reloads `organization` now, on the caller's thread (an API write that just committed:
  /// this node serves it before the answer leaves; the others within a round). False when the
  /// load failed; the announcement then brings it on a later round.
  bool ReloadNow(OrganizationId organization);

 private:
  void SetHealth(const Result<int>& version);
  bool Reload();
  // Adds `changed` (nullopt: every organization) to the pending reload.
  void Widen(std::optional<std::set<OrganizationId>> changed);

  std::unique_ptr<WorkspaceStore> store_;
  std::unique_ptr<ChangeFeed> feed_;
  std::atomic<SnapshotPtr> snapshot_;
  const int expected_schema_;
  const std::chrono::milliseconds round_;
  mutable std::mutex mutex_;
  std::mutex store_mutex_;  // the store is used by one thread at a time
  StoreHealth health_;
  std::atomic<bool> stopping_{false};
  bool reload_pending_ = false;  // the watch thread only
  // What the pending reload covers: some organizations, or (nullopt) all of them.
  std::optional<std::set<OrganizationId>> pending_organizations_;
  std::thread thread_;
};

}  // namespace chorus::workspace

#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
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
/// reloads from the store; also the store's health, checked on every round (about once per
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

 private:
  void SetHealth(const Result<int>& version);
  bool Reload();

  std::unique_ptr<WorkspaceStore> store_;
  std::unique_ptr<ChangeFeed> feed_;
  std::atomic<SnapshotPtr> snapshot_;
  const int expected_schema_;
  const std::chrono::milliseconds round_;
  mutable std::mutex mutex_;
  StoreHealth health_;
  std::atomic<bool> stopping_{false};
  bool reload_pending_ = false;  // the watch thread only
  std::thread thread_;
};

}  // namespace chorus::workspace

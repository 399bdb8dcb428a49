#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "workspace/workspace_store.hpp"

namespace chorus::store::pg {

/// A server's own connection for noticing workspace changes (LISTEN chorus_workspace) and
/// checking readiness. Owned by one thread.
class PgWatcher final : public workspace::ChangeFeed {
 public:
  explicit PgWatcher(std::string dsn);
  ~PgWatcher();

  /// Waits up to `timeout` for a workspace change. Ok(true) when one was announced (or the
  /// connection was just re-established, so a change may have been missed), Ok(false) on
  /// timeout, kUnavailable when the database cannot be reached.
  Result<bool> WaitForChange(std::chrono::milliseconds timeout) override;

  /// The organizations named by the announcements WaitForChange saw (NOTIFY chorus_workspace,
  /// '<organization id>'); nullopt after a reconnection or an announcement naming none.
  std::optional<std::set<OrganizationId>> ChangedOrganizations() override;

  /// The highest applied migration version (0 when none).
  Result<int> SchemaVersion() override;

 private:
  struct State;
  Result<void> Connect();
  void Drop();
  std::string dsn_;
  std::unique_ptr<State> state_;  // connection and its LISTEN; null while disconnected
  bool fresh_ = false;  // just (re)connected: report a change so the caller reloads
  bool everything_ = false;  // since the last ChangedOrganizations: reload all
};

}  // namespace chorus::store::pg

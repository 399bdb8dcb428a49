#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::store::pg {

/// Holds a session advisory lock named after this node's id for as long as it lives, so two
/// running `chorus serve` with the same CHORUS_NODE_ID cannot both start: each takes back "its
/// own" leased messages at start (OutboxStore::RecoverOwnLeases), and two of them would take
/// each other's sends in flight. Uses the two-key advisory lock space, which never meets the
/// one-key locks processing takes per member. The lock goes with the connection: after a
/// database restart it is not taken again (docs/CONFIG.md).
class PgNodeLock {
 public:
  explicit PgNodeLock(std::string dsn);
  ~PgNodeLock();
  PgNodeLock(const PgNodeLock&) = delete;
  PgNodeLock& operator=(const PgNodeLock&) = delete;

  /// kConflict when another live session holds it, kUnavailable when the database cannot be
  /// reached.
  Result<void> Acquire(std::string_view node_id);

 private:
  struct State;
  std::string dsn_;
  std::unique_ptr<State> state_;
};

}  // namespace chorus::store::pg

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/result.hpp"

namespace chorus::app {

/// How many connections the public listener may hold, from what the operator asked and what
/// the process can open.
struct ConnectionBudget {
  std::size_t max_connections = 0;
  std::size_t per_peer = 0;   // 0: no per-peer limit
  bool clamped = false;       // max_connections was lowered to fit the descriptor limit
};

/// `requested` connections, fitted below `descriptor_limit` minus `reserved` descriptors (the
/// database connections, the carrier client's, the admin listener's, files, logs). `per_peer`
/// nullopt means a quarter of the resulting cap (at least 1); a value above the cap is the
/// cap. kInvalidArgument when fewer than 16 connections would fit: one clear line naming
/// the limit, instead of a server that refuses webhooks under the first burst. Pure.
Result<ConnectionBudget> PlanConnections(std::size_t requested, std::optional<std::size_t> per_peer,
                                         std::uint64_t descriptor_limit, std::size_t reserved);

/// Raises this process's soft RLIMIT_NOFILE to its hard limit and returns the soft limit in
/// force afterwards (unchanged when raising fails).
std::uint64_t RaiseDescriptorLimit();

}  // namespace chorus::app

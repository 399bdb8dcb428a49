#include "app/connection_budget.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <string>

namespace chorus::app {

constexpr std::size_t kMinConnections = 16;

Result<ConnectionBudget> PlanConnections(std::size_t requested, std::optional<std::size_t> per_peer,
                                         std::uint64_t descriptor_limit, std::size_t reserved) {
  const std::uint64_t room = descriptor_limit > reserved ? descriptor_limit - reserved : 0;
  if (room < kMinConnections) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the descriptor limit (ulimit -n) is " + std::to_string(descriptor_limit) +
                         " and " + std::to_string(reserved) +
                         " are needed for database and carrier connections: raise it to at "
                         "least " + std::to_string(reserved + 1024));
  }
  ConnectionBudget budget;
  budget.max_connections = static_cast<std::size_t>(std::min<std::uint64_t>(requested, room));
  budget.clamped = budget.max_connections < requested;
  budget.per_peer = per_peer.value_or(std::max<std::size_t>(1, budget.max_connections / 4));
  budget.per_peer = std::min(budget.per_peer, budget.max_connections);
  return budget;
}

std::uint64_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace chorus::app

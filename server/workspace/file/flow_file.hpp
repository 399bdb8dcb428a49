#pragma once

#include <string_view>

#include "core/result.hpp"
#include "flows/flow.hpp"

namespace chorus::workspace::file {

/// A stored flow version (chorus.v1.Flow JSON, as `chorus apply` wrote it) as the engine's
/// definition. kInternal when it cannot be read.
Result<flows::Flow> ParseFlowJson(std::string_view json);

}  // namespace chorus::workspace::file

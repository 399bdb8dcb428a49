#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "workspace/channel_rules.hpp"
#include "workspace/definition.hpp"

namespace chorus::workspace {

/// Looks up an environment variable (injected so tests need no real environment).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Parses and validates a workspace file (JSON, schema proto/chorus/v1/workspace.proto through
/// protobuf's JSON mapping). The whole file is refused on the first problem, with
/// kInvalidArgument and a message that starts with the path of the bad field
/// ("keywords[1].reply: ..."). A channel's carrier must be one `rules` knows, and its settings
/// are checked by that carrier; secrets written "env:NAME" are read through `env`.
Result<Definition> ParseWorkspaceFile(std::string_view json, const EnvLookup& env,
                                      const ChannelRules& rules);

}  // namespace chorus::workspace

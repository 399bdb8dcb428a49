#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/channel.hpp"
#include "core/result.hpp"

namespace chorus::workspace {

/// What the workspace knows of carriers: which kinds exist, the settings each takes, and
/// each carrier's own check of a channel. Implemented in app/ over the carrier registry, so
/// the workspace names no carrier. Thread-safe.
class ChannelRules {
 public:
  virtual ~ChannelRules() = default;
  /// Every registered kind, sorted ("telnyx", "twilio").
  virtual std::vector<std::string> Kinds() const = 0;
  /// The settings of `kind`; nullopt for a kind nobody registered.
  virtual std::optional<std::vector<ChannelSettingSpec>> SettingsOf(std::string_view kind) const = 0;
  /// The carrier's check of `channel` (its settings and secrets filled), which may add
  /// defaults. kInvalidArgument starting with the setting's name; never quotes a secret.
  virtual Result<void> Validate(Channel& channel) const = 0;
};

}  // namespace chorus::workspace

#pragma once

#include <memory>

#include "carriers/registry.hpp"
#include "workspace/channel_rules.hpp"

namespace chorus::app {

/// Every carrier this build speaks. The one place that names carrier adapters: adding a
/// carrier is its folder under server/carriers/ and one line in BuildCarriers.
std::unique_ptr<carriers::Registry> BuildCarriers();

/// workspace::ChannelRules over the registry: the workspace file accepts the registered kinds
/// and lets each carrier check its own channels.
class CarrierChannelRules final : public workspace::ChannelRules {
 public:
  explicit CarrierChannelRules(const carriers::Registry& registry) : registry_(registry) {}
  std::vector<std::string> Kinds() const override;
  std::optional<std::vector<ChannelSettingSpec>> SettingsOf(std::string_view kind) const override;
  Result<void> Validate(Channel& channel) const override;

 private:
  const carriers::Registry& registry_;
};

}  // namespace chorus::app

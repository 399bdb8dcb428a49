#include "app/carriers.hpp"

#include <algorithm>

#include "carriers/telnyx/telnyx_carrier.hpp"
#include "carriers/twilio/twilio_carrier.hpp"

namespace chorus::app {

std::unique_ptr<carriers::Registry> BuildCarriers() {
  auto registry = std::make_unique<carriers::Registry>();
  registry->Add(std::make_unique<carriers::telnyx::TelnyxCarrier>());
  registry->Add(std::make_unique<carriers::twilio::TwilioCarrier>());
  return registry;
}

std::vector<std::string> CarrierChannelRules::Kinds() const {
  std::vector<std::string> kinds;
  for (std::string_view kind : registry_.Kinds()) kinds.emplace_back(kind);
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

std::optional<std::vector<ChannelSettingSpec>> CarrierChannelRules::SettingsOf(
    std::string_view kind) const {
  const carriers::Carrier* carrier = registry_.Find(kind);
  if (carrier == nullptr) return std::nullopt;
  return carrier->Settings();
}

Result<void> CarrierChannelRules::Validate(Channel& channel) const {
  const carriers::Carrier* carrier = registry_.Find(channel.carrier);
  if (carrier == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "carrier: not registered in this build");
  }
  return carrier->ValidateChannel(channel);
}

}  // namespace chorus::app

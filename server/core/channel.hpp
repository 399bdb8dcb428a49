#pragma once

#include <map>
#include <string>

#include "core/ids.hpp"

namespace chorus {

enum class CarrierKind { kTwilio };

/// A sending/receiving address at a carrier (a phone number, short code or sender id), owned
/// by one organization. `settings` holds carrier-specific options (e.g. Twilio's api_base,
/// account_sid); `secrets` holds credentials and is never logged or returned by an API.
struct Channel {
  OrganizationId organization_id = 0;
  ChannelId id = 0;
  std::string slug;             // globally unique; appears in webhook URLs
  CarrierKind carrier = CarrierKind::kTwilio;
  std::string sender;           // E.164 number or short code, as the carrier knows it
  std::string country;          // ISO 3166-1 alpha-2, default region for member numbers
  double segments_per_second = 1.0;
  std::map<std::string, std::string> settings;
  std::map<std::string, std::string> secrets;
};

}  // namespace chorus

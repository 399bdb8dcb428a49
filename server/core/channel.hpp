#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/ids.hpp"

namespace chorus {

/// A sending/receiving address at a carrier (a phone number, short code or sender id), owned
/// by one organization. `carrier` names the adapter that speaks to it ("twilio", "telnyx"):
/// any kind registered in app/ (carriers/registry.hpp). `settings` holds the carrier's options
/// (Twilio's api_base and account_sid); `secrets` holds its credentials, which are stored
/// encrypted and never logged or returned by an API.
struct Channel {
  OrganizationId organization_id = 0;
  ChannelId id = 0;
  std::string slug;             // globally unique; appears in webhook URLs
  std::string carrier;          // the carrier's kind: its folder name under server/carriers/
  std::string sender;           // E.164 number or short code, as the carrier knows it
  std::string country;          // ISO 3166-1 alpha-2, default region for member numbers
  double segments_per_second = 1.0;
  std::map<std::string, std::string> settings;
  std::map<std::string, std::string> secrets;
};

/// One carrier-specific setting of a channel, as the workspace file names it.
struct ChannelSettingSpec {
  std::string name;       // "account_sid"
  bool secret = false;    // a credential: goes to Channel::secrets
  bool required = false;
};

}  // namespace chorus

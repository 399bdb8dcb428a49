#pragma once

#include <string>
#include <vector>

#include "app/settings.hpp"

namespace chorus::app {

struct SimOptions {
  std::string from = "+15550100001";
  std::string channel;      // slug; empty: the only Twilio channel
  std::string text;
  double wait_seconds = 5;  // how long to watch for replies
};

/// Texts the running server as a member: posts a Twilio-signed inbound webhook to
/// CHORUS_LISTEN (signed for CHORUS_PUBLIC_BASE_URL), then prints the replies the server
/// queues and their delivery status as they change, read from the database.
int Sim(const Settings& settings, const SimOptions& options);

}  // namespace chorus::app

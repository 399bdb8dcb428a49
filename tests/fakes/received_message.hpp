#pragma once

#include <chrono>
#include <string>

namespace chorus::fakes {

/// A send request a fake carrier accepted (or refused), as it arrived.
struct ReceivedMessage {
  std::string sid;  // the carrier's id for it; empty when refused
  std::string to;
  std::string from;
  std::string body;
  std::string status_callback;
  int http_status = 201;
  std::chrono::steady_clock::time_point received_at;
  std::chrono::system_clock::time_point created_at;  // the carrier's date_created
  std::string status = "queued";  // the latest status the fake reported for it
};

}  // namespace chorus::fakes

#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/delivery_status.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace chorus::dispatch {

/// A status a carrier reported for a message we sent, as a delivery callback carries it.
struct ReportedStatus {
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  std::string carrier_message_id;
  DeliveryStatus status = DeliveryStatus::kAccepted;
  std::string raw_status;
  std::string error_code;
};

/// Where the reconciler hands what carriers answered: the path delivery callbacks take (in
/// serve, the ingest inbox: delivery_events and the forward-only status update), so a status
/// learnt by asking is recorded exactly as one that was posted.
class StatusSink {
 public:
  virtual ~StatusSink() = default;
  /// Records `reports` durably; `done` runs exactly once, on any thread, when they are stored
  /// (or with the error: kUnavailable when the database cannot be reached). Thread-safe.
  virtual void Record(std::vector<ReportedStatus> reports,
                      std::function<void(Result<void>)> done) = 0;
};

}  // namespace chorus::dispatch

#pragma once

#include <chrono>

#include <cstdint>
#include <string_view>

#include "core/ids.hpp"
#include "core/result.hpp"

namespace chorus::retention {

enum class Direction { kInbound, kOutbound };

std::string_view DirectionName(Direction direction);  // "inbound", "outbound"

/// One step of erasing old bodies.
struct RedactionStep {
  int redacted = 0;           // bodies erased by this step
  bool more = false;          // older messages may remain: step again from `resume_after`
  std::int64_t resume_after = 0;
  bool skipped = false;       // another node is at work on this organization: next run
};

/// Where message bodies are erased once their organization's retention period has passed.
/// A message still in use is never touched: an inbound message not yet processed, an outbound
/// one still queued or being sent (a lookup at the carrier compares bodies). Everything else
/// about the message stays: who, when, outcome, status, consent history, deduplication keys
/// and the outbound body hash.
class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  /// Looks at up to `limit` messages of `organization` in `direction`, in arrival order, from
  /// where earlier runs of any node left off (or after `resume_after` when later, the position
  /// the previous step of this run returned), and erases the bodies of those older than `days`
  /// days by the database's clock. Messages in use are passed over and looked at again by the
  /// next run.
  /// Forgets the organizer API's Idempotency-Keys older than `age` (a repeat after that is a
  /// new request). How many were forgotten. By default none: stores without keys.
  virtual Result<int> ExpireIdempotencyKeys(std::chrono::hours age) {
    (void)age;
    return 0;
  }

  virtual Result<RedactionStep> RedactOlderThan(OrganizationId organization, Direction direction,
                                                int days, int limit,
                                                std::int64_t resume_after) = 0;
};

}  // namespace chorus::retention

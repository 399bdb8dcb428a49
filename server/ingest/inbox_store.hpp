#pragma once

#include <vector>

#include "core/result.hpp"
#include "ingest/webhook_item.hpp"

namespace chorus::ingest {

/// Makes webhooks durable. One instance per writer thread (it owns a database connection);
/// not thread-safe.
class InboxStore {
 public:
  virtual ~InboxStore() = default;
  /// Stores `items` in one transaction. Inbound messages are unique per (channel, carrier
  /// message id) and status reports per (channel, carrier message id, status): a repeat is not
  /// stored again. Status reports also advance their outbound message (never backwards).
  /// Returns, per item, true when it was new. kUnavailable when the database cannot be reached
  /// or the commit's outcome is unknown (nothing may be acknowledged); kInvalidArgument or
  /// kInternal when the data itself was refused.
  virtual Result<std::vector<bool>> StoreBatch(const std::vector<WebhookItem>& items) = 0;
};

}  // namespace chorus::ingest

#pragma once

#include <vector>

#include "core/result.hpp"
#include "ingest/webhook_item.hpp"

namespace chorus::ingest {

/// What storing a batch did, per item.
struct StoredBatch {
  std::vector<bool> fresh;  // true when the item was new
  /// The member of each new inbound message from an E.164 sender (0 otherwise): created with
  /// the message when the sender was new, so processing is keyed by member from the start.
  std::vector<MemberId> members;
};

/// Makes webhooks durable. One instance per writer thread (it owns a database connection);
/// not thread-safe.
class InboxStore {
 public:
  virtual ~InboxStore() = default;
  /// Stores `items` in one transaction. Inbound messages are unique per (channel, carrier
  /// message id) and status reports per (channel, carrier message id, status): a repeat is not
  /// stored again. Status reports also advance their outbound message (never backwards).
  /// Inbound messages from E.164 senders get their member (created when new); others are
  /// stored already processed, outcome "invalid_sender" (they cannot be answered).
  /// Returns, per item, whether it was new and its member. kUnavailable when the database
  /// cannot be reached or the commit's outcome is unknown (nothing may be acknowledged); kInvalidArgument or
  /// kInternal when the data itself was refused.
  virtual Result<StoredBatch> StoreBatch(const std::vector<WebhookItem>& items) = 0;
};

}  // namespace chorus::ingest

#pragma once

#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// What the outbox holds for one member, for `chorus sim` and tests.
struct SentMessage {
  OutboundId id = 0;
  std::string body;
  std::string status;
  std::string error_code;
};

class PgConversationReader {
 public:
  explicit PgConversationReader(std::string dsn);
  /// Messages to `recipient` (E.164) in `organization`, with id > `after`, oldest first.
  Result<std::vector<SentMessage>> MessagesTo(OrganizationId organization,
                                              const std::string& recipient, OutboundId after);
  /// The highest outbound id to `recipient` so far (0 when none).
  Result<OutboundId> LastMessageTo(OrganizationId organization, const std::string& recipient);

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg

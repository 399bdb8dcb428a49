#include "store/pg/pg_conversation_reader.hpp"

namespace chorus::store::pg {

PgConversationReader::PgConversationReader(std::string dsn) : session_(std::move(dsn)) {}

Result<std::vector<SentMessage>> PgConversationReader::MessagesTo(OrganizationId organization,
                                                                 const std::string& recipient,
                                                                 OutboundId after) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<SentMessage> out;
    for (const auto& row : tx.exec_params(
             "SELECT id, body, status, COALESCE(error_code, '') FROM outbound_messages"
             " WHERE organization_id = $1 AND recipient = $2 AND id > $3 ORDER BY id",
             organization, recipient, after)) {
      out.push_back(SentMessage{row[0].as<std::int64_t>(), row[1].c_str(), row[2].c_str(),
                                row[3].c_str()});
    }
    return out;
  });
}

Result<OutboundId> PgConversationReader::LastMessageTo(OrganizationId organization,
                                                       const std::string& recipient) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx.exec_params("SELECT COALESCE(max(id), 0) FROM outbound_messages"
                          " WHERE organization_id = $1 AND recipient = $2",
                          organization, recipient)[0][0]
        .as<std::int64_t>();
  });
}

}  // namespace chorus::store::pg

// The ProcessingStore contract against PostgreSQL (PgProcessingStore), each test in a fresh
// database.
#include "store/contract/pg_world.hpp"
#include "store/contract/processing_contract.hpp"
#include "store/pg/pg_processing_store.hpp"

namespace chorus::testing {
namespace {

class PgProcessingWorld : public PgWorld {
 public:
  void SetUp() {
    ASSERT_NO_FATAL_FAILURE(PgWorld::SetUp());
    store_ = std::make_unique<store::pg::PgProcessingStore>(url());
  }

  ingest::ProcessingStore& store() { return *store_; }

  InboundId AddInbound(int channel, const std::string& sender, const std::string& body,
                       bool e164) {
    return One<InboundId>(
        "INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender,"
        " sender_is_e164, recipient, body, received_at)"
        " VALUES ($1, $2, $3, $4, $5, '+15005550006', $6, clock_timestamp()) RETURNING id",
        organization_, this->channel(channel), "SM" + std::to_string(++sids_), sender, e164,
        body);
  }

  InboundState Inbound(InboundId id) {
    const pqxx::row row = Exec("SELECT processed_at IS NOT NULL, COALESCE(outcome, ''), member_id"
                               " FROM inbound_messages WHERE id = $1",
                               id)
                              .at(0);
    InboundState s{row[0].as<bool>(), row[1].c_str(), std::nullopt};
    if (!row[2].is_null()) s.member = row[2].as<MemberId>();
    return s;
  }

  std::vector<OutboundState> Outbound() {
    std::vector<OutboundState> out;
    for (const auto& row : Exec("SELECT channel_id, member_id, body, status,"
                                " COALESCE(error_code, '') FROM outbound_messages ORDER BY id")) {
      out.push_back({row[0].as<ChannelId>(), row[1].as<MemberId>(), row[2].c_str(),
                     row[3].c_str(), row[4].c_str()});
    }
    return out;
  }

  void Age(std::chrono::seconds by) {
    Exec("UPDATE inbound_messages SET received_at = received_at - make_interval(secs => $1)",
         static_cast<double>(by.count()));
    Exec("UPDATE outbound_messages SET created_at = created_at - make_interval(secs => $1)",
         static_cast<double>(by.count()));
  }

 private:
  int sids_ = 0;
  std::unique_ptr<store::pg::PgProcessingStore> store_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Pg, ProcessingContract, PgProcessingWorld);

}  // namespace
}  // namespace chorus::testing

// The InboxStore contract against PostgreSQL (PgInboxStore), each test in a fresh database.
#include "store/contract/inbox_contract.hpp"
#include "store/contract/pg_world.hpp"
#include "store/pg/pg_inbox_store.hpp"

namespace chorus::testing {
namespace {

class PgInboxWorld : public PgWorld {
 public:
  void SetUp() {
    ASSERT_NO_FATAL_FAILURE(PgWorld::SetUp());
    member_ = One<MemberId>(
        "INSERT INTO members (organization_id, phone_e164) VALUES ($1, '+15550100001')"
        " RETURNING id",
        organization_);
    store_ = std::make_unique<store::pg::PgInboxStore>(url());
  }

  ingest::InboxStore& store() { return *store_; }
  OutboundId AddSent(int channel, const std::string& carrier_id, DeliveryStatus status) {
    return One<OutboundId>(
        "INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body,"
        " kind, priority, segments, encoding, body_hash, status, carrier_message_id)"
        " VALUES ($1, $2, $3, '+15550100001', 'hello', 'reply', 0, 1, 'gsm7', hashtext('hello'),"
        " $4, $5) RETURNING id",
        organization_, this->channel(channel), member_, std::string(StatusName(status)),
        carrier_id);
  }
  DeliveryStatus Status(OutboundId id) {
    return ParseStatusName(
               One<std::string>("SELECT status FROM outbound_messages WHERE id = $1", id))
        .value_or(DeliveryStatus::kQueued);
  }
  std::string ErrorCode(OutboundId id) {
    return One<std::string>(
        "SELECT COALESCE(error_code, '') FROM outbound_messages WHERE id = $1", id);
  }
  std::int64_t InboundCount() { return One<std::int64_t>("SELECT count(*) FROM inbound_messages"); }
  std::int64_t ReportCount() { return One<std::int64_t>("SELECT count(*) FROM delivery_events"); }

 private:
  MemberId member_ = 0;
  std::unique_ptr<store::pg::PgInboxStore> store_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Pg, InboxContract, PgInboxWorld);

}  // namespace
}  // namespace chorus::testing

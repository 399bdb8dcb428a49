// The OutboxStore contract against PostgreSQL (PgOutboxStore), each test in a fresh database.
#include <pqxx/pqxx>

#include "store/contract/outbox_contract.hpp"
#include "store/contract/pg_world.hpp"
#include "store/pg/pg_outbox_store.hpp"

namespace chorus::testing {
namespace {

class PgOutboxWorld : public PgWorld {
 public:
  void SetUp() {
    ASSERT_NO_FATAL_FAILURE(PgWorld::SetUp());
    for (int i = 0; i < 5; ++i) {
      members_.push_back(One<MemberId>(
          "INSERT INTO members (organization_id, phone_e164) VALUES ($1, $2) RETURNING id",
          organization_, recipient(i)));
    }
    store_ = std::make_unique<store::pg::PgOutboxStore>(url());
  }

  dispatch::OutboxStore& store() { return *store_; }
  MemberId member(int i) const { return members_.at(static_cast<std::size_t>(i)); }
  std::string recipient(int i) const { return "+1555010100" + std::to_string(i); }

  // Creation times are the database's clock at each statement (as the stores' own now() is),
  // so "newer than anything before" holds: statements run one after another.
  OutboundId Enqueue(const OutboxMessage& m) {
    return One<OutboundId>(
        "INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body,"
        " kind, priority, segments, encoding, body_hash, outcome_unknown, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 'gsm7', hashtext($5), $8, clock_timestamp())"
        " RETURNING id",
        organization_, channel(m.channel), member(m.member), recipient(m.member), m.body,
        std::string(m.compliance ? "compliance" : "reply"), m.priority, m.outcome_unknown);
  }
  void OptOut(int member, std::optional<int> on) {
    Exec("INSERT INTO opt_outs (organization_id, member_id, channel_id, created_at)"
         " VALUES ($1, $2, $3, clock_timestamp())",
         organization_, this->member(member),
         on ? std::optional<ChannelId>(channel(*on)) : std::nullopt);
  }
  DeliveryStatus Status(OutboundId id) {
    return ParseStatusName(Text("status", id)).value_or(DeliveryStatus::kFailed);
  }
  std::string ErrorCode(OutboundId id) { return Text("error_code", id); }
  std::string CarrierId(OutboundId id) { return Text("carrier_message_id", id); }
  bool OutcomeUnknown(OutboundId id) { return Text("outcome_unknown", id) == "true"; }
  void ExpireLeases() {
    Exec("UPDATE outbound_messages SET lease_until = now() - interval '1 second'"
         " WHERE status = 'sending'");
  }
  void MakeRetriesDue() {
    Exec("UPDATE outbound_messages SET next_attempt_at = now() - interval '1 second'"
         " WHERE status = 'queued'");
  }
  int OptOutRows(int member) {
    return static_cast<int>(
        One<std::int64_t>("SELECT count(*) FROM opt_outs WHERE member_id = $1", this->member(member)));
  }
  int CarrierOptOutEvents(int member) {
    return static_cast<int>(One<std::int64_t>(
        "SELECT count(*) FROM consent_events WHERE member_id = $1 AND source = 'carrier'"
        " AND kind = 'opt_out'",
        this->member(member)));
  }

 private:
  std::string Text(const std::string& column, OutboundId id) {
    return One<std::string>("SELECT COALESCE(" + column + "::text, '') FROM outbound_messages"
                            " WHERE id = $1",
                            id);
  }

  std::unique_ptr<store::pg::PgOutboxStore> store_;
  std::vector<MemberId> members_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Pg, OutboxContract, PgOutboxWorld);

}  // namespace
}  // namespace chorus::testing

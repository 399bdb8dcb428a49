// The OutboxStore contract against PostgreSQL (PgOutboxStore), each test in a fresh database.
#include <pqxx/pqxx>

#include "store/contract/outbox_contract.hpp"
#include "store/pg/pg_outbox_store.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "store/store_fixtures.hpp"
#include "support/pg_test_database.hpp"

namespace chorus::testing {
namespace {

class PgOutboxWorld {
 public:
  void SetUp() {
    auto created = PgTestDatabase::Create();
    ASSERT_TRUE(created.ok()) << created.error().message;
    database_ = std::move(created).value();
    connection_ = std::make_unique<pqxx::connection>(database_->url());
    store::pg::PgWorkspaceStore workspaces(database_->url(), store::pg::TestKeyring());
    auto applied = workspaces.Apply(store::pg::AcmeDefinition());
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    organization_ = applied->organization_id;
    for (const char* slug : {"acme-sms", "acme-alerts"}) {
      channels_.push_back(
          One<ChannelId>("SELECT id FROM channels WHERE slug = $1", std::string(slug)));
    }
    for (int i = 0; i < 5; ++i) {
      members_.push_back(One<MemberId>(
          "INSERT INTO members (organization_id, phone_e164) VALUES ($1, $2) RETURNING id",
          organization_, recipient(i)));
    }
    store_ = std::make_unique<store::pg::PgOutboxStore>(database_->url());
  }

  dispatch::OutboxStore& store() { return *store_; }
  OrganizationId organization() const { return organization_; }
  ChannelId channel(int i) const { return channels_.at(static_cast<std::size_t>(i)); }
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
  template <typename... Params>
  pqxx::result Exec(const std::string& sql, const Params&... params) {
    pqxx::work tx(*connection_);
    pqxx::result rows = tx.exec_params(sql, params...);
    tx.commit();
    return rows;
  }
  template <typename T, typename... Params>
  T One(const std::string& sql, const Params&... params) {
    return Exec(sql, params...).at(0).at(0).template as<T>();
  }
  std::string Text(const std::string& column, OutboundId id) {
    return One<std::string>("SELECT COALESCE(" + column + "::text, '') FROM outbound_messages"
                            " WHERE id = $1",
                            id);
  }

  std::unique_ptr<PgTestDatabase> database_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<store::pg::PgOutboxStore> store_;
  OrganizationId organization_ = 0;
  std::vector<ChannelId> channels_;
  std::vector<MemberId> members_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Pg, OutboxContract, PgOutboxWorld);

}  // namespace
}  // namespace chorus::testing

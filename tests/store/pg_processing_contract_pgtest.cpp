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

  MemberId AddMember(const std::string& phone) {
    return One<MemberId>(
        "INSERT INTO members (organization_id, phone_e164) VALUES ($1, $2)"
        " RETURNING id",
        organization_, phone);
  }

  InboundId AddInbound(int channel, MemberId member, const std::string& body) {
    return One<InboundId>(
        "INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender,"
        " sender_is_e164, recipient, body, received_at, member_id)"
        " SELECT $1, $2, $3, phone_e164, true, '+15005550006', $4, clock_timestamp(), id"
        " FROM members WHERE organization_id = $1 AND id = $5 RETURNING id",
        organization_, this->channel(channel), "SM" + std::to_string(++sids_), body, member);
  }

  std::int64_t AddEvent(const ingest::MemberEvent& e, std::chrono::seconds due_in) {
    const std::string payload =
        "{\"timer\":\"" + std::string(flows::TimerKindName(e.timer)) +
        "\",\"ok\":" + (e.ok ? "true" : "false") + ",\"flow\":\"" + e.flow + "\"" +
        (e.event_id ? ",\"event_id\":" + std::to_string(*e.event_id) : "") + "}";
    return One<std::int64_t>(
        "INSERT INTO member_events (organization_id, member_id, kind, channel_id, session_id,"
        " token, payload, due_at) VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6, $7::jsonb,"
        " clock_timestamp() + make_interval(secs => $8)) RETURNING id",
        organization_, e.member_id, std::string(ingest::EventKindName(e.kind)), e.channel_id, e.session_id,
        e.token, payload, static_cast<double>(due_in.count()));
  }

  void AddChapter(const std::string& slug) {
    Exec("INSERT INTO chapters (organization_id, slug, name) VALUES ($1, $2, $2)", organization_,
         slug);
  }

  EventState Inbound(InboundId id) {
    const pqxx::row row = Exec(
                              "SELECT processed_at IS NOT NULL, COALESCE(outcome, '')"
                              " FROM inbound_messages WHERE id = $1",
                              id)
                              .at(0);
    return {row[0].as<bool>(), row[1].c_str()};
  }

  EventState Event(std::int64_t id) {
    const pqxx::row row = Exec(
                              "SELECT processed_at IS NOT NULL, COALESCE(outcome, '')"
                              " FROM member_events WHERE id = $1",
                              id)
                              .at(0);
    return {row[0].as<bool>(), row[1].c_str()};
  }

  std::vector<OutboundState> Outbound() {
    std::vector<OutboundState> out;
    for (const auto& row : Exec("SELECT channel_id, member_id, body, status,"
                                " COALESCE(error_code, '') FROM outbound_messages ORDER BY id")) {
      out.push_back({row[0].as<ChannelId>(), row[1].as<MemberId>(), row[2].c_str(), row[3].c_str(),
                     row[4].c_str()});
    }
    return out;
  }

  std::vector<ActionState> Actions() {
    std::vector<ActionState> out;
    for (const auto& row :
         Exec("SELECT member_id, kind, value, event_id FROM actions ORDER BY id")) {
      ActionState a{row[0].as<MemberId>(), row[1].c_str(), row[2].c_str(), std::nullopt};
      if (!row[3].is_null()) a.event_id = row[3].as<std::int64_t>();
      out.push_back(a);
    }
    return out;
  }

  void Age(std::chrono::seconds by) {
    const double secs = static_cast<double>(by.count());
    Exec("UPDATE inbound_messages SET received_at = received_at - make_interval(secs => $1)", secs);
    Exec("UPDATE outbound_messages SET created_at = created_at - make_interval(secs => $1)", secs);
    Exec(
        "UPDATE member_events SET due_at = due_at - make_interval(secs => $1),"
        " created_at = created_at - make_interval(secs => $1),"
        " claimed_until = claimed_until - make_interval(secs => $1)",
        secs);
  }

 private:
  int sids_ = 0;
  std::unique_ptr<store::pg::PgProcessingStore> store_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Pg, ProcessingContract, PgProcessingWorld);

}  // namespace
}  // namespace chorus::testing

// The OutboxStore contract against the fake the dispatcher's unit tests use.
#include "fakes/fake_outbox_store.hpp"
#include "store/contract/outbox_contract.hpp"

namespace chorus::testing {
namespace {

class FakeOutboxWorld {
 public:
  void SetUp() {}
  dispatch::OutboxStore& store() { return store_; }
  OrganizationId organization() const { return 1; }
  ChannelId channel(int i) const { return 10 + i; }
  MemberId member(int i) const { return 100 + i; }
  std::string recipient(int i) const { return "+1555010100" + std::to_string(i); }

  OutboundId Enqueue(const OutboxMessage& m) {
    return db_.Enqueue({.organization_id = organization(),
                        .channel_id = channel(m.channel),
                        .member_id = member(m.member),
                        .recipient = recipient(m.member),
                        .body = m.body,
                        .compliance = m.compliance,
                        .priority = m.priority,
                        .outcome_unknown = m.outcome_unknown});
  }
  void OptOut(int member, std::optional<int> on) {
    db_.AddOptOut(organization(), this->member(member),
                  on ? std::optional<ChannelId>(channel(*on)) : std::nullopt);
  }
  DeliveryStatus Status(OutboundId id) const { return db_.status(id); }
  std::string ErrorCode(OutboundId id) const { return db_.message(id).error_code; }
  std::string CarrierId(OutboundId id) const { return db_.message(id).carrier_message_id; }
  bool OutcomeUnknown(OutboundId id) const { return db_.message(id).outcome_unknown; }
  void ExpireLeases() { db_.ExpireLeases(); }
  void MakeRetriesDue() { db_.MakeRetriesDue(); }
  int OptOutRows(int member) const {
    int n = 0;
    for (const auto& o : db_.opt_outs()) n += o.member_id == this->member(member) ? 1 : 0;
    return n;
  }
  int CarrierOptOutEvents(int member) const { return db_.CarrierOptOutEvents(this->member(member)); }

 private:
  fakes::FakeOutboxDatabase db_;
  fakes::FakeOutboxStore store_{db_};
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, OutboxContract, FakeOutboxWorld);

}  // namespace
}  // namespace chorus::testing

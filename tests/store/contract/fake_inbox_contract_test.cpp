// The InboxStore contract against the fake the ingest unit tests use.
#include "fakes/fake_inbox_store.hpp"
#include "store/contract/inbox_contract.hpp"

namespace chorus::testing {
namespace {

class FakeInboxWorld {
 public:
  void SetUp() {}
  ingest::InboxStore& store() { return store_; }
  OrganizationId organization() const { return 1; }
  ChannelId channel(int i) const { return 10 + i; }
  OutboundId AddSent(int channel, const std::string& carrier_id, DeliveryStatus status) {
    return db_.AddSent(organization(), this->channel(channel), carrier_id, status);
  }
  DeliveryStatus Status(OutboundId id) const { return db_.sent(id).status; }
  std::string ErrorCode(OutboundId id) const { return db_.sent(id).error_code; }
  std::int64_t InboundCount() const { return static_cast<std::int64_t>(db_.inbound().size()); }
  std::int64_t ReportCount() const { return static_cast<std::int64_t>(db_.statuses().size()); }

 private:
  fakes::FakeInboxDatabase db_;
  fakes::FakeInboxStore store_{db_};
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, InboxContract, FakeInboxWorld);

}  // namespace
}  // namespace chorus::testing

// The ProcessingStore contract against the fake the processor's unit tests use.
#include "fakes/fake_processing_store.hpp"
#include "store/contract/processing_contract.hpp"

namespace chorus::testing {
namespace {

class FakeProcessingWorld {
 public:
  void SetUp() {}
  ingest::ProcessingStore& store() { return store_; }
  OrganizationId organization() const { return 1; }
  ChannelId channel(int i) const { return 10 + i; }

  InboundId AddInbound(int channel, const std::string& sender, const std::string& body,
                       bool e164) {
    return db_.AddInbound(organization(), this->channel(channel), sender, body, e164);
  }
  InboundState Inbound(InboundId id) const {
    const auto in = db_.inbound(id);
    return {in.processed, in.outcome, in.member_id};
  }
  std::vector<OutboundState> Outbound() const {
    std::vector<OutboundState> out;
    for (const auto& o : db_.outbound()) {
      out.push_back({o.draft.channel_id, o.draft.member_id, o.draft.body, o.status, o.error_code});
    }
    return out;
  }
  void Age(std::chrono::seconds by) { db_.Advance(by); }

 private:
  fakes::FakeProcessingDatabase db_;
  fakes::FakeProcessingStore store_{db_};
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, ProcessingContract, FakeProcessingWorld);

}  // namespace
}  // namespace chorus::testing

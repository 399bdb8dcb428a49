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

  MemberId AddMember(const std::string& phone) { return db_.AddMember(organization(), phone); }
  InboundId AddInbound(int channel, MemberId member, const std::string& body) {
    return db_.AddInbound(organization(), this->channel(channel), member, body);
  }
  std::int64_t AddEvent(const ingest::MemberEvent& e, std::chrono::seconds due_in) {
    return db_.AddEvent(e, due_in);
  }
  void AddChapter(const std::string& slug) { db_.AddChapter(organization(), slug); }

  EventState Inbound(InboundId id) const {
    const auto in = db_.inbound(id);
    return {in.processed, in.outcome};
  }
  EventState Event(std::int64_t id) const {
    const auto e = db_.event(id);
    return {e.processed, e.outcome};
  }
  std::vector<OutboundState> Outbound() const {
    std::vector<OutboundState> out;
    for (const auto& o : db_.outbound()) {
      out.push_back({o.draft.channel_id, o.draft.member_id, o.draft.body, o.status, o.error_code});
    }
    return out;
  }
  std::vector<ActionState> Actions() const {
    std::vector<ActionState> out;
    for (const auto& a : db_.actions()) {
      out.push_back({a.member_id, std::string(flows::ActionKindName(a.action.kind)), a.action.value,
                     a.action.event_id});
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

#pragma once

// The contract of ingest::InboxStore, as typed tests over a "world": FakeInboxDatabase in the
// unit binary (fake_inbox_contract_test.cpp), PostgreSQL in the pg binary
// (pg_inbox_contract_pgtest.cpp).
//
// A world provides, after SetUp: two channels (0, 1) of one organization, and
//   ingest::InboxStore& store();
//   OutboundId AddSent(int channel, const std::string& carrier_id, DeliveryStatus status);
//       an outbound message the carrier has taken under `carrier_id`
//   DeliveryStatus Status(OutboundId); std::string ErrorCode(OutboundId);
//   std::int64_t InboundCount(); std::int64_t ReportCount();   rows stored
//   ChannelId channel(int); OrganizationId organization();

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/delivery_status.hpp"
#include "ingest/inbox_store.hpp"

namespace chorus::testing {

template <typename World>
class InboxContract : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(world_.SetUp()); }

  ingest::InboundItem In(int channel, const std::string& sid, const std::string& body = "hi",
                         const std::string& sender = "+15550100001", bool e164 = true) {
    ingest::InboundItem in;
    in.organization_id = world_.organization();
    in.channel_id = world_.channel(channel);
    in.carrier_message_id = sid;
    in.sender = sender;
    in.sender_is_e164 = e164;
    in.recipient = "+15550100000";
    in.body = body;
    return in;
  }
  ingest::StatusItem Report(int channel, const std::string& sid, DeliveryStatus status,
                            const std::string& raw, const std::string& error = "") {
    ingest::StatusItem st;
    st.organization_id = world_.organization();
    st.channel_id = world_.channel(channel);
    st.carrier_message_id = sid;
    st.status = status;
    st.raw_status = raw;
    st.error_code = error;
    return st;
  }
  ingest::StoredBatch StoreWithMembers(const std::vector<ingest::WebhookItem>& items) {
    auto stored = world_.store().StoreBatch(items);
    EXPECT_TRUE(stored.ok()) << stored.error().message;
    if (!stored.ok()) return {};
    EXPECT_EQ(stored->fresh.size(), items.size());
    EXPECT_EQ(stored->members.size(), items.size());
    return *stored;
  }
  std::vector<bool> Store(const std::vector<ingest::WebhookItem>& items) {
    return StoreWithMembers(items).fresh;
  }

  World world_;
};

TYPED_TEST_SUITE_P(InboxContract);

using Fresh = std::vector<bool>;

TYPED_TEST_P(InboxContract, AnInboundMessageIsNewOnlyTheFirstTimeInOneBatchOrMany) {
  EXPECT_EQ(this->Store({this->In(0, "M1"), this->In(0, "M2"), this->In(0, "M1")}),
            (Fresh{true, true, false}));
  EXPECT_EQ(this->Store({this->In(0, "M2", "a retry may differ"), this->In(0, "M3")}),
            (Fresh{false, true}));
  EXPECT_EQ(this->world_.InboundCount(), 3);
}

TYPED_TEST_P(InboxContract, TheSameCarrierIdOnAnotherChannelIsAnotherMessage) {
  EXPECT_EQ(this->Store({this->In(0, "M1"), this->In(1, "M1")}), (Fresh{true, true}));
  EXPECT_EQ(this->world_.InboundCount(), 2);
}

TYPED_TEST_P(InboxContract, AReportIsNewOncePerRawStatus) {
  auto& w = this->world_;
  w.AddSent(0, "S1", DeliveryStatus::kAccepted);
  EXPECT_EQ(this->Store({this->Report(0, "S1", DeliveryStatus::kSent, "sent"),
                         this->Report(0, "S1", DeliveryStatus::kSent, "sent")}),
            (Fresh{true, false}));
  EXPECT_EQ(this->Store({this->Report(0, "S1", DeliveryStatus::kSent, "sent"),
                         this->Report(0, "S1", DeliveryStatus::kDelivered, "delivered")}),
            (Fresh{false, true}));
  EXPECT_EQ(w.ReportCount(), 2);
}

TYPED_TEST_P(InboxContract, ReportsMoveTheirMessageForwardAndNeverBack) {
  auto& w = this->world_;
  const OutboundId id = w.AddSent(0, "S1", DeliveryStatus::kAccepted);
  const OutboundId other = w.AddSent(1, "S1", DeliveryStatus::kAccepted);  // same id, channel 1
  this->Store({this->Report(0, "S1", DeliveryStatus::kSent, "sent")});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kSent);
  EXPECT_EQ(w.Status(other), DeliveryStatus::kAccepted) << "a report is for its channel only";
  this->Store({this->Report(0, "S1", DeliveryStatus::kDelivered, "delivered")});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kDelivered);
  // Late and out of order: an earlier status, and a terminal one after a terminal one.
  this->Store({this->Report(0, "S1", DeliveryStatus::kSent, "sent-late"),
               this->Report(0, "S1", DeliveryStatus::kUndelivered, "undelivered", "30003")});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kDelivered);
  EXPECT_EQ(w.ReportCount(), 4) << "every report is kept, even those that move nothing";
}

TYPED_TEST_P(InboxContract, TheBestStatusOfABatchWinsWhateverItsOrder) {
  auto& w = this->world_;
  const OutboundId id = w.AddSent(0, "S1", DeliveryStatus::kAccepted);
  this->Store({this->Report(0, "S1", DeliveryStatus::kFailed, "failed", "30008"),
               this->Report(0, "S1", DeliveryStatus::kSent, "sent")});
  EXPECT_EQ(w.Status(id), DeliveryStatus::kFailed);
  EXPECT_EQ(w.ErrorCode(id), "30008");
}

TYPED_TEST_P(InboxContract, AReportForAMessageWeDoNotKnowIsStoredAndMovesNothing) {
  auto& w = this->world_;
  const OutboundId id = w.AddSent(0, "S1", DeliveryStatus::kAccepted);
  EXPECT_EQ(this->Store({this->Report(0, "S-unknown", DeliveryStatus::kDelivered, "delivered")}),
            (Fresh{true}));
  EXPECT_EQ(w.Status(id), DeliveryStatus::kAccepted);
  EXPECT_EQ(w.ReportCount(), 1);
}

TYPED_TEST_P(InboxContract, ANewMessageComesWithItsSendersMemberCreatedOnFirstSight) {
  const auto first = this->StoreWithMembers({this->In(0, "M1", "hi", "+15550100001"),
                                             this->In(1, "M2", "hi", "+15550100002"),
                                             this->In(0, "M3", "again", "+15550100001")});
  ASSERT_EQ(first.members.size(), 3u);
  EXPECT_NE(first.members[0], 0);
  EXPECT_NE(first.members[1], 0);
  EXPECT_NE(first.members[0], first.members[1]) << "two numbers are two members";
  EXPECT_EQ(first.members[2], first.members[0]) << "one number is one member on every channel";
  const auto later = this->StoreWithMembers({this->In(1, "M4", "hi", "+15550100001")});
  EXPECT_EQ(later.members, (std::vector<MemberId>{first.members[0]}));
}

TYPED_TEST_P(InboxContract, ARepeatOrASenderThatIsNoNumberHasNoMemberToProcess) {
  this->Store({this->In(0, "M1")});
  const auto stored = this->StoreWithMembers(
      {this->In(0, "M1"), this->In(0, "M5", "hi", "ALERTS", /*e164=*/false)});
  EXPECT_EQ(stored.fresh, (Fresh{false, true}));
  EXPECT_EQ(stored.members, (std::vector<MemberId>{0, 0}));
  EXPECT_EQ(this->world_.InboundCount(), 2) << "the alphanumeric sender's message is kept";
}

REGISTER_TYPED_TEST_SUITE_P(InboxContract, AnInboundMessageIsNewOnlyTheFirstTimeInOneBatchOrMany,
                            ANewMessageComesWithItsSendersMemberCreatedOnFirstSight,
                            ARepeatOrASenderThatIsNoNumberHasNoMemberToProcess,
                            TheSameCarrierIdOnAnotherChannelIsAnotherMessage,
                            AReportIsNewOncePerRawStatus,
                            ReportsMoveTheirMessageForwardAndNeverBack,
                            TheBestStatusOfABatchWinsWhateverItsOrder,
                            AReportForAMessageWeDoNotKnowIsStoredAndMovesNothing);

}  // namespace chorus::testing

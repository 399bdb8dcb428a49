#include "store/pg/pg_inbox_store.hpp"

#include <gtest/gtest.h>

#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using ingest::WebhookItem;

class PgInboxStoreTest : public AcmeStoreTest {
 protected:
  std::vector<bool> Store(const std::vector<WebhookItem>& items) {
    auto stored = inbox_->StoreBatch(items);
    EXPECT_TRUE(stored.ok()) << stored.error().message;
    return stored.ok() ? stored->fresh : std::vector<bool>{};
  }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AcmeStoreTest::SetUp());
    inbox_ = std::make_unique<PgInboxStore>(url());
  }

  std::unique_ptr<PgInboxStore> inbox_;
};

TEST_F(PgInboxStoreTest, SameInboundInTwoBatchesIsStoredOnce) {
  EXPECT_EQ(Store({Inbound(sms_, "SM1", kAlice, "hi")}), std::vector<bool>{true});
  EXPECT_EQ(Store({Inbound(sms_, "SM1", kAlice, "hi")}), std::vector<bool>{false});
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
}

TEST_F(PgInboxStoreTest, SameInboundTwiceInOneBatchIsNewOnlyTheFirstTime) {
  EXPECT_EQ(Store({Inbound(sms_, "SM1", kAlice, "hi"), Inbound(sms_, "SM2", kBob, "yo"),
                   Inbound(sms_, "SM1", kAlice, "hi")}),
            (std::vector<bool>{true, true, false}));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 2);
}

TEST_F(PgInboxStoreTest, SameCarrierIdOnDifferentChannelsIsTwoMessages) {
  EXPECT_EQ(Store({Inbound(sms_, "SM1", kAlice, "hi"), Inbound(alerts_, "SM1", kAlice, "hi")}),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE carrier_message_id = 'SM1'"), 2);
}

TEST_F(PgInboxStoreTest, EveryInboundFieldIsStored) {
  ingest::InboundItem in = Inbound(sms_, "SM1", kAlice, "hi");
  in.num_media = 2;
  ASSERT_EQ(Store({in}), std::vector<bool>{true});
  const pqxx::row row = Sql("SELECT organization_id, channel_id, sender, sender_is_e164,"
                            " recipient, body, num_media, processed_at IS NULL,"
                            " member_id = (SELECT id FROM members WHERE phone_e164 = sender)"
                            " FROM inbound_messages")[0];
  EXPECT_EQ(row[0].as<std::int64_t>(), org_);
  EXPECT_EQ(row[1].as<std::int64_t>(), sms_);
  EXPECT_EQ(row[2].as<std::string>(), kAlice);
  EXPECT_TRUE(row[3].as<bool>());
  EXPECT_EQ(row[4].as<std::string>(), "+15005550006");
  EXPECT_EQ(row[5].as<std::string>(), "hi");
  EXPECT_EQ(row[6].as<int>(), 2);
  EXPECT_TRUE(row[7].as<bool>()) << "waits for processing";
  EXPECT_TRUE(row[8].as<bool>()) << "with the sender's member";
}

TEST_F(PgInboxStoreTest, AwkwardBodiesSurviveByteForByte) {
  const std::vector<std::string> bodies = {
      "she said \"STOP\" but meant 'go'",
      "C:\\Users\\tenant\\ and a trailing backslash\\",
      "{\"json\": [1, 2, {\"a\": \"}\"}]}",
      "a, b,, c,",
      "line one\nline two\r\nline three\t(tab)",
      "🏠✊🏽 rent strike!",
      "किराया हड़ताल — बैठक मंगलवार",
      "NULL",
      "",
      "  padded  ",
  };
  std::vector<WebhookItem> items;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    items.push_back(Inbound(sms_, "SM" + std::to_string(i), kAlice, bodies[i]));
  }
  ASSERT_EQ(Store(items), std::vector<bool>(bodies.size(), true));
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const auto stored = Sql("SELECT body, body IS NULL FROM inbound_messages"
                            " WHERE carrier_message_id = $1",
                            "SM" + std::to_string(i));
    ASSERT_EQ(stored.size(), 1u) << "body " << i;
    EXPECT_FALSE(stored[0][1].as<bool>()) << "body " << i;
    EXPECT_EQ(stored[0][0].as<std::string>(), bodies[i]) << "body " << i;
  }
}

class PgInboxStatusTest : public PgInboxStoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(PgInboxStoreTest::SetUp());
    const MemberId alice = InsertMember(kAlice);
    message_ = InsertOutbound(
        {.channel = sms_, .member = alice, .status = "accepted", .carrier_message_id = "SMout"});
  }
  OutboundId message_ = 0;
};

TEST_F(PgInboxStatusTest, StatusReportsMoveTheOutboundMessageForward) {
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kSent, "sent")}),
            std::vector<bool>{true});
  EXPECT_EQ(Status(message_), "sent");
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kDelivered, "delivered")}),
            std::vector<bool>{true});
  EXPECT_EQ(Status(message_), "delivered");
}

TEST_F(PgInboxStatusTest, LateSentAfterDeliveredDoesNotMoveBack) {
  ASSERT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kDelivered, "delivered")}),
            std::vector<bool>{true});
  // A report the carrier sent earlier but we receive later is still new, and still recorded.
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kSent, "sent")}),
            std::vector<bool>{true});
  EXPECT_EQ(Status(message_), "delivered");
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = 'SMout'"), 2);
}

TEST_F(PgInboxStatusTest, BestStatusOfOneBatchWinsWhateverItsOrder) {
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kDelivered, "delivered"),
                   Report(sms_, "SMout", DeliveryStatus::kSent, "sent")}),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(Status(message_), "delivered");
}

TEST_F(PgInboxStatusTest, RepeatedStatusReportIsStoredOnce) {
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kSent, "sent")}),
            std::vector<bool>{true});
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kSent, "sent"),
                   Report(sms_, "SMout", DeliveryStatus::kSent, "sent")}),
            (std::vector<bool>{false, false}));
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events"), 1);
  EXPECT_EQ(Status(message_), "sent");
}

TEST_F(PgInboxStatusTest, RepeatInsideOneBatchIsNewOnlyTheFirstTime) {
  EXPECT_EQ(Store({Report(sms_, "SMout", DeliveryStatus::kSent, "sent"),
                   Report(sms_, "SMout", DeliveryStatus::kSent, "sent")}),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(Count("SELECT count(*) FROM delivery_events"), 1);
}

TEST_F(PgInboxStatusTest, ReportOnAnotherChannelDoesNotTouchTheMessage) {
  EXPECT_EQ(Store({Report(alerts_, "SMout", DeliveryStatus::kDelivered, "delivered")}),
            std::vector<bool>{true});
  EXPECT_EQ(Status(message_), "accepted");
}

TEST_F(PgInboxStatusTest, FailureReportKeepsTheCarrierErrorCode) {
  ingest::StatusItem failed = Report(sms_, "SMout", DeliveryStatus::kUndelivered, "undelivered");
  failed.error_code = "30003";
  ASSERT_EQ(Store({failed}), std::vector<bool>{true});
  EXPECT_EQ(Status(message_), "undelivered");
  EXPECT_EQ(Value<std::string>("SELECT error_code FROM outbound_messages WHERE id = $1", message_),
            "30003");
  EXPECT_EQ(Value<std::string>("SELECT error_code FROM delivery_events"), "30003");
}

TEST_F(PgInboxStatusTest, InboundAndStatusItemsShareOneBatch) {
  EXPECT_EQ(Store({Inbound(sms_, "SMin", kAlice, "thanks"),
                   Report(sms_, "SMout", DeliveryStatus::kDelivered, "delivered"),
                   Inbound(sms_, "SMin", kAlice, "thanks")}),
            (std::vector<bool>{true, true, false}));
  EXPECT_EQ(Status(message_), "delivered");
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
}

}  // namespace
}  // namespace chorus::store::pg

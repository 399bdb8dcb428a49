#include "carriers/telnyx/telnyx_webhook.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>

#include "carriers/telnyx/telnyx_payloads.hpp"

namespace chorus::carriers::telnyx {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::telnyx::DeliveryEvent;
using testing::telnyx::InboundEvent;

constexpr char kId[] = "84cca175-9755-4859-b67f-4730d7f58aa3";

TEST(TelnyxParseEvent, InboundMessageReceived) {
  auto content = ParseEvent(InboundEvent(kId, "+13125550001", "+17735550002", R"("JOIN")"));
  ASSERT_TRUE(content.ok()) << content.error().message;
  ASSERT_EQ(content->messages.size(), 1u);
  const InboundMessage& m = content->messages[0];
  EXPECT_EQ(m.carrier_message_id, kId);
  EXPECT_EQ(m.from, "+13125550001");
  EXPECT_EQ(m.to, "+17735550002");
  EXPECT_EQ(m.body, "JOIN");
  EXPECT_EQ(m.num_media, 0);
  EXPECT_TRUE(content->reports.empty());
}

TEST(TelnyxParseEvent, UnicodeEscapesAndNulInTheText) {
  auto content =
      ParseEvent(InboundEvent(kId, "+13125550001", "+17735550002", R"("\u092c\u0902\u0926 a\u0000b")"));
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(content->messages[0].body, "बंद a\xEF\xBF\xBD" "b");
}

TEST(TelnyxParseEvent, PictureOnlyMmsHasNoText) {
  std::string json = InboundEvent(kId, "+13125550001", "+17735550002", "null");
  auto content = ParseEvent(json);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(content->messages[0].body, "");
}

struct ReportCase {
  const char* event;
  const char* status;
  DeliveryStatus ours;
  const char* code;
};

void PrintTo(const ReportCase& c, std::ostream* os) { *os << c.event << "/" << c.status; }

class TelnyxReport : public ::testing::TestWithParam<ReportCase> {};

TEST_P(TelnyxReport, MapsTheFirstRecipientsStatus) {
  const ReportCase& c = GetParam();
  auto content = ParseEvent(DeliveryEvent(c.event, kId, "+15550101001", c.status, c.code));
  ASSERT_TRUE(content.ok()) << content.error().message;
  ASSERT_EQ(content->reports.size(), 1u);
  EXPECT_EQ(content->reports[0].carrier_message_id, kId);
  EXPECT_EQ(content->reports[0].raw_status, c.status);
  EXPECT_EQ(content->reports[0].status, c.ours);
  EXPECT_EQ(content->reports[0].error_code, c.code);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, TelnyxReport,
    ::testing::Values(ReportCase{"message.sent", "queued", DeliveryStatus::kAccepted, ""},
                      ReportCase{"message.sent", "sending", DeliveryStatus::kAccepted, ""},
                      ReportCase{"message.sent", "sent", DeliveryStatus::kSent, ""},
                      ReportCase{"message.finalized", "delivered", DeliveryStatus::kDelivered, ""},
                      ReportCase{"message.finalized", "read", DeliveryStatus::kDelivered, ""},
                      ReportCase{"message.finalized", "delivery_unconfirmed", DeliveryStatus::kSent,
                                 ""},
                      ReportCase{"message.finalized", "delivery_failed",
                                 DeliveryStatus::kUndelivered, "40006"},
                      ReportCase{"message.finalized", "expired", DeliveryStatus::kUndelivered,
                                 "40005"},
                      ReportCase{"message.finalized", "sending_failed", DeliveryStatus::kFailed,
                                 "40008"}));

TEST(TelnyxParseEvent, OtherEventTypesAreReadAsNothing) {
  auto content = ParseEvent(R"({"data":{"event_type":"call.initiated","payload":{}}})");
  ASSERT_TRUE(content.ok());
  EXPECT_TRUE(content->messages.empty());
  EXPECT_TRUE(content->reports.empty());
}

TEST(TelnyxParseEvent, UnknownRecipientStatusIsRefusedWithoutEcho) {
  auto content = ParseEvent(DeliveryEvent("message.finalized", kId, "+15550101001", "teleported"));
  ASSERT_FALSE(content.ok());
  EXPECT_THAT(content.error().message, HasSubstr("data.payload.to[0].status"));
  EXPECT_THAT(content.error().message, Not(HasSubstr("teleported")));
}

TEST(TelnyxParseEvent, AKeyWrittenTwiceIsRefused) {
  std::string json = InboundEvent(kId, "+13125550001", "+17735550002", R"("JOIN")");
  json.insert(json.find(R"("text":)"), R"("text":"STOP",)");
  auto content = ParseEvent(json);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kInvalidArgument);
}

TEST(TelnyxParseEvent, MissingOrMalformedFieldsAreNamedNeverEchoed) {
  struct Case {
    std::string json;
    const char* field;
  };
  const Case cases[] = {
      {"[]", "JSON object"},
      {"{}", "data"},
      {R"({"data":{}})", "data.event_type"},
      {R"({"data":{"event_type":"message.received"}})", "data.payload"},
      {InboundEvent("", "+13125550001", "+17735550002", R"("x")"), "data.payload.id"},
      {InboundEvent(kId, "+1 312 555", "+17735550002", R"("x")"), "data.payload.from.phone_number"},
      {InboundEvent(kId, "+13125550001", "", R"("x")"), "data.payload.to[0].phone_number"},
      {InboundEvent(kId, "+13125550001", "+17735550002", "12"), "data.payload.text"},
  };
  for (const Case& c : cases) {
    auto content = ParseEvent(c.json);
    ASSERT_FALSE(content.ok()) << c.json;
    EXPECT_EQ(content.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(content.error().message, HasSubstr(c.field));
    EXPECT_THAT(content.error().message, Not(HasSubstr("+1 312")));
  }
}

}  // namespace
}  // namespace chorus::carriers::telnyx

#include "carriers/twilio/twilio_webhook.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace chorus::carriers::twilio {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSid[] = "SM0123456789abcdef0123456789abcdef";
constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";

// The shape of twilio.com/docs/messaging/guides/webhook-request.
FormParams InboundParams() {
  return {{"ToCountry", "US"},       {"SmsMessageSid", kSid},
          {"NumMedia", "0"},         {"SmsSid", kSid},
          {"SmsStatus", "received"}, {"Body", "JOIN nyc"},
          {"To", "+15550100002"},    {"NumSegments", "1"},
          {"MessageSid", kSid},      {"AccountSid", kAccountSid},
          {"From", "+15550100001"},  {"ApiVersion", "2010-04-01"}};
}

FormParams With(FormParams params, const std::string& name, const std::string& value) {
  bool replaced = false;
  for (auto& [key, old] : params) {
    if (key == name) {
      old = value;
      replaced = true;
    }
  }
  if (!replaced) params.emplace_back(name, value);
  return params;
}

FormParams Without(FormParams params, const std::string& name) {
  std::erase_if(params, [&](const auto& pair) { return pair.first == name; });
  return params;
}

std::string Repeat(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

TEST(TwilioWebhookInbound, ParsesTheDocumentedFields) {
  auto inbound = ParseInbound(InboundParams());
  ASSERT_TRUE(inbound.ok()) << inbound.error().message;
  EXPECT_EQ(inbound->message_sid, kSid);
  EXPECT_EQ(inbound->account_sid, kAccountSid);
  EXPECT_EQ(inbound->from, "+15550100001");
  EXPECT_EQ(inbound->to, "+15550100002");
  EXPECT_EQ(inbound->body, "JOIN nyc");
  EXPECT_EQ(inbound->num_media, 0);
}

TEST(TwilioWebhookInbound, FallsBackToSmsSid) {
  auto inbound = ParseInbound(Without(InboundParams(), "MessageSid"));
  ASSERT_TRUE(inbound.ok()) << inbound.error().message;
  EXPECT_EQ(inbound->message_sid, kSid);
}

TEST(TwilioWebhookInbound, AcceptsMmsSidAndMedia) {
  std::string mms_sid = "MM0123456789ABCDEF0123456789ABCDEF";
  auto inbound = ParseInbound(With(With(InboundParams(), "MessageSid", mms_sid), "NumMedia", "2"));
  ASSERT_TRUE(inbound.ok()) << inbound.error().message;
  EXPECT_EQ(inbound->message_sid, mms_sid);
  EXPECT_EQ(inbound->num_media, 2);
}

TEST(TwilioWebhookInbound, OptionalFieldsMayBeAbsent) {
  FormParams minimal{{"MessageSid", kSid}, {"From", "+15550100001"}, {"To", "12345"}};
  auto inbound = ParseInbound(minimal);
  ASSERT_TRUE(inbound.ok()) << inbound.error().message;
  EXPECT_EQ(inbound->body, "");
  EXPECT_EQ(inbound->account_sid, "");
  EXPECT_EQ(inbound->num_media, 0);
}

TEST(TwilioWebhookInbound, AcceptsChannelAddresses) {
  auto inbound = ParseInbound(With(InboundParams(), "From", "whatsapp:+15550100001"));
  ASSERT_TRUE(inbound.ok()) << inbound.error().message;
  EXPECT_EQ(inbound->from, "whatsapp:+15550100001");
}

TEST(TwilioWebhookInbound, BodyOf1600CodePointsIsAccepted) {
  for (const std::string unit : {"a", "\u20AC", "\U0001F600"}) {
    auto inbound = ParseInbound(With(InboundParams(), "Body", Repeat(unit, 1600)));
    EXPECT_TRUE(inbound.ok()) << unit;
  }
}

TEST(TwilioWebhookInbound, NulInTheBodyIsKeptAsAReplacementCharacter) {
  auto inbound = ParseInbound(With(InboundParams(), "Body", std::string("a\0b", 3)));
  ASSERT_TRUE(inbound.ok()) << inbound.error().message;
  EXPECT_EQ(inbound->body, "a\xEF\xBF\xBD" "b");
}

struct InvalidCase {
  const char* name;
  FormParams params;
  std::string field;   // named in the message
  std::string secret;  // never echoed
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class TwilioWebhookInboundInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(TwilioWebhookInboundInvalid, NamesTheFieldWithoutEchoingTheValue) {
  auto inbound = ParseInbound(GetParam().params);
  ASSERT_FALSE(inbound.ok());
  EXPECT_EQ(inbound.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(inbound.error().message, HasSubstr(GetParam().field));
  if (!GetParam().secret.empty()) {
    EXPECT_THAT(inbound.error().message, Not(HasSubstr(GetParam().secret)));
  }
}

std::string HexSid(const std::string& prefix) {
  return prefix + "0123456789abcdef0123456789abcdef";
}

INSTANTIATE_TEST_SUITE_P(
    Table, TwilioWebhookInboundInvalid,
    ::testing::Values(
        InvalidCase{"NoSid", Without(Without(InboundParams(), "MessageSid"), "SmsSid"),
                    "MessageSid", ""},
        InvalidCase{"PathTraversalSid", With(InboundParams(), "MessageSid", "../etc"), "MessageSid",
                    "../etc"},
        InvalidCase{"ShortSid", With(InboundParams(), "MessageSid", "SM0123"), "MessageSid",
                    "SM0123"},
        InvalidCase{"LongSid", With(InboundParams(), "MessageSid", HexSid("SM") + "0"),
                    "MessageSid", "0123456789abcdef"},
        InvalidCase{"LowerCasePrefix", With(InboundParams(), "MessageSid", HexSid("sm")),
                    "MessageSid", "0123456789abcdef"},
        InvalidCase{"AccountSidAsMessageSid", With(InboundParams(), "MessageSid", HexSid("AC")),
                    "MessageSid", "0123456789abcdef"},
        InvalidCase{"NonHexSid",
                    With(InboundParams(), "MessageSid", "SM0123456789abcdef0123456789abcdeg"),
                    "MessageSid", "0123456789abcdef"},
        InvalidCase{"BadAccountSid", With(InboundParams(), "AccountSid", "AC/../../x"),
                    "AccountSid", "AC/../../x"},
        InvalidCase{"NoFrom", Without(InboundParams(), "From"), "From", ""},
        InvalidCase{"EmptyTo", With(InboundParams(), "To", ""), "To", ""},
        InvalidCase{"FromWithNewline", With(InboundParams(), "From", "+15550100001\nX"), "From",
                    "15550100001"},
        InvalidCase{"FromWithSpace", With(InboundParams(), "From", "+1 555 010 0001"), "From",
                    "555 010"},
        InvalidCase{"FromTooLong", With(InboundParams(), "From", Repeat("1", 65)), "From", "1111"},
        InvalidCase{"BodyTooLong", With(InboundParams(), "Body", Repeat("x", 1601)), "Body",
                    "xxxx"},
        InvalidCase{"BodyTooManyEmoji", With(InboundParams(), "Body", Repeat("\U0001F600", 1601)),
                    "Body", "\U0001F600"},
        InvalidCase{"BodyNotUtf8", With(InboundParams(), "Body", "call +15550100001 \xFF"), "Body",
                    "15550100001"},
        InvalidCase{"BodySurrogate", With(InboundParams(), "Body", "secret\xED\xA0\x80"), "Body",
                    "secret"},
        InvalidCase{"NegativeNumMedia", With(InboundParams(), "NumMedia", "-1"), "NumMedia", "-1"},
        InvalidCase{"TextNumMedia", With(InboundParams(), "NumMedia", "two"), "NumMedia", "two"},
        InvalidCase{"FractionalNumMedia", With(InboundParams(), "NumMedia", "1.5"), "NumMedia",
                    "1.5"},
        InvalidCase{"HugeNumMedia", With(InboundParams(), "NumMedia", "99999999999"), "NumMedia",
                    "99999"}),
    [](const auto& info) { return std::string(info.param.name); });

FormParams StatusParams(const std::string& status) {
  return {{"SmsSid", kSid},         {"SmsStatus", status},       {"MessageStatus", status},
          {"To", "+15550100001"},   {"MessageSid", kSid},        {"AccountSid", kAccountSid},
          {"From", "+15550100002"}, {"ApiVersion", "2010-04-01"}};
}

struct StatusCase {
  std::string twilio;
  DeliveryStatus ours;
};

void PrintTo(const StatusCase& c, std::ostream* os) { *os << c.twilio; }

class TwilioWebhookStatusMapping : public ::testing::TestWithParam<StatusCase> {};

TEST_P(TwilioWebhookStatusMapping, MapsTwilioStatus) {
  auto callback = ParseStatus(StatusParams(GetParam().twilio));
  ASSERT_TRUE(callback.ok()) << callback.error().message;
  EXPECT_EQ(callback->message_sid, kSid);
  EXPECT_EQ(callback->raw_status, GetParam().twilio);
  EXPECT_EQ(callback->status, GetParam().ours);
  EXPECT_EQ(callback->error_code, "");
  EXPECT_EQ(MapMessageStatus(GetParam().twilio), GetParam().ours);
}

INSTANTIATE_TEST_SUITE_P(Table, TwilioWebhookStatusMapping,
                         ::testing::Values(StatusCase{"accepted", DeliveryStatus::kAccepted},
                                           StatusCase{"queued", DeliveryStatus::kAccepted},
                                           StatusCase{"scheduled", DeliveryStatus::kAccepted},
                                           StatusCase{"sending", DeliveryStatus::kAccepted},
                                           StatusCase{"sent", DeliveryStatus::kSent},
                                           StatusCase{"delivered", DeliveryStatus::kDelivered},
                                           StatusCase{"read", DeliveryStatus::kDelivered},
                                           StatusCase{"undelivered", DeliveryStatus::kUndelivered},
                                           StatusCase{"failed", DeliveryStatus::kFailed},
                                           StatusCase{"canceled", DeliveryStatus::kFailed}),
                         [](const auto& info) { return info.param.twilio; });

TEST(TwilioWebhookStatus, CarriesErrorCode) {
  auto callback = ParseStatus(With(StatusParams("undelivered"), "ErrorCode", "30003"));
  ASSERT_TRUE(callback.ok()) << callback.error().message;
  EXPECT_EQ(callback->status, DeliveryStatus::kUndelivered);
  EXPECT_EQ(callback->error_code, "30003");
}

TEST(TwilioWebhookStatus, UnknownStatusesAreRejectedWithoutEcho) {
  for (const std::string status : {"partially_delivered", "received", "receiving", "DELIVERED",
                                   "delivered ", "secret-status"}) {
    auto callback = ParseStatus(StatusParams(status));
    ASSERT_FALSE(callback.ok()) << status;
    EXPECT_EQ(callback.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(callback.error().message, HasSubstr("MessageStatus"));
    EXPECT_THAT(callback.error().message, Not(HasSubstr(status)));
    EXPECT_EQ(MapMessageStatus(status), std::nullopt);
  }
}

TEST(TwilioWebhookStatus, MissingFieldsAreNamed) {
  auto no_status = ParseStatus(Without(StatusParams("sent"), "MessageStatus"));
  ASSERT_FALSE(no_status.ok());
  EXPECT_THAT(no_status.error().message, HasSubstr("MessageStatus"));

  auto no_sid = ParseStatus(Without(Without(StatusParams("sent"), "MessageSid"), "SmsSid"));
  ASSERT_FALSE(no_sid.ok());
  EXPECT_THAT(no_sid.error().message, HasSubstr("MessageSid"));

  auto bad_sid = ParseStatus(With(StatusParams("sent"), "MessageSid", "../etc"));
  ASSERT_FALSE(bad_sid.ok());
  EXPECT_THAT(bad_sid.error().message, HasSubstr("MessageSid"));
  EXPECT_THAT(bad_sid.error().message, Not(HasSubstr("../etc")));
}

TEST(TwilioWebhookStatus, NonNumericErrorCodeIsRejected) {
  auto callback = ParseStatus(With(StatusParams("failed"), "ErrorCode", "30003<script>"));
  ASSERT_FALSE(callback.ok());
  EXPECT_THAT(callback.error().message, HasSubstr("ErrorCode"));
  EXPECT_THAT(callback.error().message, Not(HasSubstr("script")));
}

TEST(TwilioWebhookSid, RecognisesMessageSids) {
  EXPECT_TRUE(IsMessageSid(kSid));
  EXPECT_TRUE(IsMessageSid("MM0123456789ABCDEF0123456789ABCDEF"));
  EXPECT_FALSE(IsMessageSid(""));
  EXPECT_FALSE(IsMessageSid("../etc"));
  EXPECT_FALSE(IsMessageSid(kAccountSid));
  EXPECT_FALSE(IsMessageSid("SM0123456789abcdef0123456789abcde"));
}

TEST(TwilioWebhookTwiml, EmptyResponse) {
  EXPECT_EQ(EmptyTwiml(), R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
}

}  // namespace
}  // namespace chorus::carriers::twilio

// The lookup before a resend: the Messages list filtered by To and From (docs/CARRIERS.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "carriers/twilio/twilio_carrier.hpp"

namespace chorus::carriers::twilio {
namespace {

using ::testing::HasSubstr;
using transport::HttpResponseSpec;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kOurs[] = "SM11111111111111111111111111111111";

Channel NycChannel() {
  Channel channel;
  channel.sender = "+15550100000";
  channel.settings["account_sid"] = kAccount;
  channel.settings["api_base"] = "https://api.twilio.test";
  channel.secrets["auth_token"] = "token";
  return channel;
}

SendRequest Message() {
  SendRequest message;
  message.to = "+15550101001";
  message.body = "Welcome! Reply STOP to opt out.";
  return message;
}

// 2026-12-02 12:00:00 UTC
const auto kSince = std::chrono::system_clock::from_time_t(1796212800);

std::string Item(const std::string& sid, const std::string& body, const std::string& created,
                 const std::string& status = "delivered", const std::string& to = "+15550101001",
                 const std::string& direction = "outbound-api") {
  return R"({"sid":")" + sid + R"(","body":")" + body + R"(","date_created":")" + created +
         R"(","status":")" + status + R"(","to":")" + to + R"(","from":"+15550100000","direction":")" +
         direction + R"("})";
}

HttpResponseSpec List(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : ",") + item;
  return {200, false, R"({"messages":[)" + joined + R"(],"page":0,"page_size":50})", {}};
}

TEST(TwilioLookup, AsksForTheRecipientsLatestMessagesFromTheSender) {
  auto request = TwilioCarrier().BuildLookup(NycChannel(), Message(), kSince);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->url, std::string("https://api.twilio.test/2010-04-01/Accounts/") + kAccount +
                              "/Messages.json?To=%2B15550101001&From=%2B15550100000&PageSize=50");
  EXPECT_TRUE(request->body.empty());
  EXPECT_THAT(request->headers, ::testing::Contains(::testing::Pair("Authorization", HasSubstr("Basic "))));
}

TEST(TwilioLookup, FindsOursByBodyAmongThoseCreatedSinceItWasQueued) {
  const std::string body = Message().body;
  auto outcome = TwilioCarrier().ParseLookup(
      Message(), kSince,
      List({Item("SM22222222222222222222222222222222", "another text", "Wed, 02 Dec 2026 12:00:09 +0000"),
            Item(kOurs, body, "Wed, 02 Dec 2026 12:00:03 +0000", "sent"),
            Item("SM33333333333333333333333333333333", body, "Wed, 02 Dec 2026 11:50:00 +0000")}));
  EXPECT_EQ(outcome.found, LookupOutcome::Found::kYes);
  EXPECT_EQ(outcome.carrier_message_id, kOurs);
  EXPECT_EQ(outcome.status, DeliveryStatus::kSent);
}

TEST(TwilioLookup, AnOlderIdenticalTextOrAnInboundOneIsNotOurs) {
  const std::string body = Message().body;
  auto outcome = TwilioCarrier().ParseLookup(
      Message(), kSince,
      List({Item(kOurs, body, "Wed, 02 Dec 2026 11:59:59 +0000"),
            Item("SM22222222222222222222222222222222", body, "Wed, 02 Dec 2026 12:00:05 +0000",
                 "received", "+15550101001", "inbound"),
            Item("SM33333333333333333333333333333333", body, "Wed, 02 Dec 2026 12:00:05 +0000",
                 "sent", "+15550109999")}));
  EXPECT_EQ(outcome.found, LookupOutcome::Found::kNo);
}

TEST(TwilioLookup, AnEmptyListMeansTwilioNeverTookIt) {
  EXPECT_EQ(TwilioCarrier().ParseLookup(Message(), kSince, List({})).found,
            LookupOutcome::Found::kNo);
}

TEST(TwilioLookup, AnyOtherAnswerLeavesItUnknown) {
  for (const HttpResponseSpec& response :
       {HttpResponseSpec{503, false, "", {}}, HttpResponseSpec{0, true, "", {}},
        HttpResponseSpec{200, false, "not json", {}}, HttpResponseSpec{200, false, R"({"x":1})", {}},
        HttpResponseSpec{401, false, R"({"code":20003})", {}}}) {
    EXPECT_EQ(TwilioCarrier().ParseLookup(Message(), kSince, response).found,
              LookupOutcome::Found::kUnknown)
        << response.status << " " << response.body;
  }
}

TEST(TwilioLookup, DatesThatCannotBeReadAreNeverOurs) {
  auto outcome = TwilioCarrier().ParseLookup(
      Message(), kSince, List({Item(kOurs, Message().body, "2026-12-02T12:00:03Z")}));
  EXPECT_EQ(outcome.found, LookupOutcome::Found::kNo);
}

}  // namespace
}  // namespace chorus::carriers::twilio

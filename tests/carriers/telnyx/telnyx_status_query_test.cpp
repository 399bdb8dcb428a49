// The status query of reconciliation: GET /v2/messages/{id} (docs/CARRIERS.md, Telnyx).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "carriers/telnyx/telnyx_carrier.hpp"

namespace chorus::carriers::telnyx {
namespace {

using ::testing::Contains;
using ::testing::Pair;
using transport::HttpResponseSpec;
using Found = StatusQueryOutcome::Found;

constexpr char kId[] = "40385f64-5717-4562-b3fc-2c963f66afa6";

Channel NycChannel() {
  Channel channel;
  channel.carrier = "telnyx";
  channel.sender = "+15550100010";
  channel.settings["api_base"] = "https://api.telnyx.test";
  channel.secrets["api_key"] = "KEY0123SECRET";
  return channel;
}

// A message as Telnyx answers GET /v2/messages/{id}: `status` of the first recipient and
// `errors` (JSON text).
HttpResponseSpec Message(const std::string& status, const std::string& errors = "[]") {
  return {200,
          false,
          std::string(R"({"data":{"record_type":"message","direction":"outbound","id":")") + kId +
              R"(","type":"SMS","from":{"phone_number":"+15550100010"},"to":[{"phone_number":)"
              R"("+15550101001","status":")" +
              status +
              R"(","carrier":"T-Mobile USA","line_type":"Wireless"}],"text":"Hi","errors":)" +
              errors + R"(,"cost":{"amount":"0.0040","currency":"USD"}}})",
          {}};
}

TEST(TelnyxStatusQuery, AsksForTheMessageWithTheApiKey) {
  const TelnyxCarrier telnyx;
  EXPECT_TRUE(telnyx.HasStatusQuery());
  auto request = telnyx.BuildStatusQuery(NycChannel(), kId);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->url, std::string("https://api.telnyx.test/v2/messages/") + kId);
  EXPECT_TRUE(request->body.empty());
  EXPECT_THAT(request->headers, Contains(Pair("Authorization", "Bearer KEY0123SECRET")));
}

TEST(TelnyxStatusQuery, TheDefaultApiBaseIsTelnyxs) {
  Channel channel = NycChannel();
  channel.settings.erase("api_base");
  auto request = TelnyxCarrier().BuildStatusQuery(channel, kId);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->url, std::string("https://api.telnyx.com/v2/messages/") + kId);
}

TEST(TelnyxStatusQuery, AnIdThatCannotBeTelnyxsIsNotAskedFor) {
  for (const std::string& id : {std::string(), std::string("../messaging_profiles"),
                                std::string("a b"), std::string("id?x=1"), std::string(129, 'a')}) {
    EXPECT_FALSE(TelnyxCarrier().BuildStatusQuery(NycChannel(), id).has_value()) << id;
  }
}

struct StatusCase {
  const char* telnyx;
  DeliveryStatus ours;
};

TEST(TelnyxStatusQuery, StatusesMapAsTheDeliveryWebhooksDo) {
  for (const StatusCase& c :
       {StatusCase{"queued", DeliveryStatus::kAccepted},
        StatusCase{"sending", DeliveryStatus::kAccepted}, StatusCase{"sent", DeliveryStatus::kSent},
        StatusCase{"delivery_unconfirmed", DeliveryStatus::kSent},
        StatusCase{"delivered", DeliveryStatus::kDelivered},
        StatusCase{"delivery_failed", DeliveryStatus::kUndelivered},
        StatusCase{"expired", DeliveryStatus::kUndelivered},
        StatusCase{"sending_failed", DeliveryStatus::kFailed}}) {
    const StatusQueryOutcome outcome = TelnyxCarrier().ParseStatusQuery(Message(c.telnyx));
    EXPECT_EQ(outcome.found, Found::kYes) << c.telnyx;
    EXPECT_EQ(outcome.status, c.ours) << c.telnyx;
    EXPECT_EQ(outcome.raw_status, c.telnyx);
    EXPECT_EQ(outcome.error_code, "");
  }
}

TEST(TelnyxStatusQuery, AFailureCarriesTheFirstErrorsCode) {
  StatusQueryOutcome outcome = TelnyxCarrier().ParseStatusQuery(Message(
      "delivery_failed",
      R"([{"code":"40006","title":"Recipient unavailable","detail":"+15550101001 unreachable"}])"));
  EXPECT_EQ(outcome.found, Found::kYes);
  EXPECT_EQ(outcome.status, DeliveryStatus::kUndelivered);
  EXPECT_EQ(outcome.error_code, "40006");
  outcome = TelnyxCarrier().ParseStatusQuery(Message("sending_failed", R"([{"code":40008}])"));
  EXPECT_EQ(outcome.error_code, "40008");
  // A code that is not digits is left out; the status still counts.
  outcome = TelnyxCarrier().ParseStatusQuery(Message("sending_failed", R"([{"code":"+1555"}])"));
  EXPECT_EQ(outcome.found, Found::kYes);
  EXPECT_EQ(outcome.error_code, "");
}

TEST(TelnyxStatusQuery, NotFoundMeansTelnyxDoesNotKnowTheId) {
  EXPECT_EQ(
      TelnyxCarrier().ParseStatusQuery({404, false, R"({"errors":[{"code":"10005"}]})", {}}).found,
      Found::kNo);
}

TEST(TelnyxStatusQuery, AnyOtherAnswerIsAFailedQueryNeverACrash) {
  const std::vector<HttpResponseSpec> answers = {
      {0, true, "", {}},
      {0, false, "", {}},
      {401, false, R"({"errors":[{"code":"10009"}]})", {}},
      {429, false, R"({"errors":[{"code":"10011"}]})", {}},
      {500, false, "", {}},
      {200, false, "", {}},
      {200, false, "not json", {}},
      {200, false, "[]", {}},
      {200, false, R"({"data":null})", {}},
      {200, false, R"({"data":[]})", {}},
      {200, false, R"({"data":{"id":"x"}})", {}},
      {200, false, R"({"data":{"to":[]}})", {}},
      {200, false, R"({"data":{"to":"delivered"}})", {}},
      {200, false, R"({"data":{"to":["delivered"]}})", {}},
      {200, false, R"({"data":{"to":[{"status":7}]}})", {}},
      {200, false, R"({"data":{"to":[{"status":"webhook_delivered"}]}})", {}},
      {200, false, R"({"data":{"to":[{"status":"delivered"}]},"data":{}})", {}},
      {200, false, R"({"data":{"to":[{"status":"delivered"}]})", {}},
      {200, false, std::string(70 * 1024, ' ') + R"({"data":{"to":[{"status":"sent"}]}})", {}},
  };
  for (const HttpResponseSpec& answer : answers) {
    EXPECT_EQ(TelnyxCarrier().ParseStatusQuery(answer).found, Found::kUnknown)
        << answer.status << " " << answer.body.substr(0, 60);
  }
}

}  // namespace
}  // namespace chorus::carriers::telnyx

#include "carriers/telnyx/telnyx_carrier.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>

#include "carriers/telnyx/telnyx_payloads.hpp"
#include "carriers/telnyx/telnyx_test_signer.hpp"

namespace chorus::carriers::telnyx {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using transport::HttpRequestSpec;
using transport::HttpResponseSpec;
using namespace std::chrono_literals;

constexpr char kApiKey[] = "KEY0123SECRET";
constexpr std::int64_t kNow = 1'800'000'000;

class TelnyxCarrierTest : public ::testing::Test {
 protected:
  Channel NycChannel() const {
    Channel channel;
    channel.carrier = "telnyx";
    channel.slug = "nyc";
    channel.sender = "+15550100010";
    channel.settings["public_key"] = signer_.public_key_base64();
    channel.secrets["api_key"] = kApiKey;
    return channel;
  }

  // A webhook signed at `signed_at`, received at kNow.
  struct Signed {
    std::string body, timestamp, signature;
    WebhookRequest view() const {
      WebhookRequest request;
      request.method = "POST";
      request.url = "https://sms.example.org/webhooks/telnyx/nyc/inbound";
      request.body = body;
      request.headers = {{"Content-Type", "application/json"},
                         {"Telnyx-Signature-Ed25519", signature},
                         {"Telnyx-Timestamp", timestamp}};
      request.received_at = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
      return request;
    }
  };
  Signed Sign(std::string body, std::int64_t signed_at = kNow) const {
    std::string timestamp = std::to_string(signed_at);
    std::string signature = signer_.Sign(timestamp, body);
    return {std::move(body), std::move(timestamp), std::move(signature)};
  }

  testing::telnyx::TestSigner signer_;
  TelnyxCarrier telnyx_;
};

std::string Inbound() {
  return testing::telnyx::InboundEvent("84cca175-9755-4859-b67f-4730d7f58aa3", "+13125550001",
                                       "+15550100010", R"("JOIN")");
}

TEST_F(TelnyxCarrierTest, ReadsASignedInboundMessage) {
  auto content = telnyx_.ReadWebhook(NycChannel(), "inbound", Sign(Inbound()).view());
  ASSERT_TRUE(content.ok()) << content.error().message;
  ASSERT_EQ(content->messages.size(), 1u);
  EXPECT_EQ(content->messages[0].body, "JOIN");
}

TEST_F(TelnyxCarrierTest, AnyMessageEventIsReadOnEitherKind) {
  auto report = telnyx_.ReadWebhook(
      NycChannel(), "inbound",
      Sign(testing::telnyx::DeliveryEvent("message.finalized", "id-1", "+1555", "delivered")).view());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->reports.size(), 1u);
  auto inbound = telnyx_.ReadWebhook(NycChannel(), "status", Sign(Inbound()).view());
  ASSERT_TRUE(inbound.ok());
  EXPECT_EQ(inbound->messages.size(), 1u);
}

TEST_F(TelnyxCarrierTest, TimestampsWithinFiveMinutesPassOthersAreRefused) {
  EXPECT_TRUE(telnyx_.ReadWebhook(NycChannel(), "inbound", Sign(Inbound(), kNow - 300).view()).ok());
  EXPECT_TRUE(telnyx_.ReadWebhook(NycChannel(), "inbound", Sign(Inbound(), kNow + 300).view()).ok());
  for (std::int64_t at : {kNow - 301, kNow + 301, std::int64_t{0}}) {
    auto content = telnyx_.ReadWebhook(NycChannel(), "inbound", Sign(Inbound(), at).view());
    ASSERT_FALSE(content.ok()) << at;
    EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
  }
}

TEST_F(TelnyxCarrierTest, MissingOrMalformedHeadersAreRefusedBeforeTheBodyIsRead) {
  Signed good = Sign("not json at all");
  for (auto mutate : std::vector<std::function<void(WebhookRequest&)>>{
           [](WebhookRequest& r) { r.headers.erase(r.headers.begin() + 1); },
           [](WebhookRequest& r) { r.headers.erase(r.headers.begin() + 2); },
           [](WebhookRequest& r) { r.headers[1].second = "short"; },
           [](WebhookRequest& r) { r.headers[2].second = "soon"; },
           [](WebhookRequest& r) { r.headers.push_back(r.headers[1]); }}) {
    WebhookRequest request = good.view();
    mutate(request);
    auto content = telnyx_.ReadWebhook(NycChannel(), "inbound", request);
    ASSERT_FALSE(content.ok());
    EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
  }
}

TEST_F(TelnyxCarrierTest, SignatureByAnotherKeyOrOverAnotherBodyIsRefused) {
  testing::telnyx::TestSigner other;
  Signed signed_by_other{Inbound(), std::to_string(kNow), other.Sign(std::to_string(kNow), Inbound())};
  EXPECT_EQ(telnyx_.ReadWebhook(NycChannel(), "inbound", signed_by_other.view()).error().code,
            ErrorCode::kPermissionDenied);
  Signed tampered = Sign(Inbound());
  tampered.body.replace(tampered.body.find("JOIN"), 4, "STOP");
  EXPECT_EQ(telnyx_.ReadWebhook(NycChannel(), "inbound", tampered.view()).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_F(TelnyxCarrierTest, TheDecoyAcceptsNothing) {
  Channel decoy = telnyx_.DecoyChannel();
  EXPECT_EQ(decoy.carrier, "telnyx");
  EXPECT_NE(decoy.settings.at("public_key"), telnyx_.DecoyChannel().settings.at("public_key"));
  EXPECT_EQ(telnyx_.ReadWebhook(decoy, "inbound", Sign(Inbound()).view()).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_F(TelnyxCarrierTest, SendIsTheDocumentedRequest) {
  Channel channel = NycChannel();
  channel.settings["messaging_profile_id"] = "740572b6-099c-44a1-89b9-6c92163bc68d";
  SendRequest message;
  message.to = "+15550101001";
  message.body = "Rally at 6pm \"City Hall\" ¡ya!";
  message.status_callback_url = "https://sms.example.org/webhooks/telnyx/nyc/status";
  HttpRequestSpec request = telnyx_.BuildSend(channel, message);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://api.telnyx.com/v2/messages");
  EXPECT_THAT(request.headers, ::testing::Contains(::testing::Pair("Authorization",
                                                                   std::string("Bearer ") + kApiKey)));
  EXPECT_THAT(request.headers,
              ::testing::Contains(::testing::Pair("Content-Type", "application/json")));
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(request.body, &body).ok()) << request.body;
  const auto& f = body.fields();
  EXPECT_EQ(f.at("from").string_value(), "+15550100010");
  EXPECT_EQ(f.at("to").string_value(), "+15550101001");
  EXPECT_EQ(f.at("text").string_value(), message.body);
  EXPECT_EQ(f.at("webhook_url").string_value(), message.status_callback_url);
  EXPECT_EQ(f.at("messaging_profile_id").string_value(), "740572b6-099c-44a1-89b9-6c92163bc68d");
  EXPECT_FALSE(f.at("use_profile_webhooks").bool_value());
}

struct SendCase {
  const char* name;
  HttpResponseSpec response;
  SendResult result;
  const char* code;
};

void PrintTo(const SendCase& c, std::ostream* os) { *os << c.name; }

HttpResponseSpec Answer(int status, std::string body, std::optional<std::chrono::seconds> after = {}) {
  return HttpResponseSpec{status, false, std::move(body), after};
}

std::string Errors(const char* code) {
  return std::string(R"({"errors":[{"code":")") + code +
         R"(","title":"t","detail":"Messages cannot be sent from '+15550100010' to '+15550101001'."}]})";
}

class TelnyxParseSend : public ::testing::TestWithParam<SendCase> {};

TEST_P(TelnyxParseSend, ClassifiesTheAnswer) {
  const SendCase& c = GetParam();
  SendOutcome outcome = TelnyxCarrier().ParseSend(c.response);
  EXPECT_EQ(outcome.result, c.result);
  EXPECT_EQ(outcome.error_code, c.code);
  EXPECT_THAT(outcome.error_message, Not(HasSubstr("+1555")));
}

INSTANTIATE_TEST_SUITE_P(
    Answers, TelnyxParseSend,
    ::testing::Values(
        SendCase{"Accepted",
                 Answer(200, R"({"data":{"id":"40385f64-5717-4562-b3fc-2c963f66afa6","to":[{"phone_number":"+15550101001","status":"queued"}]}})"),
                 SendResult::kAccepted, ""},
        SendCase{"AcceptedWithoutId", Answer(200, R"({"data":{}})"),
                 SendResult::kPermanentFailure, "bad_response"},
        SendCase{"OptedOut", Answer(409, Errors("40300")), SendResult::kRecipientOptedOut, "40300"},
        SendCase{"InvalidTo", Answer(400, Errors("40310")), SendResult::kPermanentFailure, "40310"},
        SendCase{"NotE164", Answer(422, Errors("10016")), SendResult::kPermanentFailure, "10016"},
        SendCase{"Auth", Answer(401, Errors("10009")), SendResult::kPermanentFailure, "10009"},
        SendCase{"TooMany", Answer(429, Errors("10011"), 7s), SendResult::kRetry, "10011"},
        SendCase{"ServerError", Answer(503, "<html>"), SendResult::kRetry, "http_503"},
        SendCase{"NumericCode", Answer(409, R"({"errors":[{"code":40300}]})"),
                 SendResult::kRecipientOptedOut, "40300"},
        SendCase{"NoAnswer", Answer(0, ""), SendResult::kRetry, "network"},
        SendCase{"Timeout", HttpResponseSpec{0, true, "", {}}, SendResult::kRetry, "timeout"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TelnyxParseSendExtra, RetryAfterIsKept) {
  SendOutcome outcome = TelnyxCarrier().ParseSend(Answer(429, Errors("10011"), 7s));
  EXPECT_EQ(outcome.retry_after, 7s);
}

TEST_F(TelnyxCarrierTest, ValidateChannelNamesTheSettingNeverTheKey) {
  Channel good = NycChannel();
  ASSERT_TRUE(telnyx_.ValidateChannel(good).ok());
  EXPECT_EQ(good.settings.at("api_base"), "https://api.telnyx.com");
  struct Case {
    const char* setting;
    const char* value;
    const char* problem;
  };
  for (const Case& c : {Case{"public_key", "", "public_key: required"},
                        Case{"public_key", "AAAA", "public_key: must be"},
                        Case{"messaging_profile_id", "a b", "messaging_profile_id: must be"},
                        Case{"api_base", "telnyx.com", "api_base: must start with"}}) {
    Channel channel = NycChannel();
    channel.settings[c.setting] = c.value;
    auto valid = telnyx_.ValidateChannel(channel);
    ASSERT_FALSE(valid.ok()) << c.setting;
    EXPECT_THAT(valid.error().message, HasSubstr(c.problem));
  }
  Channel no_key = NycChannel();
  no_key.secrets["api_key"] = "";
  EXPECT_EQ(telnyx_.ValidateChannel(no_key).error().message, "api_key: required");
}

}  // namespace
}  // namespace chorus::carriers::telnyx

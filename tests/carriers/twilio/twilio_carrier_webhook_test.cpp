// The inbound half of the Twilio adapter: ReadWebhook (authenticate, then parse), Answer,
// ValidateChannel and the decoy. Requests are signed with the independent test signer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "carriers/twilio/twilio_carrier.hpp"
#include "carriers/twilio/twilio_test_signer.hpp"

namespace chorus::carriers::twilio {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace signer = testing::twilio;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kToken[] = "channel-token-7f3a";
constexpr char kUrl[] = "https://sms.example.org/webhooks/twilio/nyc/inbound";
constexpr char kSid[] = "SM0123456789abcdef0123456789abcdef";

Channel NycChannel() {
  Channel channel;
  channel.carrier = "twilio";
  channel.slug = "nyc";
  channel.sender = "+15550100000";
  channel.settings["account_sid"] = kAccount;
  channel.secrets["auth_token"] = kToken;
  return channel;
}

signer::Params InboundParams(std::string account = kAccount) {
  return {{"MessageSid", kSid}, {"AccountSid", std::move(account)}, {"From", "+15550101001"},
          {"To", "+15550100000"}, {"Body", "JOIN"},                 {"NumMedia", "0"}};
}

// The request as Twilio sends it; `signature` overrides the computed one.
struct Signed {
  std::string body;
  std::string signature;
  WebhookRequest view() const {
    WebhookRequest request;
    request.method = "POST";
    request.url = kUrl;
    request.body = body;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"X-Twilio-Signature", signature}};
    return request;
  }
};

Signed Sign(const signer::Params& params, std::string token = kToken) {
  return {signer::Encode(params), signer::Sign(token, kUrl, params)};
}

TEST(TwilioReadWebhook, ReadsAGenuineInboundMessage) {
  Signed request = Sign(InboundParams());
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
  ASSERT_TRUE(content.ok()) << content.error().message;
  ASSERT_EQ(content->messages.size(), 1u);
  EXPECT_EQ(content->messages[0].carrier_message_id, kSid);
  EXPECT_EQ(content->messages[0].from, "+15550101001");
  EXPECT_EQ(content->messages[0].body, "JOIN");
  EXPECT_TRUE(content->reports.empty());
}

TEST(TwilioReadWebhook, ReadsAStatusCallback) {
  signer::Params params = {{"MessageSid", kSid},
                           {"AccountSid", kAccount},
                           {"MessageStatus", "undelivered"},
                           {"ErrorCode", "30003"}};
  Signed request = Sign(params);
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "status", request.view());
  ASSERT_TRUE(content.ok()) << content.error().message;
  ASSERT_EQ(content->reports.size(), 1u);
  EXPECT_EQ(content->reports[0].status, DeliveryStatus::kUndelivered);
  EXPECT_EQ(content->reports[0].raw_status, "undelivered");
  EXPECT_EQ(content->reports[0].error_code, "30003");
}

// Refused before the body is decoded: a body that cannot even be decoded is not reported as
// malformed, because nothing about it is looked at.
TEST(TwilioReadWebhook, MissingOrMalformedSignatureHeaderIsRefusedBeforeTheBodyIsRead) {
  for (const std::string& signature : {std::string(), std::string("abc"),
                                      std::string(27, 'A') + "=" + "x",
                                      std::string(27, '!') + "="}) {
    Signed request{"Body=%ZZ", signature};
    auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
    ASSERT_FALSE(content.ok());
    EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied) << signature;
  }
}

TEST(TwilioReadWebhook, TwoSignatureHeadersAreRefused) {
  Signed request = Sign(InboundParams());
  WebhookRequest view = request.view();
  view.headers.emplace_back("X-Twilio-Signature", request.signature);
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", view);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
}

TEST(TwilioReadWebhook, WrongTokenIsRefused) {
  Signed request = Sign(InboundParams(), "another-token");
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
}

TEST(TwilioReadWebhook, AnotherAccountsSidIsRefusedEvenWhenSigned) {
  Signed request = Sign(InboundParams("AC99999999999999999999999999999999"));
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
}

TEST(TwilioReadWebhook, MissingAccountSidIsRefused) {
  signer::Params params = InboundParams();
  params.erase(params.begin() + 1);
  Signed request = Sign(params);
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
}

TEST(TwilioReadWebhook, ARepeatedFieldThatIsReadIsMalformedNamingIt) {
  for (const char* field : {"From", "Body", "MessageSid", "AccountSid", "To"}) {
    signer::Params params = InboundParams();
    params.emplace_back(field, "+15550109999");
    Signed request = Sign(params);
    auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
    ASSERT_FALSE(content.ok()) << field;
    EXPECT_EQ(content.error().code, ErrorCode::kInvalidArgument) << field;
    EXPECT_THAT(content.error().message, HasSubstr(field));
    EXPECT_THAT(content.error().message, Not(HasSubstr("+15550109999")));
  }
}

TEST(TwilioReadWebhook, ARepeatedFieldNobodyReadsIsFine) {
  signer::Params params = InboundParams();
  params.emplace_back("MediaUrl0", "a");
  params.emplace_back("MediaUrl0", "b");
  Signed request = Sign(params);
  EXPECT_TRUE(TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view()).ok());
}

TEST(TwilioReadWebhook, AFormOfTooManyFieldsIsRefusedBeforeItIsDecoded) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "a" + std::to_string(i) + "=%ZZ&";
  Signed request{body, signer::Sign(kToken, kUrl, {})};
  auto content = TwilioCarrier().ReadWebhook(NycChannel(), "inbound", request.view());
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(content.error().message, HasSubstr("more than 200 fields"));
}

TEST(TwilioReadWebhook, TheDecoyAcceptsNothing) {
  const TwilioCarrier twilio;
  Channel decoy = twilio.DecoyChannel();
  EXPECT_EQ(decoy.carrier, "twilio");
  EXPECT_NE(decoy.secrets.at("auth_token"), twilio.DecoyChannel().secrets.at("auth_token"))
      << "decoy credentials are drawn at random";
  Signed request = Sign(InboundParams());
  auto content = twilio.ReadWebhook(decoy, "inbound", request.view());
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kPermissionDenied);
}

TEST(TwilioAnswer, InboundGetsEmptyTwimlStatusGetsNothing) {
  WebhookAnswer inbound = TwilioCarrier().Answer("inbound", {}, {});
  EXPECT_EQ(inbound.status, 200u);
  EXPECT_EQ(inbound.content_type, "text/xml");
  EXPECT_EQ(inbound.body, R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
  EXPECT_EQ(TwilioCarrier().Answer("status", {}, {}).body, "");
}

TEST(TwilioValidateChannel, FillsTheDefaultApiBase) {
  Channel channel = NycChannel();
  ASSERT_TRUE(TwilioCarrier().ValidateChannel(channel).ok());
  EXPECT_EQ(channel.settings.at("api_base"), "https://api.twilio.com");
}

TEST(TwilioValidateChannel, NamesTheSettingAndNeverQuotesTheToken) {
  struct Case {
    const char* setting;
    const char* value;
    const char* problem;
  };
  for (const Case& c : {Case{"account_sid", "AC123", "account_sid: must be"},
                        Case{"account_sid", "", "account_sid: required"},
                        Case{"api_base", "ftp://x", "api_base: must start with http"},
                        Case{"api_base", "https://u:p@h", "api_base: must not contain"}}) {
    Channel channel = NycChannel();
    channel.settings[c.setting] = c.value;
    auto valid = TwilioCarrier().ValidateChannel(channel);
    ASSERT_FALSE(valid.ok()) << c.setting << "=" << c.value;
    EXPECT_THAT(valid.error().message, HasSubstr(c.problem));
    EXPECT_THAT(valid.error().message, Not(HasSubstr(kToken)));
  }
  Channel no_token = NycChannel();
  no_token.secrets["auth_token"] = "  ";
  EXPECT_EQ(TwilioCarrier().ValidateChannel(no_token).error().message, "auth_token: required");
}

TEST(TwilioBuildTestInbound, IsAWebhookTheAdapterAccepts) {
  const TwilioCarrier twilio;
  auto request = twilio.BuildTestInbound(NycChannel(), kUrl, "+15550101001", "HELP");
  ASSERT_TRUE(request.has_value());
  WebhookRequest view;
  view.method = "POST";
  view.url = request->url;
  view.body = request->body;
  for (const auto& [name, value] : request->headers) view.headers.emplace_back(name, value);
  auto content = twilio.ReadWebhook(NycChannel(), "inbound", view);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(content->messages.at(0).body, "HELP");
}

}  // namespace
}  // namespace chorus::carriers::twilio

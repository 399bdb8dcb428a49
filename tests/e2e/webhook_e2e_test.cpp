// The webhook contract (README, Guarantees: Inbound; the product brief's scenario 8): carrier retries,
// signatures, malformed and oversized requests, and the service endpoints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Checks the error body every refusal carries: {"code", "message", "request_id"}.
void ExpectJsonError(const transport::HttpResponseSpec& response, unsigned status,
                     const std::string& code) {
  EXPECT_EQ(response.status, static_cast<int>(status)) << response.body;
  auto fields = JsonFields(response.body);
  ASSERT_TRUE(fields.has_value()) << "not a JSON object: " << response.body;
  EXPECT_EQ((*fields)["code"], code) << response.body;
  EXPECT_FALSE((*fields)["message"].empty()) << response.body;
  EXPECT_FALSE((*fields)["request_id"].empty()) << response.body;
}

TEST_F(ChorusE2eTest, CarrierRetriesOfOneWebhookAreStoredAndAnsweredOnce) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(5);
  const std::string sid = NewMessageSid();

  for (int attempt = 1; attempt <= 3; ++attempt) {
    transport::HttpResponseSpec response = PostInbound(server(), sid, member, "JOIN");
    EXPECT_EQ(response.status, 200) << "attempt " << attempt << ": " << response.body;
    EXPECT_THAT(response.body, HasSubstr("<Response/>")) << "attempt " << attempt;
  }
  // The same retried three times at once (Twilio retries can overlap a slow answer).
  const std::string other = Member(6);
  const std::string overlapping = NewMessageSid();
  std::vector<std::future<transport::HttpResponseSpec>> pending;
  for (int i = 0; i < 3; ++i) {
    pending.push_back(http_.SendAsync(InboundRequest(server(), overlapping, other, "JOIN")));
  }
  for (auto& future : pending) EXPECT_EQ(future.get().status, 200);

  ASSERT_TRUE(WaitProcessed({sid, overlapping}));
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(member) && OutboxSettledFor(other); }));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE carrier_message_id = $1", sid), 1);
  EXPECT_EQ(
      Count("SELECT count(*) FROM inbound_messages WHERE carrier_message_id = $1", overlapping),
      1);
  EXPECT_EQ(OutboundCountTo(member), 1);
  EXPECT_EQ(OutboundCountTo(other), 1);
  EXPECT_EQ(AcceptedTo(member).size(), 1u);
  EXPECT_EQ(AcceptedTo(other).size(), 1u);
}

TEST_F(ChorusE2eTest, BadOrMissingSignatureIsRefusedAndNothingIsStored) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(7);

  transport::HttpRequestSpec forged = InboundRequest(server(), NewMessageSid(), member, "JOIN");
  for (auto& [name, value] : forged.headers) {
    if (name == "X-Twilio-Signature") value = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  }
  ExpectJsonError(http_.Send(forged), 403, "signature_invalid");

  // Signed correctly, then tampered with: the body no longer matches the signature.
  transport::HttpRequestSpec tampered = InboundRequest(server(), NewMessageSid(), member, "JOIN");
  tampered.body += "&Extra=1";
  ExpectJsonError(http_.Send(tampered), 403, "signature_invalid");

  const std::string path = std::string("/webhooks/twilio/") + ws::kChannel + "/inbound";
  transport::HttpRequestSpec unsigned_request = TwilioPost(
      server().base_url, server().base_url, path,
      InboundForm(NewMessageSid(), account_sid_, member, ws::kSender, "JOIN"), "");
  ExpectJsonError(http_.Send(unsigned_request), 403, "signature_invalid");

  const std::string status_path = std::string("/webhooks/twilio/") + ws::kChannel + "/status";
  const std::string status_sid = NewMessageSid();
  transport::HttpRequestSpec forged_status =
      TwilioPost(server().base_url, server().base_url, status_path,
                 StatusForm(status_sid, account_sid_, ws::kSender, member, "delivered"),
                 "not-the-auth-token");
  ExpectJsonError(http_.Send(forged_status), 403, "signature_invalid");

  // Sync point: a genuine message sent after them is stored, processed and answered.
  const std::string genuine = Text(Member(8), "JOIN");
  ASSERT_TRUE(WaitProcessed({genuine}));
  ASSERT_TRUE(WaitForTexts(Member(8), 1));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
  EXPECT_EQ(
      Count("SELECT count(*) FROM delivery_events WHERE carrier_message_id = $1", status_sid), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE phone_e164 = $1", member), 0);
  EXPECT_TRUE(AcceptedTo(member).empty());
}

TEST_F(ChorusE2eTest, MalformedWebhookGets400AndUnknownChannelIsAnsweredLikeABadSignature) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(9);
  const std::string path = std::string("/webhooks/twilio/") + ws::kChannel + "/inbound";

  // A %-escape that is not one: the form cannot even be decoded.
  transport::HttpRequestSpec bad_escape = InboundRequest(server(), NewMessageSid(), member, "JOIN");
  bad_escape.body = "MessageSid=" + NewMessageSid() + "&From=%2B15550101009&To=%2B15550100000" +
                    "&Body=JO%ZZIN";
  ExpectJsonError(http_.Send(bad_escape), 400, "invalid_argument");

  // Decodes and is signed correctly, but has no MessageSid (nor SmsSid).
  carriers::FormParams no_sid{{"AccountSid", account_sid_}, {"From", member},
                              {"To", ws::kSender},          {"Body", "JOIN"},
                              {"NumMedia", "0"},            {"ApiVersion", "2010-04-01"}};
  ExpectJsonError(
      http_.Send(TwilioPost(server().base_url, server().base_url, path, no_sid, auth_token_)), 400,
      "invalid_argument");

  // An unknown channel cannot be told from a bad signature: same status, same body.
  const std::string unknown = "/webhooks/twilio/no-such-channel/inbound";
  transport::HttpRequestSpec to_unknown = TwilioPost(
      server().base_url, server().base_url, unknown,
      InboundForm(NewMessageSid(), account_sid_, member, ws::kSender, "JOIN"), auth_token_);
  to_unknown.headers.emplace_back("X-Request-Id", "same-id");
  transport::HttpRequestSpec forged = InboundRequest(server(), NewMessageSid(), member, "JOIN");
  for (auto& [name, value] : forged.headers) {
    if (name == "X-Twilio-Signature") value = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  }
  forged.headers.emplace_back("X-Request-Id", "same-id");
  transport::HttpResponseSpec unknown_answer = http_.Send(to_unknown);
  transport::HttpResponseSpec forged_answer = http_.Send(forged);
  EXPECT_EQ(unknown_answer.status, 403);
  EXPECT_EQ(unknown_answer.status, forged_answer.status);
  EXPECT_EQ(unknown_answer.body, forged_answer.body);
  ExpectJsonError(unknown_answer, 403, "signature_invalid");

  // Sync point, then: none of them was stored.
  const std::string genuine = Text(Member(10), "JOIN");
  ASSERT_TRUE(WaitProcessed({genuine}));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
}

// Issue 5's webhook semantics through the real binary: fields the server reads appear once, the
// account is the channel's, the media type matches up to ';', a webhook without a signature header
// is refused before its form is read, forms are capped in pairs; every refusal is counted in
// /metrics, and its log line is sampled rather than written once per request.
TEST_F(ChorusE2eTest, WebhookSemanticsAreTightAndRejectionsAreCountedAndSampled) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string member = Member(13);
  const std::string path = std::string("/webhooks/twilio/") + ws::kChannel + "/inbound";
  auto signed_post = [&](const carriers::FormParams& params) {
    return http_.Send(TwilioPost(server().base_url, server().base_url, path, params, auth_token_));
  };

  carriers::FormParams twice = InboundForm(NewMessageSid(), account_sid_, member, ws::kSender, "JOIN");
  twice.emplace_back("Body", "STOP");
  transport::HttpResponseSpec repeated = signed_post(twice);
  ExpectJsonError(repeated, 400, "invalid_argument");
  EXPECT_THAT(repeated.body, HasSubstr("Body"));
  EXPECT_THAT(repeated.body, Not(HasSubstr("STOP")));

  const std::string other_account = "AC" + std::string(32, '9');
  ExpectJsonError(signed_post(InboundForm(NewMessageSid(), other_account, member, ws::kSender,
                                          "JOIN")),
                  403, "signature_invalid");

  transport::HttpRequestSpec wrong_type = InboundRequest(server(), NewMessageSid(), member, "JOIN");
  for (auto& [name, value] : wrong_type.headers) {
    if (name == "Content-Type") value = "application/x-www-form-urlencodedX";
  }
  ExpectJsonError(http_.Send(wrong_type), 415, "unsupported_media_type");

  carriers::FormParams many = InboundForm(NewMessageSid(), account_sid_, member, ws::kSender, "JOIN");
  for (int i = 0; i < 300; ++i) many.emplace_back("x" + std::to_string(i), "1");
  transport::HttpResponseSpec too_many = signed_post(many);
  ExpectJsonError(too_many, 400, "invalid_argument");
  EXPECT_THAT(too_many.body, HasSubstr("fields"));

  // No signature header at all, over a body that would be costly to decode.
  std::string costly;
  for (int i = 0; i < 5000; ++i) costly += "a" + std::to_string(i) + "=%41&";
  constexpr int kUnsigned = 40;
  for (int i = 0; i < kUnsigned; ++i) {
    transport::HttpRequestSpec unsigned_post = TwilioPost(server().base_url, server().base_url,
                                                          path, {}, "");
    unsigned_post.body = costly;
    ExpectJsonError(http_.Send(unsigned_post), 403, "signature_invalid");
  }

  const std::string genuine = Text(Member(14), "JOIN");
  ASSERT_TRUE(WaitProcessed({genuine}));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);

  const std::string metrics = http_.Get(server().admin_url + "/metrics").body;
  auto counted = [&](const std::string& reason) {
    const std::string series =
        "chorus_webhook_rejections_total{carrier=\"twilio\",reason=\"" + reason + "\"} ";
    const std::size_t at = metrics.find(series);
    return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + series.size()));
  };
  EXPECT_EQ(counted("unauthenticated"), kUnsigned + 1) << metrics;
  EXPECT_EQ(counted("malformed"), 2) << metrics;
  EXPECT_EQ(counted("unsupported_media_type"), 1) << metrics;

  // 41 unauthenticated refusals within a second or two: the log has a handful of lines for them.
  const std::string log = ReadFile(server().log_path);
  std::size_t lines = 0;
  for (std::size_t at = log.find("reason=unauthenticated"); at != std::string::npos;
       at = log.find("reason=unauthenticated", at + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 1u) << log;
  EXPECT_LE(lines, 5u) << log;
}

TEST_F(ChorusE2eTest, OversizedBodyGets413) {
  ASSERT_NE(StartServer({{"CHORUS_MAX_BODY_BYTES", "4096"}}), nullptr);
  const std::string member = Member(11);

  transport::HttpRequestSpec oversized =
      InboundRequest(server(), NewMessageSid(), member, std::string(5000, 'a'));
  ASSERT_GT(oversized.body.size(), 4096u);
  ExpectJsonError(http_.Send(oversized), 413, "payload_too_large");

  // The server carries on; a normal webhook is stored and answered.
  const std::string genuine = Text(member, "JOIN");
  ASSERT_TRUE(WaitProcessed({genuine}));
  ASSERT_TRUE(WaitForTexts(member, 1));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 1);
}

TEST_F(ChorusE2eTest, HealthAndMetricsReportTraffic) {
  ASSERT_NE(StartServer(), nullptr);
  EXPECT_EQ(http_.Get(server().base_url + "/healthz").status, 200);
  EXPECT_EQ(http_.Get(server().admin_url + "/readyz").status, 200);

  const std::string member = Member(12);
  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1));

  std::string metrics;
  const bool counted = Eventually([&] {
    transport::HttpResponseSpec response = http_.Get(server().admin_url + "/metrics");
    metrics = response.body;
    return response.status == 200 &&
           metrics.find("chorus_sends_total{carrier=\"twilio\",result=\"accepted\"}") !=
               std::string::npos;
  });
  EXPECT_TRUE(counted) << metrics;
  EXPECT_THAT(metrics, HasSubstr("chorus_http_requests_total"));
  EXPECT_THAT(metrics,
              HasSubstr("chorus_http_requests_total{server=\"public\","
                        "route=\"/webhooks/twilio/{channel}/inbound\",status=\"200\"}"));
  EXPECT_THAT(metrics, HasSubstr("chorus_sends_total"));
}

}  // namespace
}  // namespace chorus::e2e

namespace chorus::e2e {
namespace {

TEST_F(ChorusE2eTest, NulInABodyIsStoredAsAReplacementCharacterNotRefused) {
  ASSERT_NE(StartServer(), nullptr);
  const std::string sid = Text(Member(30), std::string("hello\0there", 11));
  ASSERT_TRUE(WaitProcessed({sid}));
  EXPECT_EQ(Value("SELECT body FROM inbound_messages WHERE carrier_message_id = $1", sid),
            "hello\xEF\xBF\xBDthere");
}

}  // namespace
}  // namespace chorus::e2e

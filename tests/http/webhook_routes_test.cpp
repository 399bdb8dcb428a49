// The one webhook route every carrier shares, over real sockets, with a carrier of the tests'
// own making (fakes/fake_carrier.hpp) and a fake inbox database.
#include "http/webhook_routes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/fake_carrier.hpp"
#include "fakes/fake_inbox_store.hpp"
#include "http/loopback.hpp"

namespace chorus::http {
namespace {

using ::testing::HasSubstr;
using testing::RawClient;

constexpr char kKey[] = "the-channel-key";
constexpr char kForm[] = "application/x-www-form-urlencoded";

workspace::SnapshotPtr Snapshot() {
  workspace::Organization org;
  org.id = 1;
  Channel fake;
  fake.organization_id = 1;
  fake.id = 10;
  fake.slug = "nyc";
  fake.carrier = "fake";
  fake.country = "US";
  fake.secrets["key"] = kKey;
  Channel other = fake;  // a channel of a carrier nobody registered here
  other.id = 11;
  other.slug = "elsewhere";
  other.carrier = "other";
  return std::make_shared<const workspace::Snapshot>(std::vector<workspace::Organization>{org},
                                                     std::vector<Channel>{fake, other},
                                                     std::vector<workspace::Keyword>{});
}

std::string Post(std::string_view path, std::string_view body, std::string_view key,
                 std::string_view type = "application/x-www-form-urlencoded",
                 std::string_view request_id = "rid") {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: h\r\nContent-Type: " +
         std::string(type) + "\r\nX-Fake-Key: " + std::string(key) +
         "\r\nX-Request-Id: " + std::string(request_id) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

class WebhookRoutesLoopback : public ::testing::Test {
 protected:
  WebhookRoutesLoopback() : inbox_(fakes::FakeInboxWriters(db_, 1), {}) {
    carriers_.Add(std::make_unique<fakes::FakeCarrier>());
    auto router = std::make_shared<Router>();
    AddWebhookRoutes(*router, {[] { return Snapshot(); }, &inbox_, &carriers_,
                               "https://sms.example.org", &metrics_, {}});
    inbox_.Start();
    ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<Server>(threads_.io, options, router);
    EXPECT_TRUE(server_->Listen().ok());
    server_->Start();
  }
  ~WebhookRoutesLoopback() override {
    std::promise<void> done;
    server_->Shutdown(std::chrono::milliseconds(0), [&done] { done.set_value(); });
    testing::Wait(done.get_future());
    threads_.Stop();
    inbox_.Stop();
  }

  std::optional<Response> Send(const std::string& bytes) {
    RawClient client(server_->port());
    if (!client.Send(bytes)) return std::nullopt;
    return client.Read();
  }

  std::uint64_t Rejections(std::string_view reason) {
    return metrics_
        .GetCounter("chorus_webhook_rejections_total", "",
                    {{"carrier", "fake"}, {"reason", std::string(reason)}})
        .value();
  }

  testing::IoThreads threads_;
  fakes::FakeInboxDatabase db_;
  ingest::Inbox inbox_;
  carriers::Registry carriers_;
  observability::Registry metrics_;
  std::unique_ptr<Server> server_;
};

TEST_F(WebhookRoutesLoopback, GenuineWebhookIsStoredWithItsSenderInE164ThenAnswered) {
  auto response = Send(Post("/webhooks/fake/nyc/inbound",
                            "id=m1&from=%28555%29+010-1001&to=%2B15550100000&body=JOIN", kKey));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->body(), "ok");
  const auto stored = db_.inbound();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].channel_id, 10);
  EXPECT_EQ(stored[0].sender, "+15550101001");
  EXPECT_TRUE(stored[0].sender_is_e164);
  EXPECT_EQ(stored[0].body, "JOIN");
}

TEST_F(WebhookRoutesLoopback, StatusReportIsStored) {
  auto response = Send(Post("/webhooks/fake/nyc/status", "id=c1&status=delivered", kKey));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 200u);
  ASSERT_EQ(db_.statuses().size(), 1u);
  EXPECT_EQ(db_.statuses()[0].status, DeliveryStatus::kDelivered);
}

TEST_F(WebhookRoutesLoopback, UnknownCarrierOrKindIs404) {
  EXPECT_EQ(Send(Post("/webhooks/nobody/nyc/inbound", "id=1", kKey))->result_int(), 404u);
  EXPECT_EQ(Send(Post("/webhooks/fake/nyc/voice", "id=1", kKey))->result_int(), 404u);
}

TEST_F(WebhookRoutesLoopback, AMethodTheCarrierDoesNotUseIs405WithAllow) {
  auto response = Send("GET /webhooks/fake/nyc/inbound HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 405u);
  EXPECT_EQ((*response)[beast::http::field::allow], "POST");
}

TEST_F(WebhookRoutesLoopback, ContentTypeMustMatchUpToItsParameters) {
  const std::string body = "id=m2&from=%2B15550101002&body=HI";
  EXPECT_EQ(Send(Post("/webhooks/fake/nyc/inbound", body, kKey,
                      "Application/X-WWW-Form-Urlencoded ; charset=utf-8"))
                ->result_int(),
            200u);
  for (const char* type : {"application/x-www-form-urlencodedX", "application/json",
                           "text/plain; x=application/x-www-form-urlencoded", ""}) {
    auto response = Send(Post("/webhooks/fake/nyc/inbound", body, kKey, type));
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->result_int(), 415u) << type;
  }
  EXPECT_EQ(Rejections("unsupported_media_type"), 4u);
}

TEST_F(WebhookRoutesLoopback, UnknownChannelIsAnsweredExactlyLikeABadSignature) {
  const std::string body = "id=m3&from=%2B15550101003&body=JOIN";
  auto bad_key = Send(Post("/webhooks/fake/nyc/inbound", body, "wrong", kForm, "same"));
  auto unknown = Send(Post("/webhooks/fake/no-such-channel/inbound", body, kKey, kForm, "same"));
  auto other_carrier = Send(Post("/webhooks/fake/elsewhere/inbound", body, kKey, kForm, "same"));
  ASSERT_TRUE(bad_key && unknown && other_carrier);
  for (const auto* response : {&*bad_key, &*unknown, &*other_carrier}) {
    EXPECT_EQ(response->result_int(), 403u);
    EXPECT_EQ(response->body(), bad_key->body());
  }
  EXPECT_THAT(bad_key->body(), HasSubstr(R"("code":"signature_invalid")"));
  EXPECT_TRUE(db_.inbound().empty());
  EXPECT_EQ(Rejections("unauthenticated"), 3u);
}

TEST_F(WebhookRoutesLoopback, AuthenticButUnreadableIs400AndNothingIsStored) {
  auto response = Send(Post("/webhooks/fake/nyc/inbound", "from=%2B15550101004", kKey));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_THAT(response->body(), HasSubstr("id is missing"));
  EXPECT_TRUE(db_.inbound().empty());
  EXPECT_EQ(Rejections("malformed"), 1u);
}

TEST_F(WebhookRoutesLoopback, AnOutageIs503WithRetryAfter) {
  db_.FailNext(1, ErrorCode::kUnavailable);
  auto response = Send(Post("/webhooks/fake/nyc/inbound", "id=m5&from=%2B15550101005", kKey));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 503u);
  EXPECT_EQ((*response)[beast::http::field::retry_after], "5");
  EXPECT_EQ(Rejections("not_stored"), 1u);
}

}  // namespace
}  // namespace chorus::http

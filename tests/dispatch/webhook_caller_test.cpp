#include "dispatch/webhook_caller.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

#include "fakes/fake_transport.hpp"

namespace chorus::dispatch {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr OrganizationId kOrg = 3;
constexpr char kSecret[] = "whsec-test-secret";

// A fixed wall clock: the signed timestamp is known.
class FixedClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(1'800'000'000)); }
};

// The calls a claim hands out, and every Finish with its results. Thread-safe.
class FakeWebhookCallStore final : public WebhookCallStore {
 public:
  void Add(WebhookCall call) {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(call));
  }
  // What Finish answers: kOk records every result, kTakenByAnotherNode none, kOutage fails.
  enum class Finishes { kOk, kTakenByAnotherNode, kOutage };
  void SetFinishes(Finishes f) {
    std::lock_guard lock(mutex_);
    finishes_ = f;
  }

  Result<std::vector<WebhookCall>> Claim(std::size_t limit, std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    std::vector<WebhookCall> out;
    while (!pending_.empty() && out.size() < limit) {
      out.push_back(pending_.front());
      pending_.pop_front();
    }
    return out;
  }

  Result<std::vector<bool>> Finish(const std::vector<WebhookResult>& results) override {
    std::lock_guard lock(mutex_);
    finished_.insert(finished_.end(), results.begin(), results.end());
    changed_.notify_all();
    if (finishes_ == Finishes::kOutage) return MakeError(ErrorCode::kUnavailable, "fake outage");
    return std::vector<bool>(results.size(), finishes_ == Finishes::kOk);
  }

  bool WaitForFinished(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return finished_.size() >= n; });
  }
  std::vector<WebhookResult> finished() const {
    std::lock_guard lock(mutex_);
    return finished_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<WebhookCall> pending_;
  std::vector<WebhookResult> finished_;
  Finishes finishes_ = Finishes::kOk;
};

workspace::SnapshotPtr Snapshot() {
  workspace::Organization org;
  org.id = kOrg;
  org.slug = "acme";
  org.name = "Acme";
  org.webhook_secrets["crm"] = kSecret;
  return std::make_shared<const workspace::Snapshot>(std::vector<workspace::Organization>{org},
                                                     std::vector<Channel>{},
                                                     std::vector<workspace::Keyword>{});
}

WebhookCall Call(std::int64_t id, std::string secret = "crm",
                 std::chrono::milliseconds timeout = 5s) {
  WebhookCall c;
  c.organization_id = kOrg;
  c.id = id;
  c.member_id = 100 + id;
  c.url = "https://crm.example.org/hook";
  c.secret_name = std::move(secret);
  c.timeout = timeout;
  c.payload = R"({"member_id":)" + std::to_string(100 + id) + R"(,"flow":"petition"})";
  return c;
}

// Computed here with OpenSSL, not with the server's HmacSha256Hex.
std::string ExpectedSignature(const std::string& timestamp, const std::string& body) {
  const std::string data = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &n);
  std::string hex = "v1=";
  for (unsigned int i = 0; i < n; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 15];
  }
  return hex;
}

std::string Header(const transport::HttpRequestSpec& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class WebhookCallerTest : public ::testing::Test {
 protected:
  void Start() {
    auto store = std::make_unique<FakeWebhookCallStore>();
    store_ = store.get();
    for (auto& c : calls_) store_->Add(c);
    store_->SetFinishes(finishes_);
    WebhookCallerOptions options;
    options.poll = 5ms;
    options.on_result = [this](OrganizationId org, MemberId member) {
      std::lock_guard lock(mutex_);
      hinted_.push_back({org, member});
    };
    caller_ =
        std::make_unique<WebhookCaller>(std::move(store), transport_, Snapshot, clock_, options);
    caller_->Start();
  }
  void TearDown() override {
    if (caller_) caller_->Stop();
  }
  std::vector<std::pair<OrganizationId, MemberId>> hinted() {
    std::lock_guard lock(mutex_);
    return hinted_;
  }

  std::vector<WebhookCall> calls_;
  FakeWebhookCallStore::Finishes finishes_ = FakeWebhookCallStore::Finishes::kOk;
  fakes::FakeTransport transport_;
  FixedClock clock_;
  FakeWebhookCallStore* store_ = nullptr;
  std::unique_ptr<WebhookCaller> caller_;
  std::mutex mutex_;
  std::vector<std::pair<OrganizationId, MemberId>> hinted_;
};

transport::HttpResponseSpec Status(int status) {
  transport::HttpResponseSpec r;
  r.status = status;
  return r;
}

TEST_F(WebhookCallerTest, PostsTheSignedPayloadAndHandsA2xxBackAsSuccess) {
  transport_.RespondWith([](const auto&) { return Status(201); });
  calls_ = {Call(5)};
  Start();
  ASSERT_TRUE(store_->WaitForFinished(1));
  caller_->Stop();  // joins the loop: what it hinted after recording is in
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://crm.example.org/hook");
  EXPECT_EQ(r.body, calls_[0].payload);
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_EQ(Header(r, "X-Chorus-Timestamp"), "1800000000");
  EXPECT_EQ(Header(r, "X-Chorus-Call-Id"), "3-5");
  EXPECT_EQ(Header(r, "X-Chorus-Signature"), ExpectedSignature("1800000000", r.body));
  const auto finished = store_->finished();
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_TRUE(finished[0].ok);
  EXPECT_EQ(finished[0].http_status, 201);
  EXPECT_THAT(hinted(), ElementsAre(std::make_pair(kOrg, MemberId{105})));
}

TEST_F(WebhookCallerTest, AnErrorAnswerIsAFailure) {
  transport_.RespondWith([](const auto&) { return Status(500); });
  calls_ = {Call(5)};
  Start();
  ASSERT_TRUE(store_->WaitForFinished(1));
  EXPECT_FALSE(store_->finished()[0].ok);
  EXPECT_EQ(store_->finished()[0].http_status, 500);
}

TEST_F(WebhookCallerTest, NoAnswerWithinTheStepsTimeoutIsAFailureAndALateAnswerChangesNothing) {
  calls_ = {Call(5, "crm", 20ms)};  // the transport holds the request
  Start();
  ASSERT_TRUE(store_->WaitForFinished(1));
  EXPECT_FALSE(store_->finished()[0].ok);
  EXPECT_EQ(store_->finished()[0].http_status, 0);
  ASSERT_TRUE(transport_.Answer(0, Status(200)));  // too late
  caller_->Stop();
  EXPECT_EQ(store_->finished().size(), 1u) << "one result per call";
}

TEST_F(WebhookCallerTest, ACallNamingASecretTheOrganizationNoLongerHasFailsUnsent) {
  calls_ = {Call(5, "removed")};
  Start();
  ASSERT_TRUE(store_->WaitForFinished(1));
  EXPECT_FALSE(store_->finished()[0].ok);
  EXPECT_THAT(transport_.requests(), IsEmpty());
}

TEST_F(WebhookCallerTest, CallsInFlightAtStopKeepTheirClaimForTheNextNode) {
  calls_ = {Call(1), Call(2), Call(3)};
  Start();
  ASSERT_TRUE(transport_.WaitForRequests(3));
  caller_->Stop();
  for (std::size_t i = 0; i < 3; ++i) ASSERT_TRUE(transport_.Answer(i, Status(200)));
  EXPECT_THAT(store_->finished(), IsEmpty()) << "made again after the lease, never half-recorded";
}

TEST_F(WebhookCallerTest, AResultAnotherNodeRecordedFirstIsNotHandedToProcessingAgain) {
  transport_.RespondWith([](const auto&) { return Status(200); });
  calls_ = {Call(5)};
  finishes_ = FakeWebhookCallStore::Finishes::kTakenByAnotherNode;
  Start();
  ASSERT_TRUE(store_->WaitForFinished(1));
  caller_->Stop();
  EXPECT_THAT(hinted(), IsEmpty());
}

TEST_F(WebhookCallerTest, AResultTheDatabaseDidNotTakeIsNotHandedToProcessing) {
  transport_.RespondWith([](const auto&) { return Status(200); });
  calls_ = {Call(5)};
  finishes_ = FakeWebhookCallStore::Finishes::kOutage;
  Start();
  ASSERT_TRUE(store_->WaitForFinished(1));
  caller_->Stop();
  EXPECT_THAT(hinted(), IsEmpty()) << "the claim expires and the call is made again";
}

}  // namespace
}  // namespace chorus::dispatch

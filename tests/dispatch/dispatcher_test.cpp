#include "dispatch/dispatcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/fake_carrier.hpp"
#include "fakes/fake_outbox_store.hpp"
#include "fakes/fake_transport.hpp"

namespace chorus::dispatch {
namespace {

using transport::HttpResponseSpec;
using fakes::FakeOutboxDatabase;
using fakes::FakeOutboxStore;
using fakes::FakeTransport;
using ::testing::Each;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Le;
using ::testing::SizeIs;
using namespace std::chrono_literals;

constexpr ChannelId kNyc = 10;
constexpr char kSid[] = "carrier-id-1";

workspace::SnapshotPtr SnapshotWithRate(double segments_per_second,
                                        const std::string& carrier = "fake") {
  workspace::Organization org;
  org.id = 1;
  org.slug = "chorus";
  Channel channel;
  channel.organization_id = 1;
  channel.id = kNyc;
  channel.slug = "nyc";
  channel.carrier = carrier;
  channel.sender = "+15550100999";
  channel.segments_per_second = segments_per_second;
  channel.settings["api_base"] = "https://carrier.test";
  channel.secrets["key"] = "key";
  return std::make_shared<const workspace::Snapshot>(std::vector<workspace::Organization>{org},
                                                     std::vector<Channel>{channel},
                                                     std::vector<workspace::Keyword>{});
}

HttpResponseSpec Created() { return {.status = 201, .body = std::string("id=") + kSid}; }

HttpResponseSpec CarrierError(int status, std::string code) {
  return {.status = status, .body = "code=" + code};
}

DispatcherOptions FastOptions() {
  DispatcherOptions options;
  options.node_id = "node-a";
  options.public_base_url = "https://chorus.example";
  options.lease = 60s;
  options.poll_interval = 2ms;
  options.recover_interval = 2ms;
  options.retry = RetryPolicy{.max_attempts = 3, .base = 10s, .cap = 300s};
  return options;
}

/// A dispatcher over the fakes. Members are declared so the dispatcher is destroyed first.
class DispatcherRig {
 public:
  explicit DispatcherRig(double segments_per_second = 100,
                         DispatcherOptions options = FastOptions(),
                         const std::string& carrier = "fake")
      : snapshot_(SnapshotWithRate(segments_per_second, carrier)),
        dispatcher_(
            std::make_unique<FakeOutboxStore>(db), std::make_unique<FakeOutboxStore>(db), transport,
            carriers_, [this] { return snapshot_; }, std::move(options)) {}

  ~DispatcherRig() { dispatcher_.Stop(0ms); }

  Dispatcher& dispatcher() { return dispatcher_; }

  bool WaitForStatus(OutboundId id, DeliveryStatus status) {
    return db.WaitUntil([&] { return db.status(id) == status; });
  }

  FakeOutboxDatabase db;
  FakeTransport transport;

 private:
  static carriers::Registry Carriers() {
    carriers::Registry registry;
    registry.Add(std::make_unique<fakes::FakeCarrier>());
    return registry;
  }
  carriers::Registry carriers_ = Carriers();
  workspace::SnapshotPtr snapshot_;
  Dispatcher dispatcher_;
};

TEST(Dispatcher, NotifiedMessageIsClaimedSentAndRecordedAsAccepted) {
  DispatcherOptions options = FastOptions();
  options.poll_interval = 1h;  // only Notify can wake the claimer
  options.recover_interval = 1h;
  DispatcherRig rig(100, options);
  rig.transport.RespondWith([](const auto&) { return Created(); });
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.db.WaitUntil([&] { return rig.db.due_calls() >= 1; }));  // first poll: empty

  const OutboundId id =
      rig.db.Enqueue({.member_id = 7, .recipient = "+15550100001", .body = "Rally at 6pm"});
  rig.dispatcher().Notify({kNyc});
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kAccepted));

  const auto requests = rig.transport.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].url, "https://carrier.test/messages");
  EXPECT_THAT(requests[0].body, HasSubstr("to=%2B15550100001"));
  EXPECT_THAT(requests[0].body, HasSubstr("body=Rally+at+6pm"));
  // The status callback is the channel's webhook of kind "status" (carriers/webhook.hpp).
  EXPECT_THAT(requests[0].body,
              HasSubstr("callback=https%3A%2F%2Fchorus.example%2Fwebhooks%2Ffake%2Fnyc%2Fstatus"));

  const auto claims = rig.db.claim_calls();
  ASSERT_FALSE(claims.empty());
  EXPECT_EQ(claims[0].channel, kNyc);
  EXPECT_EQ(claims[0].owner, "node-a");
  EXPECT_EQ(claims[0].lease, 60s);

  ASSERT_TRUE(rig.db.WaitUntil([&] { return rig.db.records().size() == 1; }));
  const SendRecord record = rig.db.records()[0];
  EXPECT_EQ(record.id, id);
  EXPECT_EQ(record.member_id, 7);
  EXPECT_EQ(record.channel_id, kNyc);
  EXPECT_EQ(record.attempt, 1);
  EXPECT_EQ(record.action, SendAction::kAccepted);
  EXPECT_EQ(record.carrier_message_id, kSid);
  EXPECT_EQ(rig.db.message(id).carrier_message_id, kSid);
}

struct RateCase {
  std::string_view name;
  double segments_per_second;
  int first_claim_limit;
};

void PrintTo(const RateCase& c, std::ostream* os) { *os << c.name; }

const RateCase kRateCases[] = {
    {"OneSegmentPerSecondClaimsOne", 1, 1},
    {"TwoSegmentsPerSecondClaimTwo", 2, 2},
    {"HalfASegmentPerSecondStillClaimsOne", 0.5, 1},
    {"FastSenderIsLimitedByMaxClaim", 1000, 128},
};

class DispatcherRate : public ::testing::TestWithParam<RateCase> {};

TEST_P(DispatcherRate, FirstRoundClaimsOnlyWhatTheTokenBucketAllows) {
  DispatcherRig rig(GetParam().segments_per_second);
  rig.transport.RespondWith([](const auto&) { return Created(); });
  for (int i = 0; i < 3; ++i) rig.db.Enqueue({.member_id = 1 + i});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.db.WaitUntil([&] { return !rig.db.claim_calls().empty(); }));

  const auto first = rig.db.claim_calls()[0];
  EXPECT_EQ(first.limit, GetParam().first_claim_limit);
  EXPECT_EQ(first.returned.size(), std::min<std::size_t>(3, first.limit));
}

INSTANTIATE_TEST_SUITE_P(Table, DispatcherRate, ::testing::ValuesIn(kRateCases),
                         [](const ::testing::TestParamInfo<RateCase>& info) {
                           return std::string(info.param.name);
                         });

struct AnswerCase {
  std::string_view name;
  HttpResponseSpec response;
  int prior_attempts;  // attempts already made before this claim
  SendAction action;
  DeliveryStatus status_after;
  std::chrono::seconds retry_in;
  std::string_view error_code;
};

void PrintTo(const AnswerCase& c, std::ostream* os) { *os << c.name; }

// Message id 1 gets 1% jitter, which rounds down to nothing at these delays.
const AnswerCase kAnswerCases[] = {
    {"CreatedIsAccepted", Created(), 0, SendAction::kAccepted, DeliveryStatus::kAccepted, 0s, ""},
    {"ServerErrorIsRetriedAfterTheBackoff",
     {.status = 503},
     0,
     SendAction::kRetry,
     DeliveryStatus::kQueued,
     10s,
     "http_503"},
    {"SecondServerErrorBacksOffTwiceAsLong",
     {.status = 503},
     1,
     SendAction::kRetry,
     DeliveryStatus::kQueued,
     20s,
     "http_503"},
    {"TooManyRequestsHonoursRetryAfter",
     {.status = 429, .retry_after = 42s},
     0,
     SendAction::kRetry,
     DeliveryStatus::kQueued,
     42s,
     "http_429"},
    {"NoResponseIsRetried",
     {.status = 0},
     0,
     SendAction::kRetry,
     DeliveryStatus::kQueued,
     10s,
     "network"},
    {"TimeoutIsRetried",
     {.status = 0, .timed_out = true},
     0,
     SendAction::kRetry,
     DeliveryStatus::kQueued,
     10s,
     "timeout"},
    {"RetryableErrorOnTheLastAttemptFails",
     {.status = 503},
     2,
     SendAction::kFailed,
     DeliveryStatus::kFailed,
     0s,
     "http_503"},
    {"InvalidNumberFailsForGood", CarrierError(400, "invalid_number"), 0, SendAction::kFailed,
     DeliveryStatus::kFailed, 0s, "invalid_number"},
    {"CarrierOptOutIsRecordedAsOptedOutAtCarrier", CarrierError(400, "opted_out"), 0,
     SendAction::kOptedOutAtCarrier, DeliveryStatus::kFailed, 0s, "opted_out"},
};

class DispatcherAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(DispatcherAnswer, IsRecordedAsTheRetryPolicySays) {
  const AnswerCase& c = GetParam();
  DispatcherRig rig;
  rig.transport.RespondWith([&](const auto&) { return c.response; });
  const OutboundId id = rig.db.Enqueue({.attempts = c.prior_attempts});
  ASSERT_EQ(id, 1);
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.db.WaitUntil([&] { return !rig.db.records().empty(); }));
  rig.dispatcher().Stop(5s);

  const auto records = rig.db.records();
  ASSERT_THAT(records, SizeIs(1));  // a retry is due later (fake time): not claimed again
  EXPECT_EQ(records[0].attempt, c.prior_attempts + 1);
  EXPECT_EQ(records[0].action, c.action);
  EXPECT_EQ(records[0].retry_in, c.retry_in);
  EXPECT_EQ(records[0].error_code, c.error_code);
  EXPECT_EQ(rig.db.status(id), c.status_after);
}

INSTANTIATE_TEST_SUITE_P(Table, DispatcherAnswer, ::testing::ValuesIn(kAnswerCases),
                         [](const ::testing::TestParamInfo<AnswerCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(Dispatcher, GivingUpSaysHowManyAttemptsWereMade) {
  DispatcherRig rig;
  rig.transport.RespondWith([](const auto&) { return HttpResponseSpec{.status = 503}; });
  rig.db.Enqueue({.attempts = 2});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.db.WaitUntil([&] { return !rig.db.records().empty(); }));
  EXPECT_THAT(rig.db.records()[0].error_message, HasSubstr("gave up after 3 attempts"));
}

TEST(Dispatcher, AfterACarrierOptOutNothingMoreIsSentToTheMemberThere) {
  DispatcherRig rig;
  rig.transport.RespondWith([](const auto&) { return CarrierError(400, "opted_out"); });
  const OutboundId first = rig.db.Enqueue({.member_id = 7});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(first, DeliveryStatus::kFailed));
  ASSERT_THAT(rig.db.opt_outs(), SizeIs(1));
  EXPECT_EQ(rig.db.opt_outs()[0].channel_id, kNyc);

  const OutboundId second = rig.db.Enqueue({.member_id = 7});
  ASSERT_TRUE(rig.WaitForStatus(second, DeliveryStatus::kCancelled));
  EXPECT_THAT(rig.transport.requests(), SizeIs(1));
}

TEST(Dispatcher, MessageToAnOptedOutMemberIsCancelledNotSent) {
  DispatcherRig rig;
  rig.transport.RespondWith([](const auto&) { return Created(); });
  rig.db.AddOptOut(1, 7, std::nullopt);
  const OutboundId blocked = rig.db.Enqueue({.member_id = 7});
  const OutboundId other = rig.db.Enqueue({.member_id = 8});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(other, DeliveryStatus::kAccepted));
  EXPECT_EQ(rig.db.status(blocked), DeliveryStatus::kCancelled);
  EXPECT_THAT(rig.transport.requests(), SizeIs(1));
}

TEST(Dispatcher, NeverHasMoreThanMaxInFlightSendsOutstanding) {
  DispatcherOptions options = FastOptions();
  options.max_in_flight = 2;
  DispatcherRig rig(1000, options);
  for (int i = 0; i < 5; ++i) rig.db.Enqueue({.member_id = 1 + i});
  rig.dispatcher().Start();

  // Answer one at a time; each answer frees a slot for the next message.
  for (std::size_t answered = 0; answered < 5; ++answered) {
    ASSERT_TRUE(rig.transport.WaitForRequests(std::min<std::size_t>(answered + 2, 5)));
    ASSERT_TRUE(rig.transport.Answer(answered, Created()));
  }
  ASSERT_TRUE(
      rig.db.WaitUntil([&] { return rig.db.CountWithStatus(DeliveryStatus::kAccepted) == 5; }));
  EXPECT_EQ(rig.transport.max_outstanding(), 2u);
  EXPECT_THAT(rig.db.claim_calls(), Each(Field(&FakeOutboxDatabase::ClaimCall::limit, Le(2))));
}

TEST(Dispatcher, StopWaitsForSendsInFlightAndRecordsTheirResults) {
  DispatcherRig rig;
  const OutboundId a = rig.db.Enqueue({.member_id = 1});
  const OutboundId b = rig.db.Enqueue({.member_id = 2});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.transport.WaitForRequests(2));

  auto stopped = std::async(std::launch::async, [&] { rig.dispatcher().Stop(30s); });
  ASSERT_TRUE(rig.transport.Answer(0, Created()));
  EXPECT_NE(stopped.wait_for(0s), std::future_status::ready);  // one send still in flight
  ASSERT_TRUE(rig.transport.Answer(1, HttpResponseSpec{.status = 503}));
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);

  EXPECT_EQ(rig.db.status(a), DeliveryStatus::kAccepted);
  EXPECT_EQ(rig.db.status(b), DeliveryStatus::kQueued);  // retry recorded
  EXPECT_THAT(rig.db.records(), SizeIs(2));
}

TEST(Dispatcher, StopPastItsDeadlineLeavesTheLeaseToExpire) {
  DispatcherRig rig;
  const OutboundId id = rig.db.Enqueue({});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.transport.WaitForRequests(1));
  rig.dispatcher().Stop(0ms);
  EXPECT_EQ(rig.db.status(id), DeliveryStatus::kSending);
  EXPECT_THAT(rig.db.records(), IsEmpty());
}

TEST(Dispatcher, LateAnswerForAnExpiredLeaseIsFencedOff) {
  DispatcherRig rig;
  const OutboundId id = rig.db.Enqueue({});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.transport.WaitForRequests(1));

  rig.db.Advance(61s);  // the lease runs out; recovery requeues it, and it is looked up first
  ASSERT_TRUE(rig.transport.WaitForRequests(2));
  EXPECT_EQ(rig.transport.requests()[1].method, "GET");
  ASSERT_TRUE(rig.transport.Answer(0, Created()));  // attempt 1 answers late
  ASSERT_TRUE(rig.db.WaitUntil([&] { return rig.db.fenced() == 1; }));
  EXPECT_EQ(rig.db.status(id), DeliveryStatus::kSending);

  ASSERT_TRUE(rig.transport.Answer(1, HttpResponseSpec{.status = 404}));  // not at the carrier
  ASSERT_TRUE(rig.transport.WaitForRequests(3));
  ASSERT_TRUE(rig.transport.Answer(2, Created()));
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kAccepted));
  EXPECT_EQ(rig.db.message(id).fields.attempt, 2);
}

TEST(Dispatcher, AtStartANodeTakesBackWhatItsPreviousRunLeftInFlight) {
  DispatcherRig rig;
  const OutboundId id = rig.db.Enqueue({});
  ASSERT_TRUE(rig.db.Claim(kNyc, 10, "node-a", 3600s).ok());  // the previous run, then a crash
  rig.transport.RespondWith([](const transport::HttpRequestSpec& request)
                                -> std::optional<HttpResponseSpec> {
    if (request.method == "GET") return HttpResponseSpec{.status = 404};
    return Created();
  });
  rig.dispatcher().Start();  // same node id, "node-a": no lease expiry to wait for
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kAccepted));
  rig.dispatcher().Stop(5s);
  EXPECT_EQ(rig.db.message(id).fields.attempt, 2);
}

TEST(Dispatcher, AMessageThatMayHaveReachedTheCarrierIsLookedUpAndNotResentWhenFound) {
  DispatcherRig rig;
  const OutboundId id = rig.db.Enqueue({.outcome_unknown = true});
  rig.transport.RespondWith([](const transport::HttpRequestSpec& request)
                                -> std::optional<HttpResponseSpec> {
    if (request.method == "GET") return HttpResponseSpec{.status = 200, .body = "id=found-1"};
    return Created();
  });
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kSent));
  rig.dispatcher().Stop(5s);
  const auto requests = rig.transport.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(rig.db.message(id).carrier_message_id, "found-1");
  EXPECT_FALSE(rig.db.message(id).outcome_unknown);
}

TEST(Dispatcher, AMessageTheCarrierDoesNotHaveIsSentOnceAfterTheLookup) {
  DispatcherRig rig;
  const OutboundId id = rig.db.Enqueue({.outcome_unknown = true});
  rig.transport.RespondWith([](const transport::HttpRequestSpec& request)
                                -> std::optional<HttpResponseSpec> {
    if (request.method == "GET") return HttpResponseSpec{.status = 404};
    return Created();
  });
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kAccepted));
  rig.dispatcher().Stop(5s);
  const auto requests = rig.transport.requests();
  ASSERT_THAT(requests, SizeIs(2));
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(rig.db.message(id).carrier_message_id, kSid);
}

TEST(Dispatcher, AFailedLookupIsRetriedLaterWithoutSendingAndKeepsTheDoubt) {
  DispatcherRig rig;
  const OutboundId id = rig.db.Enqueue({.outcome_unknown = true});
  rig.transport.RespondWith([](const auto&) { return HttpResponseSpec{.status = 503}; });
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.db.WaitUntil([&] { return !rig.db.records().empty(); }));
  rig.dispatcher().Stop(5s);
  EXPECT_EQ(rig.db.status(id), DeliveryStatus::kQueued);
  EXPECT_EQ(rig.db.message(id).error_code, "lookup_failed");
  EXPECT_TRUE(rig.db.message(id).outcome_unknown);
  EXPECT_THAT(rig.transport.requests(), SizeIs(1));
}

TEST(Dispatcher, NoAnswerAfterTheRequestWentOutMarksTheMessageAsDoubtful) {
  DispatcherRig rig;
  const OutboundId sent = rig.db.Enqueue({.member_id = 1, .recipient = "+15550100001"});
  const OutboundId refused = rig.db.Enqueue({.member_id = 2, .recipient = "+15550100002"});
  rig.transport.RespondWith([](const transport::HttpRequestSpec& request) {
    HttpResponseSpec none{.status = 0, .timed_out = true};
    // The first request was written and then timed out; the second never connected.
    none.request_sent = request.body.find("%2B15550100001") != std::string::npos;
    return std::optional<HttpResponseSpec>(none);
  });
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.db.WaitUntil([&] { return rig.db.records().size() >= 2; }));
  rig.dispatcher().Stop(5s);
  EXPECT_TRUE(rig.db.message(sent).outcome_unknown);
  EXPECT_FALSE(rig.db.message(refused).outcome_unknown);
}

TEST(Dispatcher, MessageOfAnUnregisteredCarrierFailsWithTheReasonAndIsNeverSent) {
  DispatcherRig rig(100, FastOptions(), "retired");
  rig.transport.RespondWith([](const auto&) { return Created(); });
  const OutboundId id = rig.db.Enqueue({});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kFailed));
  rig.dispatcher().Stop(5s);
  EXPECT_THAT(rig.transport.requests(), IsEmpty());
  const auto records = rig.db.records();
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_EQ(records[0].error_code, "carrier_not_registered");
}

TEST(Dispatcher, FailedClaimIsTriedAgain) {
  DispatcherRig rig;
  rig.transport.RespondWith([](const auto&) { return Created(); });
  rig.db.FailNextClaims(2);
  const OutboundId id = rig.db.Enqueue({});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kAccepted));
  EXPECT_GE(rig.db.claim_calls().size(), 3u);
}

TEST(Dispatcher, FailedRecordIsWrittenAgain) {
  DispatcherRig rig;
  rig.transport.RespondWith([](const auto&) { return Created(); });
  rig.db.FailNextRecords(1);
  const OutboundId id = rig.db.Enqueue({});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kAccepted));
  EXPECT_THAT(rig.db.records(), SizeIs(1));
}

TEST(Dispatcher, ReportsEachSendToTheMetricsCallback) {
  struct Send {
    std::string carrier, result;
  };
  std::mutex mutex;
  std::vector<Send> sends;
  DispatcherOptions options = FastOptions();
  options.on_send = [&](std::string_view carrier, std::string_view result, double) {
    std::lock_guard lock(mutex);
    sends.push_back({std::string(carrier), std::string(result)});
  };
  DispatcherRig rig(100, options);
  rig.transport.RespondWith([](const auto&) { return CarrierError(400, "opted_out"); });
  const OutboundId id = rig.db.Enqueue({});
  rig.dispatcher().Start();
  ASSERT_TRUE(rig.WaitForStatus(id, DeliveryStatus::kFailed));
  rig.dispatcher().Stop(5s);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].carrier, "fake");
  EXPECT_EQ(sends[0].result, "opted_out");
}

}  // namespace
}  // namespace chorus::dispatch

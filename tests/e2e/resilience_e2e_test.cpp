// The product brief's scenario 8 and the README's guarantees under failure: a database restart in the
// middle of traffic, a crash, two nodes on one database, and SIGTERM with requests in flight.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

constexpr const char* kStatusOf = "SELECT status FROM outbound_messages WHERE recipient = $1";

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

/// A private PostgreSQL cluster under /tmp run by deploy/pg-local.sh (the path in
/// CHORUS_TEST_PG_LOCAL), for a test that stops and restarts the database. Stopped and removed
/// when destroyed.
class LocalCluster {
 public:
  ~LocalCluster() {
    if (dir_.empty()) return;
    (void)Run({"stop", dir_});
    std::error_code ignored;
    if (!home_.empty()) std::filesystem::remove_all(home_, ignored);
    std::filesystem::remove_all(dir_, ignored);
  }

  Result<std::string> Create() {
    const char* script = std::getenv("CHORUS_TEST_PG_LOCAL");
    if (script == nullptr || *script == '\0') {
      return MakeError(ErrorCode::kInvalidArgument,
                       "CHORUS_TEST_PG_LOCAL is not set: this test runs its own PostgreSQL "
                       "cluster with deploy/pg-local.sh (deploy/test.sh sets it; or export "
                       "CHORUS_TEST_PG_LOCAL=/path/to/deploy/pg-local.sh)");
    }
    script_ = script;
    dir_ = TempDir("chorus-e2e-pg-XXXXXX");
    if (dir_.empty()) return MakeError(ErrorCode::kUnavailable, "mkdtemp under /tmp failed");
    CHORUS_TRY(Run({"init", dir_, "--throwaway"}));
    // A private DIR (mkdtemp as root) has its cluster elsewhere: remove that folder too.
    CommandResult home = RunCommand(script_, {"home", dir_}, {}, 30s);
    if (home.ok()) home_ = Trim(home.output);
    CHORUS_TRY(Start());
    CHORUS_TRY(Run({"createdb", dir_, "chorus_e2e"}));
    CommandResult url = RunCommand(script_, {"url", dir_, "chorus_e2e"}, {}, 30s);
    if (!url.ok()) return MakeError(ErrorCode::kUnavailable, "pg-local.sh url: " + url.output);
    return Trim(url.output);
  }

  Result<void> Start() { return Run({"start", dir_}); }
  Result<void> Stop() { return Run({"stop", dir_}); }

 private:
  Result<void> Run(const std::vector<std::string>& args) {
    CommandResult result = RunCommand(script_, args, {}, 120s);
    if (result.ok()) return Ok();
    return MakeError(ErrorCode::kUnavailable, "pg-local.sh " + args.at(0) + ": " +
                                                  result.status.Describe() + ": " +
                                                  result.output);
  }

  std::string script_;
  std::string dir_;
  std::string home_;
};

class ChorusOutageE2eTest : public ChorusE2eTest {
 protected:
  Result<std::string> ProvideDatabase() override {
    cluster_ = std::make_unique<LocalCluster>();
    return cluster_->Create();
  }

  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(ChorusOutageE2eTest, DatabaseRestartLosesAndDuplicatesNothing) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  std::vector<std::string> members, sids;
  for (int i = 0; i < 8; ++i) {
    members.push_back(Member(30 + i));
    sids.push_back(NewMessageSid());
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(PostInbound(*s, sids[i], members[i], "JOIN").status, 200);
  }
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(WaitForTexts(members[i], 1));

  // A send in flight when the database goes: the carrier accepts it during the outage, and
  // its result must be recorded once the database is back, not lost (which would resend it
  // when the lease runs out).
  const std::string in_flight = Member(39);
  fake_->HoldNext(in_flight);
  const std::string in_flight_sid = NewMessageSid();
  EXPECT_EQ(PostInbound(*s, in_flight_sid, in_flight, "JOIN").status, 200);
  ASSERT_TRUE(Eventually([&] { return fake_->HeldCount() == 1; })) << "the send never came";

  ASSERT_TRUE(cluster_->Stop().ok());
  fake_->ReleaseHeld();
  ASSERT_TRUE(WaitForTexts(in_flight, 1));
  // Nothing can be made durable, so nothing is acknowledged: 503 and Retry-After.
  for (int i = 3; i < 8; ++i) {
    transport::HttpResponseSpec response = PostInbound(*s, sids[i], members[i], "JOIN");
    EXPECT_EQ(response.status, 503) << response.body;
    EXPECT_TRUE(response.retry_after.has_value()) << "a 503 must carry Retry-After";
  }
  EXPECT_TRUE(Eventually([&] { return http_.Get(s->admin_url + "/readyz").status == 503; }))
      << "/readyz still ready with the database down";
  EXPECT_EQ(http_.Get(s->base_url + "/healthz").status, 200);

  auto restarted = cluster_->Start();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  ASSERT_TRUE(Eventually([&] { return http_.Get(s->admin_url + "/readyz").status == 200; }, 30s))
      << "/readyz did not recover after the database came back";
  // Twilio retries each refused webhook until it is acknowledged.
  for (int i = 3; i < 8; ++i) {
    int last = 0;
    EXPECT_TRUE(Eventually(
        [&] {
          last = PostInbound(*s, sids[i], members[i], "JOIN").status;
          return last == 200;
        },
        30s))
        << "message " << i << " still refused after the restart: " << last;
  }

  ASSERT_TRUE(WaitProcessed(sids, 30s));
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& m : members) {
          if (!OutboxSettledFor(m)) return false;
        }
        return true;
      },
      30s));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), 9);
  for (std::size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(OutboundCountTo(members[i]), 1) << "member " << i;
    EXPECT_EQ(BodiesTo(members[i]), std::vector<std::string>{ws::kWelcome}) << "member " << i;
  }
  // The send that was in flight: recorded with the carrier's id, sent once.
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(in_flight); }, 20s))
      << "the result of the send in flight during the outage was not recorded; status "
      << Value(kStatusOf, in_flight).value_or("(none)");
  EXPECT_EQ(Value("SELECT carrier_message_id FROM outbound_messages WHERE recipient = $1",
                  in_flight),
            AcceptedTo(in_flight).at(0).sid);
  EXPECT_EQ(Value("SELECT attempts::text FROM outbound_messages WHERE recipient = $1", in_flight),
            "1");
  EXPECT_EQ(AcceptedTo(in_flight).size(), 1u);
  EXPECT_EQ(fake_->AcceptedCount(), 9u);
}

TEST_F(ChorusE2eTest, RestartAfterCrashFinishesAcknowledgedWorkAndExpiredLeases) {
  ChorusServer* crashed = StartServer();
  ASSERT_NE(crashed, nullptr);
  Text(Member(40), "JOIN");
  ASSERT_TRUE(WaitForTexts(Member(40), 1));
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(Member(40)); }));
  KillServer(*crashed);
  ASSERT_TRUE(crashed->exit.has_value());
  EXPECT_EQ(crashed->exit->signal, SIGKILL);

  // What a crash can leave behind: a webhook acknowledged but not yet processed, and a send
  // in progress whose lease has run out.
  const pqxx::result channel =
      Query("SELECT organization_id, id FROM channels WHERE slug = $1", ws::kChannel);
  ASSERT_EQ(channel.size(), 1u);
  const auto org = channel[0][0].as<std::int64_t>();
  const auto channel_id = channel[0][1].as<std::int64_t>();
  const std::string unprocessed_sid = NewMessageSid();
  const std::string waiting = Member(41);
  // As the inbox stores it: the sender's member created in the same transaction.
  Query("WITH m AS (INSERT INTO members (organization_id, phone_e164) VALUES ($1, $4)"
        " RETURNING id)"
        " INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender, "
        "sender_is_e164, recipient, body, member_id) SELECT $1, $2, $3, $4, true, $5, 'JOIN', id"
        " FROM m",
        org, channel_id, unprocessed_sid, waiting, ws::kSender);
  const std::string leased = Member(42);
  const auto member_id =
      Query("INSERT INTO members (organization_id, phone_e164) VALUES ($1, $2) RETURNING id", org,
            leased)
          .at(0)
          .at(0)
          .as<std::int64_t>();
  const std::string recovered_body = "Chorus E2E: a reply that was being sent during the crash.";
  Query("INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body, "
        "kind, priority, segments, encoding, body_hash, status, attempts, lease_owner, "
        "lease_until) VALUES ($1, $2, $3, $4, $5, 'reply', 0, 1, 'gsm7', 0, 'sending', 1, "
        "'serve-1', now() - interval '1 minute')",
        org, channel_id, member_id, leased, recovered_body);

  ASSERT_NE(StartServer(), nullptr);

  ASSERT_TRUE(WaitForTexts(waiting, 1)) << "the acknowledged JOIN was never processed";
  EXPECT_EQ(BodiesTo(waiting), std::vector<std::string>{ws::kWelcome});
  EXPECT_EQ(ProcessedOutcome(unprocessed_sid), "keyword");
  ASSERT_TRUE(WaitForTexts(leased, 1)) << "the message with an expired lease was never sent";
  EXPECT_EQ(BodiesTo(leased), std::vector<std::string>{recovered_body});
  ASSERT_TRUE(Eventually([&] { return OutboxSettledFor(leased); }));
  EXPECT_EQ(Value("SELECT attempts::text FROM outbound_messages WHERE recipient = $1", leased),
            "2");
  EXPECT_EQ(AcceptedTo(Member(40)).size(), 1u) << "the welcome sent before the crash was resent";
}

std::size_t Occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(ChorusE2eTest, WorkspaceChangeMissedWhileDisconnectedIsLoadedOnReconnect) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  const std::string member = Member(50);
  Text(member, "EVENTS");
  ASSERT_TRUE(WaitForTexts(member, 1));
  ASSERT_EQ(AcceptedTo(member).at(0).body, ws::kEvents);

  // A change the node cannot hear about: as if `chorus apply` ran while the node's LISTEN
  // connection was down, so its NOTIFY was lost. Then the node's connections drop (a network
  // blip, a failover). On reconnecting, the node must reload (PgWatcher: "a change may have
  // been missed").
  const std::string moved = "Chorus E2E: The meeting moved to Sunday 11am.";
  Query("UPDATE keywords SET reply = $1 WHERE word = 'events'", moved);
  const std::size_t reloads_before = Occurrences(ReadFile(s->log_path), "workspace.reloaded");
  EXPECT_GT(Count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
            0);
  // Sync point: the node reconnected and reloaded its workspace.
  ASSERT_TRUE(Eventually([&] {
    return Occurrences(ReadFile(s->log_path), "workspace.reloaded") > reloads_before;
  })) << "the node never reloaded its workspace after reconnecting";
  ASSERT_TRUE(Eventually([&] { return http_.Get(s->admin_url + "/readyz").status == 200; }));

  // The carrier retries until the node (whose other connections were cut too) stores it.
  const std::string sid = NewMessageSid();
  ASSERT_TRUE(Eventually([&] { return PostInbound(*s, sid, member, "EVENTS").status == 200; }));
  ASSERT_TRUE(WaitForTexts(member, 2));
  EXPECT_EQ(AcceptedTo(member).at(1).body, moved)
      << "the node still answers with the workspace it had before the reconnect";
}

TEST_F(ChorusE2eTest, TwoServersOnOneDatabaseSendEachWelcomeOnce) {
  ChorusServer* a = StartServer();
  ASSERT_NE(a, nullptr);
  ChorusServer* b = StartServer();
  ASSERT_NE(b, nullptr);

  constexpr int kMembers = 50;
  std::vector<std::string> members, sids;
  std::vector<std::future<transport::HttpResponseSpec>> responses;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(Member(100 + i));
    sids.push_back(NewMessageSid());
    ChorusServer& first = i % 2 == 0 ? *a : *b;
    ChorusServer& retry = i % 2 == 0 ? *b : *a;
    // The carrier's retry of the same webhook lands on the other node.
    responses.push_back(http_.SendAsync(InboundRequest(first, sids[i], members[i], "JOIN")));
    responses.push_back(http_.SendAsync(InboundRequest(retry, sids[i], members[i], "JOIN")));
  }
  for (auto& response : responses) {
    transport::HttpResponseSpec r = response.get();
    EXPECT_EQ(r.status, 200) << r.body;
  }

  ASSERT_TRUE(fake_->WaitForAccepted(kMembers, 20s))
      << "only " << fake_->AcceptedCount() << " welcomes reached the carrier";
  ASSERT_TRUE(WaitProcessed(sids, 20s));
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')") ==
           0;
  }));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages"), kMembers);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages"), kMembers);
  EXPECT_EQ(fake_->AcceptedCount(), static_cast<std::size_t>(kMembers));
  for (int i = 0; i < kMembers; ++i) {
    EXPECT_EQ(AcceptedTo(members[i]).size(), 1u) << "member " << i;
  }
}

TEST_F(ChorusE2eTest, SigtermWaitsForASendInFlightAndRecordsIt) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  const std::string member = Member(45);
  fake_->HoldNext(member);
  Text(member, "JOIN");
  ASSERT_TRUE(Eventually([&] { return fake_->HeldCount() == 1; })) << "the send never came";

  s->process.Signal(SIGTERM);
  ASSERT_TRUE(Eventually([&] {
    return ReadFile(s->log_path).find("shutdown.begin") != std::string::npos;
  })) << "no shutdown.begin in the log";
  fake_->ReleaseHeld();
  auto exit = s->process.Wait(20s);
  ASSERT_TRUE(exit.has_value()) << "chorus serve still running 20 s after SIGTERM";
  s->exit = exit;
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->Describe();

  // README: "a clean shutdown (SIGTERM) waits for sends in flight and records them", so the
  // message is not left leased, to be sent a second time after the lease.
  ASSERT_EQ(AcceptedTo(member).size(), 1u);
  EXPECT_THAT(Value(kStatusOf, member).value_or("(none)"),
              ::testing::AnyOf("accepted", "sent", "delivered"));
  EXPECT_EQ(Value("SELECT carrier_message_id FROM outbound_messages WHERE recipient = $1", member),
            AcceptedTo(member).at(0).sid);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE lease_owner IS NOT NULL"), 0);
}

TEST_F(ChorusE2eTest, SigtermAnswersRequestsInFlightAndExitsCleanly) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);

  // Keep webhooks in flight: while this transaction holds the table, the server can store
  // nothing, so every webhook it has read waits for its commit (and its answer).
  pqxx::connection blocker_connection(database_url_);
  auto blocker = std::make_unique<pqxx::work>(blocker_connection);
  blocker->exec("LOCK TABLE inbound_messages IN EXCLUSIVE MODE");

  constexpr int kRequests = 30;
  std::vector<std::string> members, sids;
  std::vector<std::future<transport::HttpResponseSpec>> responses;
  for (int i = 0; i < kRequests; ++i) {
    members.push_back(Member(200 + i));
    sids.push_back(NewMessageSid());
    responses.push_back(http_.SendAsync(InboundRequest(*s, sids[i], members[i], "JOIN")));
  }
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'") > 0;
  })) << "no webhook reached the database";

  s->process.Signal(SIGTERM);
  ASSERT_TRUE(Eventually([&] {
    return ReadFile(s->log_path).find("shutdown.begin") != std::string::npos;
  })) << "no shutdown.begin in the log";
  blocker->commit();
  blocker.reset();

  std::vector<std::string> acknowledged_members, acknowledged_sids;
  for (int i = 0; i < kRequests; ++i) {
    transport::HttpResponseSpec r = responses[i].get();
    // Answered (after being made durable) or never taken: a clean refusal or reset.
    EXPECT_TRUE(r.status == 200 || r.status == 0)
        << "request " << i << " got " << r.status << ": " << r.body;
    if (r.status == 200) {
      acknowledged_members.push_back(members[i]);
      acknowledged_sids.push_back(sids[i]);
    }
  }
  auto exit = s->process.Wait(20s);
  ASSERT_TRUE(exit.has_value()) << "chorus serve still running 20 s after SIGTERM";
  s->exit = exit;
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->Describe();
  EXPECT_FALSE(acknowledged_sids.empty())
      << "the webhooks waiting for their commit at SIGTERM were not answered";
  RecordProperty("acknowledged", static_cast<int>(acknowledged_sids.size()));

  // Every acknowledged webhook was durable before its 200.
  for (const auto& sid : acknowledged_sids) {
    EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE carrier_message_id = $1", sid),
              1);
  }
  // A new node finishes what was left, and nobody gets a welcome twice.
  ASSERT_NE(StartServer(), nullptr);
  ASSERT_TRUE(WaitProcessed(acknowledged_sids, 20s));
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')") ==
           0;
  }));
  for (const auto& member : acknowledged_members) {
    EXPECT_EQ(AcceptedTo(member).size(), 1u) << member;
  }
  // A request cut off without an answer may or may not have been stored; either way its
  // member gets at most one welcome.
  for (const auto& member : members) EXPECT_LE(AcceptedTo(member).size(), 1u) << member;
}

}  // namespace
}  // namespace chorus::e2e

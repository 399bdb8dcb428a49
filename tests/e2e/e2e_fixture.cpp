#include "e2e/e2e_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#ifndef CHORUS_BINARY
#error "CHORUS_BINARY must name the chorus executable under test"
#endif

namespace chorus::e2e {
namespace {

constexpr auto kReadyTimeout = 20s;
constexpr auto kStopTimeout = 20s;
constexpr auto kCommandTimeout = 60s;

std::string RandomHex(int digits) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out += kHex[random() % 16];
  return out;
}

std::string Json(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void PrintLog(const ChorusServer& server) {
  std::fprintf(stderr, "----- %s (port %u) log -----\n%s----- end of %s log -----\n",
               server.name.c_str(), server.port, ReadFile(server.log_path).c_str(),
               server.name.c_str());
}

}  // namespace

std::string ChorusBinary() {
  const char* other = std::getenv("CHORUS_E2E_BINARY");
  return other != nullptr && *other != '\0' ? other : CHORUS_BINARY;
}

bool Eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (predicate()) return true;
    } catch (const std::exception&) {
      // Not yet: e.g. the database is still coming back.
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::optional<std::map<std::string, std::string>> JsonFields(const std::string& json) {
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(json, &object).ok()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object.fields()) {
    switch (value.kind_case()) {
      case google::protobuf::Value::kStringValue:
        out[name] = value.string_value();
        break;
      case google::protobuf::Value::kNumberValue: {
        const double number = value.number_value();
        out[name] = number == static_cast<double>(static_cast<long long>(number))
                        ? std::to_string(static_cast<long long>(number))
                        : std::to_string(number);
        break;
      }
      case google::protobuf::Value::kBoolValue:
        out[name] = value.bool_value() ? "true" : "false";
        break;
      default:
        out[name] = "";
    }
  }
  return out;
}

std::string Member(int i) { return "+1555010" + std::to_string(1000 + i); }

Result<std::string> ChorusE2eTest::ProvideDatabase() {
  auto created = testing::PgTestDatabase::Create(testing::PgTestDatabase::Schema::kEmpty);
  if (!created.ok()) return created.take_error();
  database_ = std::move(created).value();
  return database_->url();
}

std::string ChorusE2eTest::WorkspaceJson() const {
  return R"({
  "organization": {
    "slug": "e2e",
    "name": "Chorus E2E",
    "default_language": "en",
    "texts": {
      "help": )" + Json(ws::kHelp) + R"(,
      "opt_out_confirmation": )" + Json(ws::kOptOut) + R"(,
      "opt_in_confirmation": )" + Json(ws::kOptIn) + R"(,
      "default_reply": )" + Json(ws::kDefaultReply) + R"(
    },
    "translations": {
      "es": {
        "help": )" + Json(ws::kHelpEs) + R"(,
        "opt_out_confirmation": )" + Json(ws::kOptOutEs) + R"(,
        "opt_in_confirmation": )" + Json(ws::kOptInEs) + R"(
      }
    },
    "retention": { "message_body_days": 30 },
    "webhook_secrets": { "crm": "env:CHORUS_E2E_WEBHOOK_SECRET" }
  },
  "channels": [
    {
      "slug": )" + Json(ws::kChannel) + R"(,
      "carrier": "TWILIO",
      "sender": )" + Json(ws::kSender) + R"(,
      "country": "US",
      "segments_per_second": 500,
      "twilio": {
        "account_sid": )" + Json(account_sid_) + R"(,
        "auth_token": "env:CHORUS_E2E_TWILIO_AUTH_TOKEN",
        "api_base": )" + Json(CarrierApiBase()) + R"(
      }
    },
    {
      "slug": )" + Json(ws::kTelnyxChannel) + R"(,
      "carrier": "telnyx",
      "sender": )" + Json(ws::kTelnyxSender) + R"(,
      "country": "US",
      "segments_per_second": 500,
      "telnyx": {
        "api_key": "env:CHORUS_E2E_TELNYX_API_KEY",
        "public_key": )" + Json(fake_telnyx_->public_key()) + R"(,
        "api_base": )" + Json(fake_telnyx_->api_base()) + R"(
      }
    }
  ],
  "keywords": [)" + KeywordsJson() + R"(])" + CampaignJson() + R"(
}
)";
}

std::string ChorusE2eTest::KeywordsJson() const {
  return R"(
    { "word": "JOIN", "opt_in": true, "reply": )" + Json(ws::kWelcome) + R"( },
    { "word": "EVENTS", "reply": )" + Json(ws::kEvents) + R"( }
  )";
}

void ChorusE2eTest::Reapply() {
  ASSERT_TRUE(WriteFile(workspace_path_, WorkspaceJson()));
  CommandResult apply = RunCommand(ChorusBinary(), {"apply", workspace_path_}, ApplyEnv(),
                                   kCommandTimeout);
  ASSERT_TRUE(apply.ok()) << "chorus apply: " << apply.status.Describe() << "\n"
                          << apply.output;
}

Env ChorusE2eTest::ApplyEnv() const {
  return Env{{"CHORUS_DATABASE_URL", database_url_},
             {"CHORUS_SECRETS_KEY_FILE", key_file_},
             {"CHORUS_E2E_TWILIO_AUTH_TOKEN", auth_token_},
             {"CHORUS_E2E_TELNYX_API_KEY", telnyx_api_key_},
             {"CHORUS_E2E_WEBHOOK_SECRET", webhook_secret_}};
}

void ChorusE2eTest::SetUp() {
  // Fresh credentials per test: nothing secret is written in the test code.
  account_sid_ = "AC" + RandomHex(32);
  auth_token_ = RandomHex(32);

  auto url = ProvideDatabase();
  ASSERT_TRUE(url.ok()) << url.error().message;
  database_url_ = *url;

  fakes::FakeTwilioOptions fake_options;
  fake_options.account_sid = account_sid_;
  fake_options.auth_token = auth_token_;
  fake_options.io_threads = 2;
  // Status callbacks start the moment the send is answered, so they race the recording of the
  // answer in every test (DeliveryReportRacingTheSendResult... forces the worst interleaving).
  fake_options.callback_delay = 0ms;
  ConfigureFakeTwilio(fake_options);
  fake_ = std::make_unique<fakes::FakeTwilio>(fake_options);
  auto started = fake_->Start();
  ASSERT_TRUE(started.ok()) << started.error().message;

  telnyx_api_key_ = "KEY" + RandomHex(40);
  webhook_secret_ = "whsec" + RandomHex(32);
  fakes::FakeTelnyxOptions telnyx_options;
  telnyx_options.api_key = telnyx_api_key_;
  telnyx_options.io_threads = 2;
  fake_telnyx_ = std::make_unique<fakes::FakeTelnyx>(telnyx_options);
  auto telnyx_started = fake_telnyx_->Start();
  ASSERT_TRUE(telnyx_started.ok()) << telnyx_started.error().message;

  key_file_ = TempFile("chorus-e2e-keys-XXXXXX");  // mkstemp: mode 0600
  CommandResult keygen = RunCommand(ChorusBinary(), {"secrets", "keygen", "e2e"}, {},
                                    kCommandTimeout);
  ASSERT_TRUE(keygen.ok()) << "chorus secrets keygen: " << keygen.output;
  ASSERT_TRUE(WriteFile(key_file_, keygen.output));

  const Env db{{"CHORUS_DATABASE_URL", database_url_}, {"CHORUS_SECRETS_KEY_FILE", key_file_}};
  CommandResult migrate = RunCommand(ChorusBinary(), {"migrate"}, db, kCommandTimeout);
  ASSERT_TRUE(migrate.ok()) << "chorus migrate: " << migrate.status.Describe() << "\n"
                            << migrate.output;

  workspace_path_ = TempFile("chorus-e2e-workspace-XXXXXX");
  ASSERT_NO_FATAL_FAILURE(Reapply());
}

void ChorusE2eTest::TearDown() {
  for (auto& server : servers_) {
    if (!server->process.running()) continue;
    ExitStatus status = StopServer(*server);
    EXPECT_TRUE(status.exited && status.code == 0)
        << server->name << " did not shut down cleanly on SIGTERM: " << status.Describe();
  }
  // Personal data never reaches the logs at info (README, Personal data): no member's number (all
  // are +15550101xxx, in any encoding) and no text we sent them.
  for (const auto& server : servers_) {
    const std::string log = ReadFile(server->log_path);
    const std::pair<std::string, const char*> forbidden[] = {
        {"5550101", "a member's phone number"}, {ws::kWelcome, "a message body"},
        {ws::kEvents, "a message body"},        {ws::kOptOut, "a message body"},
        {auth_token_, "the Twilio auth token"},
        {telnyx_api_key_, "the Telnyx API key"},
        {webhook_secret_, "a webhook signing secret"}};
    for (const auto& [needle, what] : forbidden) {
      EXPECT_EQ(log.find(needle), std::string::npos) << server->name << "'s log contains " << what;
    }
  }
  const char* print = std::getenv("CHORUS_E2E_PRINT_LOGS");
  if (HasFailure() || (print != nullptr && *print == '1')) {
    for (const auto& server : servers_) PrintLog(*server);
  }
  for (const auto& server : servers_) ::unlink(server->log_path.c_str());
  if (fake_) fake_->Stop();
  if (fake_telnyx_) fake_telnyx_->Stop();
  if (!workspace_path_.empty()) ::unlink(workspace_path_.c_str());
  if (!key_file_.empty()) ::unlink(key_file_.c_str());
}

ChorusServer* ChorusE2eTest::StartServer(const Env& extra) {
  auto server = std::make_unique<ChorusServer>();
  server->name = "serve-" + std::to_string(servers_.size() + 1);
  server->log_path = TempFile("chorus-e2e-serve-XXXXXX");
  ChorusServer* raw = server.get();
  servers_.push_back(std::move(server));

  // A port picked here can be taken by another test before chorus binds it; then chorus
  // exits at once with "cannot listen" and we try another.
  for (int attempt = 0; attempt < 5; ++attempt) {
    raw->port = FreeListenPort();
    raw->admin_port = FreeListenPort();
    if (raw->port == 0 || raw->admin_port == 0 || raw->port == raw->admin_port) {
      ADD_FAILURE() << "no free port on 127.0.0.1";
      return nullptr;
    }
    raw->base_url = "http://127.0.0.1:" + std::to_string(raw->port);
    raw->admin_url = "http://127.0.0.1:" + std::to_string(raw->admin_port);
    WriteFile(raw->log_path, "");  // this attempt's log only
    Env env{
        {"CHORUS_DATABASE_URL", database_url_},
        {"CHORUS_SECRETS_KEY_FILE", key_file_},
        {"CHORUS_LISTEN", "127.0.0.1:" + std::to_string(raw->port)},
        {"CHORUS_ADMIN_LISTEN", "127.0.0.1:" + std::to_string(raw->admin_port)},
        {"CHORUS_PUBLIC_BASE_URL", raw->base_url},
        {"CHORUS_NODE_ID", raw->name},
        {"CHORUS_LOG_LEVEL", "info"},
        {"CHORUS_CARRIER_TIMEOUT_MS", "5000"},
        {"CHORUS_LEASE_SECONDS", "30"},
        {"CHORUS_SHUTDOWN_TIMEOUT_MS", "10000"},
    };
    for (const auto& [name, value] : extra) env[name] = value;
    auto started = raw->process.Start(ChorusBinary(), {"serve"}, env, raw->log_path);
    if (!started.ok()) {
      ADD_FAILURE() << "cannot start chorus serve: " << started.error().message;
      return nullptr;
    }
    bool ready = Eventually(
        [&] {
          if (auto exit = raw->process.Poll()) {
            raw->exit = exit;
            return true;  // it ended: stop waiting
          }
          return http_.Get(raw->admin_url + "/readyz").status == 200;
        },
        kReadyTimeout);
    if (ready && raw->process.running()) return raw;
    if (!raw->process.running() && ReadFile(raw->log_path).find("cannot listen") !=
                                       std::string::npos) {
      continue;
    }
    ADD_FAILURE() << raw->name << " did not become ready within 20 s"
                  << (raw->exit ? " (" + raw->exit->Describe() + ")" : std::string())
                  << "; its log:\n"
                  << ReadFile(raw->log_path);
    return nullptr;
  }
  ADD_FAILURE() << "no free port could be bound by chorus serve in 5 attempts";
  return nullptr;
}

ExitStatus ChorusE2eTest::StopServer(ChorusServer& server) {
  server.process.Signal(SIGTERM);
  auto status = server.process.Wait(kStopTimeout);
  if (!status) {
    ADD_FAILURE() << server.name << " still running 20 s after SIGTERM; killing it";
    server.process.Signal(SIGKILL);
    status = server.process.Wait(5s);
  }
  server.exit = status.value_or(ExitStatus{});
  return *server.exit;
}

void ChorusE2eTest::KillServer(ChorusServer& server) {
  server.process.Signal(SIGKILL);
  server.exit = server.process.Wait(10s);
}

transport::HttpRequestSpec ChorusE2eTest::InboundRequest(const ChorusServer& server,
                                                        const std::string& sid,
                                                        const std::string& from,
                                                        const std::string& body) const {
  const std::string path = std::string("/webhooks/twilio/") + ws::kChannel + "/inbound";
  return TwilioPost(server.base_url, server.base_url, path,
                    InboundForm(sid, account_sid_, from, ws::kSender, body), auth_token_);
}

transport::HttpResponseSpec ChorusE2eTest::PostInbound(const ChorusServer& server,
                                                      const std::string& sid,
                                                      const std::string& from,
                                                      const std::string& body) {
  return http_.Send(InboundRequest(server, sid, from, body));
}

std::string ChorusE2eTest::Text(const std::string& from, const std::string& body) {
  const std::string sid = NewMessageSid();
  transport::HttpResponseSpec response = PostInbound(server(0), sid, from, body);
  EXPECT_EQ(response.status, 200) << "texting \"" << body << "\": " << response.body;
  return sid;
}

transport::HttpRequestSpec ChorusE2eTest::StatusRequest(const ChorusServer& server,
                                                       const std::string& sid,
                                                       const std::string& to,
                                                       const std::string& status,
                                                       const std::string& error_code) const {
  const std::string path = std::string("/webhooks/twilio/") + ws::kChannel + "/status";
  return TwilioPost(server.base_url, server.base_url, path,
                    StatusForm(sid, account_sid_, ws::kSender, to, status, error_code),
                    auth_token_);
}

transport::HttpResponseSpec ChorusE2eTest::PostStatus(const ChorusServer& server,
                                                     const std::string& sid,
                                                     const std::string& to,
                                                     const std::string& status,
                                                     const std::string& error_code) {
  return http_.Send(StatusRequest(server, sid, to, status, error_code));
}

transport::HttpRequestSpec ChorusE2eTest::TelnyxInboundRequest(const ChorusServer& server,
                                                               const std::string& id,
                                                               const std::string& from,
                                                               const std::string& body,
                                                               std::int64_t timestamp) const {
  transport::HttpRequestSpec request = fake_telnyx_->SignedWebhook(
      server.base_url + "/webhooks/telnyx/" + ws::kTelnyxChannel + "/inbound",
      fakes::FakeTelnyx::InboundEvent(id, from, ws::kTelnyxSender, body), timestamp);
  request.method = "POST";
  return request;
}

std::string ChorusE2eTest::TelnyxText(const std::string& from, const std::string& body) {
  const std::string id = RandomHex(8) + "-" + RandomHex(4) + "-" + RandomHex(4) + "-" +
                         RandomHex(4) + "-" + RandomHex(12);
  transport::HttpResponseSpec response = http_.Send(TelnyxInboundRequest(server(0), id, from, body));
  EXPECT_EQ(response.status, 200) << "texting \"" << body << "\" over Telnyx: " << response.body;
  return id;
}

std::vector<std::string> ChorusE2eTest::TelnyxBodiesTo(const std::string& number) const {
  std::vector<std::string> out;
  for (const auto& m : fake_telnyx_->MessagesTo(number)) {
    if (!m.sid.empty()) out.push_back(m.body);
  }
  return out;
}

std::vector<fakes::ReceivedMessage> ChorusE2eTest::AcceptedTo(const std::string& number) const {
  std::vector<fakes::ReceivedMessage> out;
  for (auto& m : fake_->MessagesTo(number)) {
    if (!m.sid.empty()) out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> ChorusE2eTest::BodiesTo(const std::string& number) const {
  std::vector<std::string> out;
  for (const auto& m : AcceptedTo(number)) out.push_back(m.body);
  return out;
}

bool ChorusE2eTest::WaitForTexts(const std::string& number, std::size_t count,
                                 std::chrono::milliseconds timeout) const {
  return Eventually([&] { return AcceptedTo(number).size() >= count; }, timeout);
}

std::optional<std::string> ChorusE2eTest::ProcessedOutcome(const std::string& sid) const {
  pqxx::result rows = Query(
      "SELECT outcome FROM inbound_messages WHERE carrier_message_id = $1 "
      "AND processed_at IS NOT NULL",
      sid);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].is_null() ? std::string() : rows[0][0].as<std::string>();
}

bool ChorusE2eTest::WaitProcessed(const std::vector<std::string>& sids,
                                  std::chrono::milliseconds timeout) const {
  return Eventually(
      [&] {
        for (const auto& sid : sids) {
          if (!ProcessedOutcome(sid)) return false;
        }
        return true;
      },
      timeout);
}

std::int64_t ChorusE2eTest::OutboundCountTo(const std::string& number) const {
  return Count("SELECT count(*) FROM outbound_messages WHERE recipient = $1", number);
}

bool ChorusE2eTest::OutboxSettledFor(const std::string& number) const {
  return Count("SELECT count(*) FROM outbound_messages WHERE recipient = $1 "
               "AND status IN ('queued', 'sending')",
               number) == 0;
}

}  // namespace chorus::e2e

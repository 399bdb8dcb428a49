#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "carriers/carrier.hpp"
#include "e2e/chorus_process.hpp"
#include "e2e/webhook_client.hpp"
#include "carriers/telnyx/fake_telnyx.hpp"
#include "carriers/twilio/fake_twilio.hpp"
#include "support/pg_test_database.hpp"

namespace chorus::e2e {

using namespace std::chrono_literals;

/// The binary under test: the one built with these tests, unless CHORUS_E2E_BINARY names
/// another (an installed package, a build with a candidate fix).
std::string ChorusBinary();

/// Polls `predicate` every 20 ms until it holds or `timeout` passed. An exception (the
/// database restarting, say) counts as "not yet". The only way these tests wait.
bool Eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout = 15s);

/// The workspace every test applies (see WorkspaceJson): one organization, one Twilio channel,
/// a JOIN and an EVENTS keyword, English texts and Spanish translations.
namespace ws {
inline constexpr const char* kChannel = "e2e-twilio";
inline constexpr const char* kSender = "+15550100000";
inline constexpr const char* kTelnyxChannel = "e2e-telnyx";
inline constexpr const char* kTelnyxSender = "+15550100010";
inline constexpr const char* kWelcome =
    "Chorus E2E: Welcome! Alerts about actions near you. Reply STOP to opt out, HELP for help.";
inline constexpr const char* kEvents = "Chorus E2E: Next up: community meeting Saturday 10am.";
inline constexpr const char* kHelp =
    "Chorus E2E: alerts about actions near you. Msg & data rates may apply. Reply STOP to "
    "opt out.";
inline constexpr const char* kOptOut =
    "Chorus E2E: You are unsubscribed and will get no more messages. Reply START to rejoin.";
inline constexpr const char* kOptIn =
    "Chorus E2E: You are subscribed again. Reply STOP to opt out, HELP for help.";
inline constexpr const char* kDefaultReply =
    "Chorus E2E: Sorry, we did not understand. Text JOIN to sign up or HELP for help.";
inline constexpr const char* kHelpEs =
    "Chorus E2E: alertas de acciones cerca de ti. Responde ALTO para cancelar.";
inline constexpr const char* kOptOutEs =
    "Chorus E2E: Te dimos de baja. Responde COMENZAR para volver.";
inline constexpr const char* kOptInEs =
    "Chorus E2E: Te suscribiste de nuevo. Responde ALTO para cancelar, AYUDA para ayuda.";
}  // namespace ws

/// A `chorus serve` child process.
struct ChorusServer {
  std::string name;
  std::uint16_t port = 0;
  std::string base_url;  // http://127.0.0.1:PORT, also its CHORUS_PUBLIC_BASE_URL
  std::uint16_t admin_port = 0;
  std::string admin_url;  // CHORUS_ADMIN_LISTEN: /readyz and /metrics
  std::string log_path;  // its stdout and stderr
  ChildProcess process;
  std::optional<ExitStatus> exit;  // once stopped
};

/// One test case: a fresh database (`chorus migrate`, then `chorus apply` of the workspace with
/// the channel pointed at an in-process FakeTwilio on a free port), servers started on demand
/// and stopped with SIGTERM in TearDown, which also checks they exit with 0. Server logs are
/// printed when the test failed.
class ChorusE2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// The database the test runs on, migrated by SetUp. Default: a fresh PgTestDatabase.
  virtual Result<std::string> ProvideDatabase();
  /// Adjusts the FakeTwilio before it starts (a slow carrier, say).
  virtual void ConfigureFakeTwilio(fakes::FakeTwilioOptions& options) { (void)options; }
  /// Where the channel sends (its api_base). Default: the in-process FakeTwilio.
  virtual std::string CarrierApiBase() const { return fake_->api_base(); }

  /// Starts `chorus serve` on free public and admin ports and waits (20 s at most) until the
  /// admin listener's /readyz answers 200.
  /// nullptr, with a test failure that quotes the server's log, when it does not get there.
  ChorusServer* StartServer(const Env& extra = {});
  /// SIGTERM, then waits up to 20 s (SIGKILL after that); the exit status.
  ExitStatus StopServer(ChorusServer& server);
  /// SIGKILL: a crash.
  void KillServer(ChorusServer& server);
  ChorusServer& server(std::size_t i = 0) { return *servers_.at(i); }

  /// A signed inbound webhook for `server`.
  transport::HttpRequestSpec InboundRequest(const ChorusServer& server, const std::string& sid,
                                           const std::string& from, const std::string& body) const;
  transport::HttpResponseSpec PostInbound(const ChorusServer& server, const std::string& sid,
                                         const std::string& from, const std::string& body);
  /// Texts `body` from `from` through server 0; the test fails unless it is answered 200.
  /// Returns the MessageSid.
  std::string Text(const std::string& from, const std::string& body);
  /// A signed status callback for message `sid` to `to`.
  transport::HttpRequestSpec StatusRequest(const ChorusServer& server, const std::string& sid,
                                          const std::string& to, const std::string& status,
                                          const std::string& error_code = "") const;
  transport::HttpResponseSpec PostStatus(const ChorusServer& server, const std::string& sid,
                                        const std::string& to, const std::string& status,
                                        const std::string& error_code = "");

  /// A message.received webhook for the Telnyx channel, signed by the fake Telnyx
  /// (`timestamp` 0: now).
  transport::HttpRequestSpec TelnyxInboundRequest(const ChorusServer& server, const std::string& id,
                                                  const std::string& from, const std::string& body,
                                                  std::int64_t timestamp = 0) const;
  /// Texts `body` from `from` to the Telnyx channel through server 0; the test fails unless it
  /// is answered 200. Returns the Telnyx message id.
  std::string TelnyxText(const std::string& from, const std::string& body);
  /// Bodies the fake Telnyx accepted for `number`, in arrival order.
  std::vector<std::string> TelnyxBodiesTo(const std::string& number) const;

  /// Messages the fake accepted for `number`, in arrival order.
  std::vector<fakes::ReceivedMessage> AcceptedTo(const std::string& number) const;
  std::vector<std::string> BodiesTo(const std::string& number) const;
  /// Waits until the fake accepted at least `count` messages for `number`.
  bool WaitForTexts(const std::string& number, std::size_t count,
                    std::chrono::milliseconds timeout = 15s) const;

  template <typename... Args>
  pqxx::result Query(const std::string& sql, const Args&... args) const {
    pqxx::connection connection(database_url_);
    pqxx::nontransaction tx(connection);
    return tx.exec_params(sql, args...);
  }
  template <typename... Args>
  std::int64_t Count(const std::string& sql, const Args&... args) const {
    return Query(sql, args...).at(0).at(0).template as<std::int64_t>();
  }
  /// The first column of the first row; nullopt for no row or NULL.
  template <typename... Args>
  std::optional<std::string> Value(const std::string& sql, const Args&... args) const {
    pqxx::result rows = Query(sql, args...);
    if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
    return rows[0][0].template as<std::string>();
  }

  /// The outcome of inbound message `sid` once processed; nullopt before.
  std::optional<std::string> ProcessedOutcome(const std::string& sid) const;
  /// Waits until every inbound message in `sids` is processed.
  bool WaitProcessed(const std::vector<std::string>& sids,
                     std::chrono::milliseconds timeout = 15s) const;
  /// Outbound messages to `number`, all rows.
  std::int64_t OutboundCountTo(const std::string& number) const;
  /// True when every outbound message to `number` has left the outbox for good: accepted by
  /// the carrier (or further), failed or cancelled. After that nothing more can be sent to it.
  bool OutboxSettledFor(const std::string& number) const;

  /// The keywords of the workspace (JSON array elements) and what follows them at the top
  /// level (",\n  \"chapters\": [...], ..."): tests of flows put their campaigns here.
  virtual std::string KeywordsJson() const;
  virtual std::string CampaignJson() const { return ""; }
  /// `chorus apply` of WorkspaceJson() again (a test that edits its campaigns).
  void Reapply();
  /// What `chorus apply` runs with: the database, the key file, the credentials' variables.
  Env ApplyEnv() const;

  std::string database_url_;
  std::string account_sid_;
  std::string auth_token_;
  std::unique_ptr<fakes::FakeTwilio> fake_;
  std::string telnyx_api_key_;
  /// The organization's webhook signing secret "crm" (CHORUS_E2E_WEBHOOK_SECRET when applied).
  std::string webhook_secret_;
  std::unique_ptr<fakes::FakeTelnyx> fake_telnyx_;
  /// The key file that seals carrier credentials (CHORUS_SECRETS_KEY_FILE), made by
  /// `chorus secrets keygen`, mode 0600.
  std::string key_file_;
  HttpDriver http_;

 private:
  std::string WorkspaceJson() const;

  std::unique_ptr<testing::PgTestDatabase> database_;
  std::string workspace_path_;
  std::vector<std::unique_ptr<ChorusServer>> servers_;
};

/// The top-level string fields of a JSON object (numbers as written); nullopt if `json` is not
/// a JSON object.
std::optional<std::map<std::string, std::string>> JsonFields(const std::string& json);

/// A member's number for test case `i` ("+15550101000" + i).
std::string Member(int i);

}  // namespace chorus::e2e

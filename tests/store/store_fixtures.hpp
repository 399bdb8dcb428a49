#pragma once

#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "core/ids.hpp"
#include "ingest/webhook_item.hpp"
#include "secrets/keyring.hpp"
#include "support/pg_test_database.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace.hpp"

namespace chorus::store::pg {

/// The workspace most store tests run in: organization "acme" (English texts, a Hindi
/// translation), Twilio channels "acme-sms" and "acme-alerts", the opt-in keyword JOIN
/// (every channel) and NEWS (acme-sms only).
workspace::Definition AcmeDefinition();

inline constexpr const char* kAlice = "+15005550101";
inline constexpr const char* kBob = "+15005550102";
inline constexpr const char* kWelcome = "Welcome to Acme! Reply STOP to stop.";
inline constexpr const char* kStopConfirmation = "Acme: you are unsubscribed. Reply START to rejoin.";
inline constexpr const char* kDefaultReply = "Acme here. Reply HELP for help.";

/// A migrated database plus plain-SQL access for arranging rows the production code cannot
/// create yet and for checking what the stores wrote.
class StoreTest : public chorus::testing::PgTest {
 protected:
  using chorus::testing::PgTest::PgTest;

  /// Runs `sql` with `params` in its own committed transaction.
  template <typename... Params>
  pqxx::result Sql(const std::string& sql, Params&&... params) {
    pqxx::work tx(Connection());
    pqxx::result rows = tx.exec_params(sql, std::forward<Params>(params)...);
    tx.commit();
    return rows;
  }

  /// The single value `sql` returns, as T.
  template <typename T, typename... Params>
  T Value(const std::string& sql, Params&&... params) {
    const pqxx::result rows = Sql(sql, std::forward<Params>(params)...);
    EXPECT_EQ(rows.size(), 1u) << sql;
    if (rows.size() != 1 || rows[0][0].is_null()) return T{};
    return rows[0][0].as<T>();
  }

  template <typename... Params>
  std::int64_t Count(const std::string& sql, Params&&... params) {
    return Value<std::int64_t>(sql, std::forward<Params>(params)...);
  }

  pqxx::connection& Connection();

 private:
  std::unique_ptr<pqxx::connection> connection_;
};

/// A fixed keyring for sealing channel credentials in tests (one key, id "test").
std::shared_ptr<const secrets::Keyring> TestKeyring();

/// StoreTest with AcmeDefinition applied through PgWorkspaceStore and its snapshot loaded.
class AcmeStoreTest : public StoreTest {
 protected:
  void SetUp() override;

  /// A member row (no consent history), as processing would have created it.
  MemberId InsertMember(const std::string& phone);

  struct OutboundRow {
    ChannelId channel = 0;
    MemberId member = 0;
    std::string recipient = kAlice;
    std::string body = "hello";
    std::string kind = "reply";  // reply | compliance | bulk
    int priority = 0;
    std::string status = "queued";
    std::string carrier_message_id;  // empty: NULL
    std::string created_ago = "0 seconds";  // interval before now()
    std::string due_in = "0 seconds";       // next_attempt_at = now() + due_in
  };
  /// An outbound message written directly (broadcasts, which would queue with other
  /// priorities, do not exist yet).
  OutboundId InsertOutbound(const OutboundRow& row);

  std::string Status(OutboundId id);

  ingest::InboundItem Inbound(ChannelId channel, const std::string& carrier_id,
                              const std::string& sender, const std::string& body) const;
  ingest::StatusItem Report(ChannelId channel, const std::string& carrier_id,
                            DeliveryStatus status, const std::string& raw) const;

  OrganizationId org_ = 0;
  ChannelId sms_ = 0;
  ChannelId alerts_ = 0;
  workspace::SnapshotPtr snapshot_;
};

}  // namespace chorus::store::pg

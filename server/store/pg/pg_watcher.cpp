#include "store/pg/pg_watcher.hpp"

#include <pqxx/pqxx>

#include <charconv>
#include <utility>

#include "store/pg/pg_session.hpp"
#include "store/pg/pg_workspace_store.hpp"

namespace chorus::store::pg {

namespace {

struct Listener : pqxx::notification_receiver {
  Listener(pqxx::connection_base& c, const std::string& channel)
      : pqxx::notification_receiver(c, channel) {}
  void operator()(const std::string& payload, int) override {
    notified = true;
    OrganizationId id = 0;
    const auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), id);
    if (ec == std::errc() && end == payload.data() + payload.size() && id > 0) {
      organizations.insert(id);
    } else {
      everything = true;
    }
  }
  bool notified = false;
  bool everything = false;
  std::set<OrganizationId> organizations;
};

}  // namespace

struct PgWatcher::State {
  explicit State(const std::string& dsn) : connection(dsn), listener(connection, kWorkspaceChannel) {}
  pqxx::connection connection;
  Listener listener;  // declared after the connection: unregisters before it closes
};

PgWatcher::PgWatcher(std::string dsn) : dsn_(std::move(dsn)) {}

PgWatcher::~PgWatcher() = default;

void PgWatcher::Drop() { state_.reset(); }

Result<void> PgWatcher::Connect() {
  if (state_ && state_->connection.is_open()) return Ok();
  Drop();
  try {
    state_ = std::make_unique<State>(dsn_);
    fresh_ = true;
    return Ok();
  } catch (...) {
    Drop();
    return TranslateCurrentException();
  }
}

Result<bool> PgWatcher::WaitForChange(std::chrono::milliseconds timeout) {
  CHORUS_TRY(Connect());
  if (fresh_) {
    fresh_ = false;
    everything_ = true;
    return true;
  }
  try {
    state_->listener.notified = false;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    state_->connection.await_notification(static_cast<long>(us / 1'000'000),
                                          static_cast<long>(us % 1'000'000));
    // A dead server is only noticed by a query; await_notification just times out.
    pqxx::nontransaction ping(state_->connection);
    ping.exec("SELECT 1");
    return state_->listener.notified;
  } catch (...) {
    Error error = TranslateCurrentException();
    Drop();
    return error;
  }
}

std::optional<std::set<OrganizationId>> PgWatcher::ChangedOrganizations() {
  std::set<OrganizationId> named;
  bool everything = std::exchange(everything_, false);
  if (state_) {
    named = std::exchange(state_->listener.organizations, {});
    everything = std::exchange(state_->listener.everything, false) || everything;
  }
  if (everything) return std::nullopt;
  return named;
}

Result<int> PgWatcher::SchemaVersion() {
  CHORUS_TRY(Connect());
  try {
    pqxx::nontransaction tx(state_->connection);
    const pqxx::result exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!exists[0][0].as<bool>()) return 0;
    return tx.exec("SELECT COALESCE(max(version), 0) FROM schema_migrations")[0][0].as<int>();
  } catch (...) {
    Error error = TranslateCurrentException();
    Drop();
    return error;
  }
}

}  // namespace chorus::store::pg

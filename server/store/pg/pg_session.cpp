#include "store/pg/pg_session.hpp"

#include <string_view>

namespace chorus::store::pg {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Error FromSqlState(const std::string& state) {
  const std::string message = "database error " + state;
  if (StartsWith(state, "08") || StartsWith(state, "57P") || StartsWith(state, "53")) {
    return MakeError(ErrorCode::kUnavailable, "database unavailable (" + state + ")");
  }
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "23505") {
    return MakeError(ErrorCode::kConflict, message);
  }
  if (state == "57014") return MakeError(ErrorCode::kTimeout, "database statement timed out");
  if (StartsWith(state, "22") || StartsWith(state, "23")) {
    return MakeError(ErrorCode::kInvalidArgument, message);
  }
  return MakeError(ErrorCode::kInternal, message);
}

}  // namespace

Error TranslateCurrentException() {
  try {
    throw;
  } catch (const pqxx::broken_connection&) {
    return MakeError(ErrorCode::kUnavailable, "database unavailable");
  } catch (const pqxx::in_doubt_error&) {
    return MakeError(ErrorCode::kUnavailable, "database commit outcome unknown");
  } catch (const pqxx::statement_completion_unknown&) {
    return MakeError(ErrorCode::kUnavailable, "database statement outcome unknown");
  } catch (const pqxx::sql_error& e) {
    return FromSqlState(e.sqlstate());
  } catch (const pqxx::transaction_rollback&) {
    return MakeError(ErrorCode::kConflict, "database transaction rolled back");
  } catch (const pqxx::failure&) {
    // libpqxx reports some lost connections (e.g. during commit) as a plain failure.
    return MakeError(ErrorCode::kUnavailable, "database failure");
  } catch (const std::exception&) {
    return MakeError(ErrorCode::kInternal, "internal error in the database adapter");
  } catch (...) {
    return MakeError(ErrorCode::kInternal, "unknown error in the database adapter");
  }
}

PgSession::PgSession(std::string dsn, std::function<void(pqxx::connection&)> prepare)
    : dsn_(std::move(dsn)), prepare_(std::move(prepare)) {}

PgSession::PgSession(std::string dsn, std::vector<PreparedStatement> statements)
    : PgSession(std::move(dsn), [statements = std::move(statements)](pqxx::connection& c) {
        for (const auto& s : statements) c.prepare(s.name, s.sql);
      }) {}

pqxx::connection& PgSession::Connection() {
  if (connection_ && connection_->is_open()) return *connection_;
  connection_.reset();
  auto c = std::make_unique<pqxx::connection>(dsn_);
  // Bounded waits: a statement or lock wait cannot hold a worker forever.
  pqxx::nontransaction setup(*c);
  setup.exec("SET statement_timeout = '15s'; SET lock_timeout = '10s'; "
             "SET idle_in_transaction_session_timeout = '60s'");
  setup.commit();
  if (prepare_) prepare_(*c);
  connection_ = std::move(c);
  return *connection_;
}

}  // namespace chorus::store::pg

#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "core/result.hpp"

namespace chorus::store::pg {

/// Maps the exception in flight (call inside a catch block) to an Error whose message is safe
/// for logs and clients: SQLSTATE only, never SQL text, parameters or server detail (which can
/// quote a member's data). Outages (class 08, 57P0x, 53xxx, broken connections) and commits of
/// unknown outcome are kUnavailable: every store operation is idempotent, so the caller's retry
/// is safe; lock waits and serialization failures are kConflict; data errors kInvalidArgument.
Error TranslateCurrentException();

/// A named statement, prepared once per connection: the hot paths run the same few statements
/// thousands of times a second, and parsing and planning each one was ~40% of the server's
/// database CPU (BENCHMARKS.md).
struct PreparedStatement {
  const char* name;
  const char* sql;
};

/// One PostgreSQL connection, opened lazily and reopened after it breaks. Owned by one thread.
class PgSession {
 public:
  /// `prepare` runs on every new connection (statement definitions, session settings).
  explicit PgSession(std::string dsn, std::function<void(pqxx::connection&)> prepare = {});
  /// Prepares `statements` on every new connection.
  PgSession(std::string dsn, std::vector<PreparedStatement> statements);

  /// Runs `fn(connection)`; every exception becomes an Error (and a broken connection is
  /// dropped so the next call reconnects). When a connection kept from earlier turns out to be
  /// dead (the server restarted since), `fn` runs once more on a new one: its transaction died
  /// with the connection, so nothing of the first run was committed.
  template <typename F>
  auto Run(F&& fn) -> Result<decltype(fn(std::declval<pqxx::connection&>()))> {
    using T = decltype(fn(std::declval<pqxx::connection&>()));
    for (bool reused = connection_ != nullptr;; reused = false) {
      try {
        pqxx::connection& c = Connection();
        if constexpr (std::is_void_v<T>) {
          fn(c);
          return Ok();
        } else {
          return fn(c);
        }
      } catch (const pqxx::broken_connection&) {
        connection_.reset();
        if (reused) continue;
        return MakeError(ErrorCode::kUnavailable, "database unavailable");
      } catch (...) {
        Error error = TranslateCurrentException();
        if (error.code == ErrorCode::kUnavailable) connection_.reset();
        return error;
      }
    }
  }

  const std::string& dsn() const { return dsn_; }

 private:
  pqxx::connection& Connection();

  std::string dsn_;
  std::function<void(pqxx::connection&)> prepare_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace chorus::store::pg

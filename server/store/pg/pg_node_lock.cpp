#include "store/pg/pg_node_lock.hpp"

#include <pqxx/pqxx>

#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

// The first key of the two-key advisory locks Chorus takes: "chorus node".
constexpr int kNodeLockSpace = 0x43484e44;  // 'CHND'

struct PgNodeLock::State {
  std::unique_ptr<pqxx::connection> connection;
};

PgNodeLock::PgNodeLock(std::string dsn) : dsn_(std::move(dsn)), state_(std::make_unique<State>()) {}

PgNodeLock::~PgNodeLock() = default;

Result<void> PgNodeLock::Acquire(std::string_view node_id) {
  try {
    state_->connection = std::make_unique<pqxx::connection>(dsn_);
    pqxx::nontransaction tx(*state_->connection);
    const bool held = tx.exec_params1("SELECT pg_try_advisory_lock($1, hashtext($2))",
                                      kNodeLockSpace, std::string(node_id))[0]
                          .as<bool>();
    if (!held) {
      state_->connection.reset();
      return MakeError(ErrorCode::kConflict,
                       "CHORUS_NODE_ID \"" + std::string(node_id) +
                           "\" is in use by another running chorus serve: give each node its "
                           "own id");
    }
    return Ok();
  } catch (...) {
    state_->connection.reset();
    return TranslateCurrentException();
  }
}

}  // namespace chorus::store::pg

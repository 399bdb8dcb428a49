#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace chorus::store::pg {

/// One file of migrations/, compiled into the binary.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// Every migration in version order.
const std::vector<Migration>& EmbeddedMigrations();

struct MigrationState {
  int applied = 0;   // highest version recorded in the database (0: none)
  int latest = 0;    // highest version this binary knows
  bool current() const { return applied == latest; }
};

/// Applies the migrations the database lacks, in order, each in its own transaction (a failing
/// migration leaves the schema as it was), recorded in schema_migrations with a checksum. A
/// session-level advisory lock serialises nodes that start together. Refuses a database that
/// records a version this binary does not know, or whose recorded checksum differs. Returns
/// the state afterwards. The error message names the migration and PostgreSQL's reason (this
/// is an operator command, not a client-facing path).
Result<MigrationState> ApplyMigrations(const std::string& dsn,
                                       const std::vector<Migration>& migrations);

/// Reads the state without changing anything (0 applied when the table does not exist).
Result<MigrationState> ReadMigrationState(const std::string& dsn,
                                          const std::vector<Migration>& migrations);

}  // namespace chorus::store::pg

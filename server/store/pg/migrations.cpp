#include "store/pg/migrations.hpp"

#include <openssl/evp.h>

#include <map>
#include <pqxx/pqxx>

#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {
namespace {

constexpr std::int64_t kMigrationLock = 0x43484f5255530001;  // "CHORUS" + 1

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

int Latest(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

std::map<int, std::string> AppliedChecksums(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  std::map<int, std::string> applied;
  const pqxx::result exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return applied;
  for (const auto& row : tx.exec("SELECT version, checksum FROM schema_migrations")) {
    applied.emplace(row[0].as<int>(), row[1].c_str());
  }
  return applied;
}

Result<MigrationState> Check(const std::map<int, std::string>& applied,
                             const std::vector<Migration>& migrations) {
  std::map<int, const Migration*> known;
  for (const auto& m : migrations) known[m.version] = &m;
  MigrationState state{applied.empty() ? 0 : applied.rbegin()->first, Latest(migrations)};
  for (const auto& [version, checksum] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      return MakeError(ErrorCode::kConflict,
                       "the database has migration " + std::to_string(version) +
                           ", which this chorus binary does not know: run a newer chorus");
    }
    if (Sha256Hex(it->second->sql) != checksum) {
      return MakeError(ErrorCode::kConflict, "migration " + std::string(it->second->name) +
                                                 " was changed after it was applied");
    }
  }
  return state;
}

Result<void> ApplyOne(pqxx::connection& c, const Migration& m) {
  try {
    pqxx::work tx(c);
    tx.exec("SET LOCAL statement_timeout = 0");  // schema changes may take long on big tables
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                   m.version, std::string(m.name), Sha256Hex(m.sql));
    tx.commit();
    return Ok();
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal,
                     "migration " + std::string(m.name) + " failed and was rolled back: " + e.what());
  }
}

}  // namespace

Result<MigrationState> ApplyMigrations(const std::string& dsn,
                                       const std::vector<Migration>& migrations) {
  PgSession session(dsn);
  auto result = session.Run([&](pqxx::connection& c) -> Result<MigrationState> {
    {
      pqxx::nontransaction tx(c);
      // Another node may be running a long migration: wait for it as long as it takes.
      tx.exec("SET lock_timeout = 0; SET statement_timeout = 0");
      tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLock);
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    auto state = Check(AppliedChecksums(c), migrations);
    for (const auto& m : migrations) {
      if (!state.ok()) break;
      if (m.version <= state->applied) continue;
      if (auto applied = ApplyOne(c, m); !applied.ok()) {
        state = applied.take_error();
        break;
      }
      state->applied = m.version;
    }
    pqxx::nontransaction unlock(c);
    unlock.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLock);
    return state;
  });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

Result<MigrationState> ReadMigrationState(const std::string& dsn,
                                          const std::vector<Migration>& migrations) {
  PgSession session(dsn);
  auto result = session.Run([&](pqxx::connection& c) { return Check(AppliedChecksums(c), migrations); });
  if (!result.ok()) return result.take_error();
  return std::move(result).value();
}

}  // namespace chorus::store::pg

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/result.hpp"

namespace chorus::testing {

/// The environment variable naming the PostgreSQL server tests run against: an admin URL (or
/// libpq key=value DSN) whose role may CREATE DATABASE, e.g. the output of
/// `deploy/pg-local.sh url DIR`.
inline constexpr const char* kTestPgUrlVariable = "CHORUS_TEST_PG_URL";

/// The admin URL from CHORUS_TEST_PG_URL; kInvalidArgument, with a message saying how to set it,
/// when it is unset or empty.
Result<std::string> TestPgAdminUrl();

/// `server_url` (a postgresql:// URL or a key=value DSN) pointing at `database` on the same
/// server, with the same host, port, user and options. Pure; any thread.
std::string UrlForDatabase(std::string_view server_url, std::string_view database);

/// A fresh, uniquely named database (`chorus_t_<pid>_<counter>_<random>`) on the server of
/// CHORUS_TEST_PG_URL, dropped (WITH (FORCE): open connections are cut) when destroyed.
/// Unique across processes, so test cases and test binaries can run in parallel.
class PgTestDatabase {
 public:
  enum class Schema {
    kMigrated,  // the embedded migrations are applied
    kEmpty,     // nothing: for tests of the migrations themselves
  };

  /// Creates the database. Errors: CHORUS_TEST_PG_URL unset, server unreachable, CREATE
  /// DATABASE refused, or a migration failed (the database is dropped again).
  static Result<std::unique_ptr<PgTestDatabase>> Create(Schema schema = Schema::kMigrated);

  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& name() const { return name_; }
  /// Connection URL of this database (same server and user as the admin URL).
  const std::string& url() const { return url_; }
  const std::string& admin_url() const { return admin_url_; }

 private:
  PgTestDatabase(std::string admin_url, std::string name);

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

/// Fixture: a fresh database per test case. SetUp fails the test (fatally, so the body does
/// not run) when the database cannot be created; it never skips. Derived fixtures that
/// override SetUp call `ASSERT_NO_FATAL_FAILURE(PgTest::SetUp())` first.
class PgTest : public ::testing::Test {
 protected:
  explicit PgTest(PgTestDatabase::Schema schema = PgTestDatabase::Schema::kMigrated)
      : schema_(schema) {}

  void SetUp() override;

  const std::string& url() const { return database_->url(); }
  const PgTestDatabase& database() const { return *database_; }

 private:
  PgTestDatabase::Schema schema_;
  std::unique_ptr<PgTestDatabase> database_;
};

}  // namespace chorus::testing

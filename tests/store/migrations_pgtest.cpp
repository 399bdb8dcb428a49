#include "store/pg/migrations.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using ::testing::HasSubstr;

class MigrationsTest : public StoreTest {
 protected:
  MigrationsTest() : StoreTest(chorus::testing::PgTestDatabase::Schema::kEmpty) {}

  bool TableExists(const std::string& name) {
    return Value<bool>("SELECT to_regclass($1) IS NOT NULL", name);
  }
};

// Small migrations of our own, to exercise failure paths without touching the real schema.
const Migration kFirst{1, "0001_first", "CREATE TABLE first_table (id integer PRIMARY KEY);"};

TEST_F(MigrationsTest, ApplyToAnEmptyDatabaseAndReportCurrent) {
  const auto& migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());

  auto before = ReadMigrationState(url(), migrations);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->applied, 0);
  EXPECT_FALSE(before->current());

  auto applied = ApplyMigrations(url(), migrations);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_TRUE(applied->current());
  EXPECT_EQ(applied->applied, migrations.back().version);

  auto after = ReadMigrationState(url(), migrations);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(after->current());
  EXPECT_EQ(after->latest, migrations.back().version);
  EXPECT_TRUE(TableExists("outbound_messages"));
  EXPECT_EQ(Count("SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(migrations.size()));
}

TEST_F(MigrationsTest, ApplyingAgainChangesNothing) {
  ASSERT_TRUE(ApplyMigrations(url(), EmbeddedMigrations()).ok());
  const std::string fingerprint =
      "SELECT string_agg(version || ':' || checksum || ':' || applied_at, ',' ORDER BY version)"
      " FROM schema_migrations";
  const std::string objects = "SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                              " ON n.oid = c.relnamespace WHERE n.nspname = 'public'";
  const auto recorded = Value<std::string>(fingerprint);
  const auto relations = Count(objects);

  auto again = ApplyMigrations(url(), EmbeddedMigrations());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->current());
  EXPECT_EQ(Value<std::string>(fingerprint), recorded);
  EXPECT_EQ(Count(objects), relations);
}

TEST_F(MigrationsTest, FailingMigrationIsNamedAndLeavesNoTrace) {
  const std::vector<Migration> migrations{
      kFirst,
      {2, "0002_doomed", "CREATE TABLE doomed (id integer); SELECT 1/0;"},
  };

  auto result = ApplyMigrations(url(), migrations);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("0002_doomed"));
  EXPECT_FALSE(TableExists("doomed"));
  EXPECT_EQ(Count("SELECT count(*) FROM schema_migrations WHERE version = 2"), 0);
  // The one before it stays applied.
  EXPECT_TRUE(TableExists("first_table"));
  auto state = ReadMigrationState(url(), migrations);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->applied, 1);
  EXPECT_FALSE(state->current());
}

TEST_F(MigrationsTest, DatabaseWithAnUnknownVersionIsRefused) {
  ASSERT_TRUE(ApplyMigrations(url(), EmbeddedMigrations()).ok());
  Sql("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '0999_future', 'x')");

  auto applied = ApplyMigrations(url(), EmbeddedMigrations());
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kConflict);
  EXPECT_THAT(applied.error().message, HasSubstr("999"));

  auto read = ReadMigrationState(url(), EmbeddedMigrations());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kConflict);
}

TEST_F(MigrationsTest, ChangedChecksumIsRefused) {
  ASSERT_TRUE(ApplyMigrations(url(), {kFirst}).ok());
  const Migration edited{1, "0001_first",
                         "CREATE TABLE first_table (id integer PRIMARY KEY, extra text);"};
  const Migration second{2, "0002_second", "CREATE TABLE second_table (id integer);"};

  auto applied = ApplyMigrations(url(), {edited, second});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kConflict);
  EXPECT_THAT(applied.error().message, HasSubstr("0001_first"));
  EXPECT_FALSE(TableExists("second_table"));  // nothing applied past a refused state

  auto read = ReadMigrationState(url(), {edited});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kConflict);
}

TEST_F(MigrationsTest, TwoNodesApplyingAtOnceBothSucceedAndRecordOnce) {
  std::latch start(2);
  Result<MigrationState> results[2] = {MakeError(ErrorCode::kInternal, "not run"),
                                       MakeError(ErrorCode::kInternal, "not run")};
  auto apply = [&](int i) {
    start.arrive_and_wait();
    results[i] = ApplyMigrations(url(), EmbeddedMigrations());
  };
  std::thread a(apply, 0), b(apply, 1);
  a.join();
  b.join();

  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->current());
  }
  EXPECT_EQ(Count("SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(EmbeddedMigrations().size()));
  EXPECT_EQ(Count("SELECT count(DISTINCT version) FROM schema_migrations"),
            static_cast<std::int64_t>(EmbeddedMigrations().size()));
}

}  // namespace
}  // namespace chorus::store::pg

// deploy/pg-local.sh clusters (the one deploy/test.sh started, named by CHORUS_TEST_PG_URL):
// nobody but the cluster's owner may connect (issue 5, section 2).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "support/pg_test_database.hpp"

namespace chorus::testing {
namespace {

std::string SocketDirectory() {
  auto url = TestPgAdminUrl();
  if (!url.ok()) return {};
  const std::string& text = *url;
  const auto at = text.find("host=");
  if (at == std::string::npos) return {};
  return text.substr(at + 5, text.find('&', at) - (at + 5));
}

TEST(PgLocalCluster, SocketDirectoryAndSocketAreTheOwnersOnly) {
  const std::string dir = SocketDirectory();
  ASSERT_FALSE(dir.empty()) << "CHORUS_TEST_PG_URL names no socket directory";
  struct stat info {};
  ASSERT_EQ(::stat(dir.c_str(), &info), 0) << dir;
  EXPECT_EQ(info.st_mode & 0077, 0u) << dir << " is reachable by other users";
  const std::string socket = dir + "/.s.PGSQL.5432";
  ASSERT_EQ(::stat(socket.c_str(), &info), 0) << socket;
  EXPECT_EQ(info.st_mode & 0077, 0u) << socket << " is open to other users";
}

TEST(PgLocalCluster, AnotherLocalUserCannotConnect) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  auto url = TestPgAdminUrl();
  ASSERT_TRUE(url.ok());
  // `nobody` exists on every Debian system; psql is installed with the server.
  const std::string command = "runuser -u nobody -- psql '" + *url +
                              "' -tAc 'SELECT 1' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_NE(status, 0) << "user nobody connected to the cluster";
}

// The output of `command`, or nullopt when it exits non-zero.
std::optional<std::string> Output(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (::pclose(pipe) != 0) return std::nullopt;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(PgLocalCluster, RootCanInitAClusterInAFreshPrivateTempFolder) {
  if (::geteuid() != 0) GTEST_SKIP() << "the private-folder case is root's";
  const char* script = std::getenv("CHORUS_TEST_PG_LOCAL");
  if (script == nullptr || *script == '\0') GTEST_SKIP() << "CHORUS_TEST_PG_LOCAL is not set";
  char name[] = "/tmp/chorus-pg-private-XXXXXX";
  ASSERT_NE(::mkdtemp(name), nullptr);  // mode 0700: the postgres user cannot enter it
  const std::string dir = name, run = std::string(script) + " ";
  const auto init = Output(run + "init " + dir + " --throwaway 2>&1");
  ASSERT_TRUE(init.has_value()) << "pg-local.sh init failed in " << dir;
  const auto home = Output(run + "home " + dir);
  ASSERT_TRUE(home.has_value());
  EXPECT_NE(*home, dir);  // the cluster lives where postgres can reach it...
  EXPECT_TRUE(std::filesystem::exists(*home + "/data/PG_VERSION"));
  ASSERT_TRUE(Output(run + "start " + dir + " 2>&1").has_value());
  const auto url = Output(run + "url " + dir);  // ...and DIR still names it for every command
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(Output("psql '" + *url + "' -tAc 'SELECT 7'"), std::optional<std::string>("7"));
  EXPECT_TRUE(Output(run + "stop " + dir + " 2>&1").has_value());
  std::error_code ignored;
  std::filesystem::remove_all(*home, ignored);
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace chorus::testing

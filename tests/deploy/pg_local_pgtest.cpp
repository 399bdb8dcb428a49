// deploy/pg-local.sh clusters (the one deploy/test.sh started, named by CHORUS_TEST_PG_URL):
// nobody but the cluster's owner may connect (issue 5, section 2).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
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

}  // namespace
}  // namespace chorus::testing

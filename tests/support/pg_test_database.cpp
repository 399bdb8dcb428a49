#include "support/pg_test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <pqxx/pqxx>

#include "store/pg/migrations.hpp"

namespace chorus::testing {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A libpq URI: postgresql://[userinfo@][hosts][/dbname][?params]. The path names the database,
// but a dbname= parameter overrides it, so both are rewritten.
std::string UriForDatabase(std::string_view uri, std::string_view database) {
  const std::size_t authority = uri.find("://") + 3;
  const std::size_t path = uri.find_first_of("/?#", authority);
  const std::string_view head = uri.substr(0, path == std::string_view::npos ? uri.size() : path);
  std::string_view tail = path == std::string_view::npos ? "" : uri.substr(path);
  if (!tail.empty() && tail.front() == '/') {
    const std::size_t end = tail.find_first_of("?#");
    tail = end == std::string_view::npos ? "" : tail.substr(end);
  }
  std::string out = std::string(head) + "/" + PercentEncode(database);
  if (tail.empty() || tail.front() != '?') return out + std::string(tail);
  // Rewrite a dbname= parameter, keep every other one as it was.
  const std::size_t fragment = tail.find('#');
  const std::string_view query = tail.substr(1, fragment == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : fragment - 1);
  out += '?';
  std::size_t start = 0;
  bool first = true;
  while (start <= query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view param = query.substr(start, amp - start);
    if (!param.empty()) {
      if (!first) out += '&';
      first = false;
      out += StartsWith(param, "dbname=") ? "dbname=" + PercentEncode(database)
                                          : std::string(param);
    }
    start = amp + 1;
  }
  if (fragment != std::string_view::npos) out += tail.substr(fragment);
  return out;
}

// A key=value DSN: a later keyword overrides an earlier one (libpq conninfo_parse).
std::string DsnForDatabase(std::string_view dsn, std::string_view database) {
  std::string quoted = "'";
  for (char c : database) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '\'';
  std::string out(dsn);
  if (!out.empty()) out += ' ';
  return out + "dbname=" + quoted;
}

std::string UniqueName() {
  static std::atomic<unsigned> counter{0};
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  return "chorus_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         suffix;
}

}  // namespace

Result<std::string> TestPgAdminUrl() {
  const char* url = std::getenv(kTestPgUrlVariable);
  if (url == nullptr || *url == '\0') {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(kTestPgUrlVariable) +
                         " is not set: PostgreSQL tests need an admin URL of a server they may "
                         "create databases on, e.g. `deploy/pg-local.sh init /tmp/pg --throwaway "
                         "&& deploy/pg-local.sh start /tmp/pg && export " +
                         kTestPgUrlVariable + "=$(deploy/pg-local.sh url /tmp/pg)`");
  }
  return std::string(url);
}

std::string UrlForDatabase(std::string_view server_url, std::string_view database) {
  if (StartsWith(server_url, "postgresql://") || StartsWith(server_url, "postgres://")) {
    return UriForDatabase(server_url, database);
  }
  return DsnForDatabase(server_url, database);
}

PgTestDatabase::PgTestDatabase(std::string admin_url, std::string name)
    : admin_url_(std::move(admin_url)),
      name_(std::move(name)),
      url_(UrlForDatabase(admin_url_, name_)) {}

Result<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create(Schema schema) {
  auto admin_url = TestPgAdminUrl();
  if (!admin_url.ok()) return admin_url.take_error();
  const std::string name = UniqueName();
  try {
    pqxx::connection admin(*admin_url);
    pqxx::nontransaction tx(admin);  // CREATE DATABASE cannot run in a transaction block
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create test database " + name + " on the server of " +
                         kTestPgUrlVariable + ": " + e.what());
  }
  // From here on the destructor drops it, whatever happens next.
  std::unique_ptr<PgTestDatabase> db(new PgTestDatabase(std::move(admin_url).value(), name));
  if (schema == Schema::kMigrated) {
    auto applied = store::pg::ApplyMigrations(db->url(), store::pg::EmbeddedMigrations());
    if (!applied.ok()) {
      return MakeError(applied.error().code,
                       "cannot migrate test database " + name + ": " + applied.error().message);
    }
  }
  return db;
}

PgTestDatabase::~PgTestDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot drop test database " << name_ << ": " << e.what();
  }
}

void PgTest::SetUp() {
  auto created = PgTestDatabase::Create(schema_);
  ASSERT_TRUE(created.ok()) << created.error().message;
  database_ = std::move(created).value();
}

}  // namespace chorus::testing

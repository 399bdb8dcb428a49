#include "app/settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

constexpr char kDatabaseUrl[] = "postgresql://chorus:hunter2@db.internal/chorus?sslmode=require";
constexpr char kPassword[] = "hunter2";

using Vars = std::map<std::string, std::string, std::less<>>;

EnvLookup Env(Vars vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Vars WithDatabase(Vars vars = {}) {
  vars.emplace("CHORUS_DATABASE_URL", kDatabaseUrl);
  return vars;
}

/// A config file in the test's temporary directory, removed afterwards.
class ConfigFile {
 public:
  explicit ConfigFile(std::string_view text) {
    static std::atomic<int> counter{0};
    // CTest runs each test in its own process, in parallel: the pid keeps the files apart.
    path_ = ::testing::TempDir() + "chorus_settings_test_" + std::to_string(getpid()) + "_" +
            std::to_string(counter++) + ".conf";
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CoresCase {
  unsigned cores;
  int io, writers, workers;
};

TEST(Settings, ThreadDefaultsFollowTheCoreCount) {
  for (const CoresCase& c : {CoresCase{0, 1, 1, 2}, CoresCase{1, 1, 1, 2}, CoresCase{2, 2, 1, 2},
                             CoresCase{4, 4, 2, 2}, CoresCase{16, 4, 8, 8}}) {
    Settings s;
    ApplyThreadDefaults(c.cores, s);
    EXPECT_EQ(s.io_threads, c.io) << c.cores;
    EXPECT_EQ(s.ingest_writers, c.writers) << c.cores;
    EXPECT_EQ(s.process_workers, c.workers) << c.cores;
  }
}

TEST(Settings, DefaultsNeedOnlyTheDatabaseUrl) {
  auto s = LoadSettings(Env(WithDatabase()), "");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->database_url, kDatabaseUrl);
  EXPECT_EQ(s->listen_address, "127.0.0.1");
  EXPECT_EQ(s->listen_port, 8080);
  EXPECT_EQ(s->public_base_url, "http://127.0.0.1:8080");
  Settings expected;
  ApplyThreadDefaults(std::thread::hardware_concurrency(), expected);
  EXPECT_EQ(s->io_threads, expected.io_threads);
  EXPECT_EQ(s->ingest_writers, expected.ingest_writers);
  EXPECT_EQ(s->process_workers, expected.process_workers);
  EXPECT_EQ(s->dispatch_in_flight, 256);
  EXPECT_EQ(s->carrier_connections_per_host, 128u);
  EXPECT_EQ(s->max_body_bytes, 64u * 1024);
  EXPECT_EQ(s->read_timeout, 10s);
  EXPECT_EQ(s->idle_timeout, 60s);
  EXPECT_EQ(s->carrier_timeout, 10s);
  EXPECT_EQ(s->shutdown_timeout, 10s);
  EXPECT_EQ(s->lease, 60s);
  EXPECT_EQ(s->reconcile_after, 3600s);
  EXPECT_EQ(s->reconcile_per_second, 5);
  EXPECT_EQ(s->log_level, "info");
  EXPECT_THAT(s->node_id, ::testing::EndsWith(":8080"));  // hostname:port: stable across restarts
  EXPECT_EQ(s->admin_address, "127.0.0.1");
  EXPECT_EQ(s->admin_port, 9090);
  EXPECT_EQ(s->max_connections, 10000u);
  EXPECT_FALSE(s->max_connections_per_peer.has_value());  // a quarter of the cap
}

TEST(Settings, WithoutAPortTheNodeIdFallsBackToThePid) {
  auto s = LoadSettings(Env(WithDatabase({{"CHORUS_LISTEN", "127.0.0.1:0"}})), "");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_THAT(s->node_id, ::testing::EndsWith(":pid" + std::to_string(getpid())));
}

TEST(Settings, AdminListenIsParsedLikeListen) {
  auto s = LoadSettings(Env(WithDatabase({{"CHORUS_ADMIN_LISTEN", "[::1]:0"}})), "");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->admin_address, "::1");
  EXPECT_EQ(s->admin_port, 0);
  auto bad = LoadSettings(Env(WithDatabase({{"CHORUS_ADMIN_LISTEN", "9090"}})), "");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, StartsWith("CHORUS_ADMIN_LISTEN: expected HOST:PORT"));
}

TEST(Settings, AdminListenMustNotBeThePublicListener) {
  auto s = LoadSettings(Env(WithDatabase({{"CHORUS_LISTEN", "127.0.0.1:9000"},
                                          {"CHORUS_ADMIN_LISTEN", "127.0.0.1:9000"}})),
                        "");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, StartsWith("CHORUS_ADMIN_LISTEN: must differ"));
}

TEST(Settings, MissingDatabaseUrlIsRefused) {
  auto s = LoadSettings(Env({}), "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.error().message, StartsWith("CHORUS_DATABASE_URL: not set"));
}

TEST(Settings, EmptyDatabaseUrlIsRefusedAsMissing) {
  ConfigFile file("CHORUS_DATABASE_URL=\n");
  auto s = LoadSettings(Env({{"CHORUS_DATABASE_URL", ""}}), file.path());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, StartsWith("CHORUS_DATABASE_URL: not set"));
}

TEST(Settings, ClientSettingsNeedTheDatabaseUrlToo) {
  auto s = LoadClientSettings(Env({}), "");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, StartsWith("CHORUS_DATABASE_URL"));
}

TEST(Settings, ClientSettingsDoNotCheckServerOnlySettings) {
  auto s = LoadClientSettings(
      Env(WithDatabase({{"CHORUS_IO_THREADS", "lots"}, {"CHORUS_LISTEN", "0.0.0.0:9000"}})), "");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->public_base_url, "http://0.0.0.0:9000");
}

// Every numeric setting: its bounds are accepted, garbage and out-of-range values are refused
// with a message that names the setting.
struct NumberCase {
  std::string_view key;
  long min;
  long max;
  std::function<long(const Settings&)> get;
  Vars extra;  // what the bounds need to be valid together (lease > carrier timeout)
};

void PrintTo(const NumberCase& c, std::ostream* os) { *os << c.key; }

const NumberCase kNumberCases[] = {
    {"CHORUS_IO_THREADS", 1, 64, [](const Settings& s) { return long{s.io_threads}; }, {}},
    {"CHORUS_INGEST_WRITERS", 1, 32, [](const Settings& s) { return long{s.ingest_writers}; }, {}},
    {"CHORUS_PROCESS_WORKERS",
     1,
     64,
     [](const Settings& s) { return long{s.process_workers}; },
     {}},
    {"CHORUS_DISPATCH_IN_FLIGHT",
     1,
     100000,
     [](const Settings& s) { return long{s.dispatch_in_flight}; },
     {}},
    {"CHORUS_MAX_BODY_BYTES",
     1024,
     16 * 1024 * 1024,
     [](const Settings& s) { return static_cast<long>(s.max_body_bytes); },
     {}},
    {"CHORUS_READ_TIMEOUT_MS",
     10,
     600000,
     [](const Settings& s) { return static_cast<long>(s.read_timeout.count()); },
     {}},
    {"CHORUS_IDLE_TIMEOUT_MS",
     10,
     3600000,
     [](const Settings& s) { return static_cast<long>(s.idle_timeout.count()); },
     {}},
    {"CHORUS_CARRIER_TIMEOUT_MS",
     100,
     120000,
     [](const Settings& s) { return static_cast<long>(s.carrier_timeout.count()); },
     {{"CHORUS_LEASE_SECONDS", "3600"}}},
    {"CHORUS_CARRIER_CONNECTIONS_PER_HOST",
     1,
     4096,
     [](const Settings& s) { return static_cast<long>(s.carrier_connections_per_host); },
     {}},
    {"CHORUS_SHUTDOWN_TIMEOUT_MS",
     0,
     600000,
     [](const Settings& s) { return static_cast<long>(s.shutdown_timeout.count()); },
     {}},
    {"CHORUS_LEASE_SECONDS",
     5,
     3600,
     [](const Settings& s) { return static_cast<long>(s.lease.count()); },
     {{"CHORUS_CARRIER_TIMEOUT_MS", "100"}}},
    {"CHORUS_RETENTION_INTERVAL_SECONDS",
     1,
     86400,
     [](const Settings& s) { return static_cast<long>(s.retention_interval.count()); },
     {}},
    {"CHORUS_RECONCILE_AFTER_SECONDS",
     1,
     2592000,
     [](const Settings& s) { return static_cast<long>(s.reconcile_after.count()); },
     {}},
    {"CHORUS_RECONCILE_PER_SECOND",
     0,
     1000,
     [](const Settings& s) { return static_cast<long>(s.reconcile_per_second); },
     {}},
    {"CHORUS_MAX_CONNECTIONS",
     16,
     1000000,
     [](const Settings& s) { return static_cast<long>(s.max_connections); },
     {}},
    {"CHORUS_MAX_CONNECTIONS_PER_PEER",
     0,
     1000000,
     [](const Settings& s) { return static_cast<long>(s.max_connections_per_peer.value_or(-1)); },
     {}},
};

class NumericSetting : public ::testing::TestWithParam<NumberCase> {};

TEST_P(NumericSetting, AcceptsItsBounds) {
  const NumberCase& c = GetParam();
  for (long value : {c.min, c.max}) {
    Vars vars = WithDatabase(c.extra);
    vars[std::string(c.key)] = std::to_string(value);
    auto s = LoadSettings(Env(vars), "");
    ASSERT_TRUE(s.ok()) << value << ": " << s.error().message;
    EXPECT_EQ(c.get(*s), value);
  }
}

TEST_P(NumericSetting, RefusesGarbageAndOutOfRangeNamingTheSetting) {
  const NumberCase& c = GetParam();
  const std::string expected = std::string(c.key) + ": expected a whole number from " +
                               std::to_string(c.min) + " to " + std::to_string(c.max) + ", got \"";
  for (const std::string& value :
       {std::string("abc"), std::string("12abc"), std::string("1.5"), std::string(" 7"),
        std::string("+7"), std::string("0x10"), std::string("99999999999999999999999"),
        std::to_string(c.min - 1), std::to_string(c.max + 1)}) {
    Vars vars = WithDatabase(c.extra);
    vars[std::string(c.key)] = value;
    auto s = LoadSettings(Env(vars), "");
    ASSERT_FALSE(s.ok()) << value;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(s.error().message, expected + value + "\"");
  }
}

INSTANTIATE_TEST_SUITE_P(Table, NumericSetting, ::testing::ValuesIn(kNumberCases),
                         [](const ::testing::TestParamInfo<NumberCase>& info) {
                           return std::string(info.param.key);
                         });

struct ListenCase {
  std::string_view name;
  std::string_view value;
  bool ok;
  std::string_view address;
  int port;
  std::string_view base_url;
};

void PrintTo(const ListenCase& c, std::ostream* os) { *os << c.name; }

const ListenCase kListenCases[] = {
    {"HostAndPort", "0.0.0.0:9000", true, "0.0.0.0", 9000, "http://0.0.0.0:9000"},
    {"BracketedIpv6", "[::1]:8080", true, "::1", 8080, "http://[::1]:8080"},
    {"NameAndAnyPort", "localhost:0", true, "localhost", 0, "http://localhost:0"},
    {"HighestPort", "127.0.0.1:65535", true, "127.0.0.1", 65535, "http://127.0.0.1:65535"},
    {"PortOnly", "8080", false, "", 0, ""},
    {"MissingHost", ":8080", false, "", 0, ""},
    {"MissingPort", "127.0.0.1:", false, "", 0, ""},
    {"PortTooLarge", "127.0.0.1:65536", false, "", 0, ""},
    {"NegativePort", "127.0.0.1:-1", false, "", 0, ""},
    {"PortWithGarbage", "127.0.0.1:80x", false, "", 0, ""},
    {"Ipv6WithoutPort", "[::1]", false, "", 0, ""},
    {"Ipv6MissingItsClosingBracket", "[::1:8080", false, "", 0, ""},
    {"Ipv6MissingItsOpeningBracket", "::1]:8080", false, "", 0, ""},
    {"EmptyBrackets", "[]:8080", false, "", 0, ""},
};

class ListenSetting : public ::testing::TestWithParam<ListenCase> {};

TEST_P(ListenSetting, IsParsedOrRefused) {
  const ListenCase& c = GetParam();
  auto s = LoadSettings(Env(WithDatabase({{"CHORUS_LISTEN", std::string(c.value)}})), "");
  ASSERT_EQ(s.ok(), c.ok) << (s.ok() ? "" : s.error().message);
  if (!c.ok) {
    EXPECT_EQ(s.error().message,
              "CHORUS_LISTEN: expected HOST:PORT such as 127.0.0.1:8080, got \"" +
                  std::string(c.value) + "\"");
    return;
  }
  EXPECT_EQ(s->listen_address, c.address);
  EXPECT_EQ(s->listen_port, c.port);
  EXPECT_EQ(s->public_base_url, c.base_url);
}

INSTANTIATE_TEST_SUITE_P(Table, ListenSetting, ::testing::ValuesIn(kListenCases),
                         [](const ::testing::TestParamInfo<ListenCase>& info) {
                           return std::string(info.param.name);
                         });

struct BaseUrlCase {
  std::string_view name;
  std::string_view value;
  std::optional<std::string_view> result;  // nullopt: refused
};

void PrintTo(const BaseUrlCase& c, std::ostream* os) { *os << c.name; }

const BaseUrlCase kBaseUrlCases[] = {
    {"HttpsIsKept", "https://chorus.example.org", "https://chorus.example.org"},
    {"TrailingSlashIsTrimmed", "https://chorus.example.org/", "https://chorus.example.org"},
    {"EveryTrailingSlashIsTrimmed", "http://chorus.example.org/sms///",
     "http://chorus.example.org/sms"},
    {"OtherSchemeIsRefused", "ftp://chorus.example.org", std::nullopt},
    {"MissingSchemeIsRefused", "chorus.example.org", std::nullopt},
    {"OnlySlashesAfterTheSchemeIsRefused", "https://", std::nullopt},
};

class PublicBaseUrl : public ::testing::TestWithParam<BaseUrlCase> {};

TEST_P(PublicBaseUrl, IsNormalisedOrRefused) {
  const BaseUrlCase& c = GetParam();
  auto s = LoadSettings(Env(WithDatabase({{"CHORUS_PUBLIC_BASE_URL", std::string(c.value)}})), "");
  ASSERT_EQ(s.ok(), c.result.has_value()) << (s.ok() ? s->public_base_url : s.error().message);
  if (c.result) {
    EXPECT_EQ(s->public_base_url, *c.result);
  } else {
    EXPECT_THAT(s.error().message, StartsWith("CHORUS_PUBLIC_BASE_URL: "));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, PublicBaseUrl, ::testing::ValuesIn(kBaseUrlCases),
                         [](const ::testing::TestParamInfo<BaseUrlCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(Settings, LogLevelMustBeAKnownLevel) {
  auto debug = LoadSettings(Env(WithDatabase({{"CHORUS_LOG_LEVEL", "debug"}})), "");
  ASSERT_TRUE(debug.ok());
  EXPECT_EQ(debug->log_level, "debug");
  auto bad = LoadSettings(Env(WithDatabase({{"CHORUS_LOG_LEVEL", "verbose"}})), "");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, StartsWith("CHORUS_LOG_LEVEL: "));
}

TEST(Settings, NodeIdCanBeSet) {
  auto s = LoadSettings(Env(WithDatabase({{"CHORUS_NODE_ID", "node-7"}})), "");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->node_id, "node-7");
}

struct LeaseCase {
  std::string_view name;
  std::string_view lease_seconds;
  std::string_view carrier_timeout_ms;
  bool ok;
};

void PrintTo(const LeaseCase& c, std::ostream* os) { *os << c.name; }

const LeaseCase kLeaseCases[] = {
    {"LeaseEqualToTheCarrierTimeoutIsRefused", "10", "10000", false},
    {"LeaseShorterThanTheCarrierTimeoutIsRefused", "10", "10001", false},
    {"LeaseASecondLongerIsAccepted", "11", "10000", true},
    {"LeaseLongerByAFractionIsAccepted", "10", "9999", true},
    {"ShortestLeaseWithAShortTimeout", "5", "100", true},
};

class LeaseSetting : public ::testing::TestWithParam<LeaseCase> {};

TEST_P(LeaseSetting, MustExceedTheCarrierTimeout) {
  const LeaseCase& c = GetParam();
  auto s = LoadSettings(
      Env(WithDatabase({{"CHORUS_LEASE_SECONDS", std::string(c.lease_seconds)},
                        {"CHORUS_CARRIER_TIMEOUT_MS", std::string(c.carrier_timeout_ms)}})),
      "");
  ASSERT_EQ(s.ok(), c.ok);
  if (!c.ok) {
    EXPECT_THAT(s.error().message,
                StartsWith("CHORUS_LEASE_SECONDS: must be longer than CHORUS_CARRIER_TIMEOUT_MS"));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, LeaseSetting, ::testing::ValuesIn(kLeaseCases),
                         [](const ::testing::TestParamInfo<LeaseCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(SettingsFile, ReadsKeyValueLinesCommentsAndBlankLines) {
  ConfigFile file(
      "# Chorus\n"
      "\n"
      "CHORUS_DATABASE_URL = postgresql:///chorus?host=/run/postgresql\n"
      "  CHORUS_IO_THREADS=4  \n"
      "\t# indented comment\n"
      "CHORUS_LISTEN=0.0.0.0:9000\r\n");
  auto s = LoadSettings(Env({}), file.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->database_url, "postgresql:///chorus?host=/run/postgresql");
  EXPECT_EQ(s->io_threads, 4);
  EXPECT_EQ(s->listen_port, 9000);
}

TEST(SettingsFile, EnvironmentOverridesTheFile) {
  ConfigFile file("CHORUS_DATABASE_URL=postgresql:///from-file\nCHORUS_IO_THREADS=4\n");
  auto s = LoadSettings(Env({{"CHORUS_IO_THREADS", "8"}}), file.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->io_threads, 8);
  EXPECT_EQ(s->database_url, "postgresql:///from-file");
}

TEST(SettingsFile, EmptyEnvironmentValueLeavesTheFilesValue) {
  ConfigFile file("CHORUS_DATABASE_URL=postgresql:///from-file\nCHORUS_IO_THREADS=4\n");
  auto s = LoadSettings(Env({{"CHORUS_IO_THREADS", ""}}), file.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->io_threads, 4);
}

TEST(SettingsFile, UnknownKeyIsRefusedWithFileAndLine) {
  ConfigFile file("CHORUS_DATABASE_URL=postgresql:///chorus\n# comment\nCHORUS_IO_THREAD=4\n");
  auto s = LoadSettings(Env({}), file.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, file.path() + ":3: unknown setting CHORUS_IO_THREAD");
}

TEST(SettingsFile, LineWithoutEqualsIsRefusedWithFileAndLine) {
  ConfigFile file("CHORUS_DATABASE_URL=postgresql:///chorus\nCHORUS_IO_THREADS 4\n");
  auto s = LoadSettings(Env({}), file.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, file.path() + ":2: expected KEY=VALUE");
}

TEST(SettingsFile, UnreadableFileIsRefused) {
  auto s = LoadSettings(Env(WithDatabase()), ::testing::TempDir() + "no/such/chorus.conf");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("cannot be read"));
}

TEST(SettingsFile, BadValueInTheFileNamesTheSetting) {
  ConfigFile file("CHORUS_DATABASE_URL=postgresql:///chorus\nCHORUS_LEASE_SECONDS=soon\n");
  auto s = LoadSettings(Env({}), file.path());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, StartsWith("CHORUS_LEASE_SECONDS: "));
}

// The database URL may hold a password: no error, whatever its cause, may repeat it.
struct SecretCase {
  std::string_view name;
  Vars env;
  std::string_view file;  // config file text; empty: none
};

void PrintTo(const SecretCase& c, std::ostream* os) { *os << c.name; }

const SecretCase kSecretCases[] = {
    {"BadNumber", WithDatabase({{"CHORUS_IO_THREADS", "0"}}), ""},
    {"BadListen", WithDatabase({{"CHORUS_LISTEN", "nowhere"}}), ""},
    {"BadBaseUrl", WithDatabase({{"CHORUS_PUBLIC_BASE_URL", "chorus.example"}}), ""},
    {"BadLogLevel", WithDatabase({{"CHORUS_LOG_LEVEL", "loud"}}), ""},
    {"ShortLease", WithDatabase({{"CHORUS_LEASE_SECONDS", "5"}}), ""},
    {"UnknownKeyInTheFile", WithDatabase(),
     "CHORUS_DATABASE_URI=postgresql://chorus:hunter2@db/x\n"},
    {"ColonInsteadOfEqualsInTheFile",
     {},
     "CHORUS_DATABASE_URL: postgresql://chorus:hunter2@db.internal/chorus?sslmode=require\n"},
    {"BareUrlWithAQueryInTheFile",
     {},
     "postgresql://chorus:hunter2@db.internal/chorus?sslmode=require\n"},
    {"UrlWithoutEqualsInTheFile", {}, "CHORUS_DATABASE_URL postgresql://chorus:hunter2@db/x\n"},
    {"BadNumberAfterTheUrlInTheFile",
     {},
     "CHORUS_DATABASE_URL=postgresql://chorus:hunter2@db/x\nCHORUS_IO_THREADS=many\n"},
};

class DatabaseUrlSecrecy : public ::testing::TestWithParam<SecretCase> {};

TEST_P(DatabaseUrlSecrecy, NeverAppearsInAnError) {
  const SecretCase& c = GetParam();
  std::optional<ConfigFile> file;
  if (!c.file.empty()) file.emplace(c.file);
  auto s = LoadSettings(Env(c.env), file ? file->path() : "");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, Not(HasSubstr(kPassword)));
  EXPECT_THAT(s.error().message, Not(HasSubstr("db.internal")));
}

INSTANTIATE_TEST_SUITE_P(Table, DatabaseUrlSecrecy, ::testing::ValuesIn(kSecretCases),
                         [](const ::testing::TestParamInfo<SecretCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace chorus::app

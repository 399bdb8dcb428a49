#include "app/settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace chorus::app {
namespace {

using Source = std::map<std::string, std::string, std::less<>>;

constexpr std::string_view kKnownKeys[] = {
    "CHORUS_DATABASE_URL",   "CHORUS_LISTEN",           "CHORUS_PUBLIC_BASE_URL",
    "CHORUS_IO_THREADS",     "CHORUS_INGEST_WRITERS",   "CHORUS_PROCESS_WORKERS",
    "CHORUS_DISPATCH_IN_FLIGHT", "CHORUS_MAX_BODY_BYTES", "CHORUS_READ_TIMEOUT_MS",
    "CHORUS_IDLE_TIMEOUT_MS", "CHORUS_TIMER_INTERVAL_MS", "CHORUS_CARRIER_TIMEOUT_MS",
    "CHORUS_CARRIER_CONNECTIONS_PER_HOST", "CHORUS_SHUTDOWN_TIMEOUT_MS",
    "CHORUS_LEASE_SECONDS",  "CHORUS_LOG_LEVEL",        "CHORUS_NODE_ID",
    "CHORUS_ADMIN_LISTEN",   "CHORUS_MAX_CONNECTIONS",  "CHORUS_MAX_CONNECTIONS_PER_PEER",
    "CHORUS_SECRETS_KEY_FILE", "CHORUS_RETENTION_INTERVAL_SECONDS",
    "CHORUS_RECONCILE_AFTER_SECONDS", "CHORUS_RECONCILE_PER_SECOND",
};

bool Known(std::string_view key) {
  for (auto k : kKnownKeys) {
    if (k == key) return true;
  }
  return false;
}

bool LooksLikeKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string Trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  const auto end = s.find_last_not_of(" \t\r");
  return std::string(s.substr(begin, end - begin + 1));
}

Result<Source> ReadFile(const std::string& path) {
  Source out;
  if (path.empty()) return out;
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "config file " + path + ": cannot be read");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string text = Trim(line);
    if (text.empty() || text[0] == '#') continue;
    const auto eq = text.find('=');
    const std::string where = path + ":" + std::to_string(number);
    if (eq == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, where + ": expected KEY=VALUE");
    }
    const std::string key = Trim(std::string_view(text).substr(0, eq));
    if (!Known(key)) {
      // Echo only what looks like a setting's name: in a malformed line such as
      // "CHORUS_DATABASE_URL: postgresql://u:pw@h/db?sslmode=require" the "key" holds a password.
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ": unknown setting" + (LooksLikeKey(key) ? " " + key : ""));
    }
    out[key] = Trim(std::string_view(text).substr(eq + 1));
  }
  return out;
}

class Reader {
 public:
  Reader(const EnvLookup& env, Source file) : env_(env), file_(std::move(file)) {}

  std::optional<std::string> Get(std::string_view key) const {
    if (auto v = env_(key); v && !v->empty()) return v;
    auto it = file_.find(key);
    if (it != file_.end()) return it->second;
    return std::nullopt;
  }

  Result<void> Int(std::string_view key, long min, long max, long& out) const {
    auto v = Get(key);
    if (!v) return Ok();
    long parsed = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec != std::errc() || end != v->data() + v->size() || parsed < min || parsed > max) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(key) + ": expected a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max) + ", got \"" +
                           *v + "\"");
    }
    out = parsed;
    return Ok();
  }

 private:
  const EnvLookup& env_;
  Source file_;
};

template <typename T>
Result<void> ReadInt(const Reader& r, std::string_view key, long min, long max, T& out) {
  long v = static_cast<long>(out);
  CHORUS_TRY(r.Int(key, min, max, v));
  out = static_cast<T>(v);
  return Ok();
}

template <typename Duration>
Result<void> ReadDuration(const Reader& r, std::string_view key, long min, long max,
                          Duration& out) {
  long v = static_cast<long>(out.count());
  CHORUS_TRY(r.Int(key, min, max, v));
  out = Duration(v);
  return Ok();
}

Result<void> ReadHostPort(const Reader& r, std::string_view key, std::string_view example,
                          std::string& address, std::uint16_t& port_out) {
  auto v = r.Get(key);
  if (!v) return Ok();
  const auto colon = v->rfind(':');
  const std::string bad = std::string(key) + ": expected HOST:PORT such as " +
                          std::string(example) + ", got \"" + *v + "\"";
  if (colon == std::string::npos || colon == 0) return MakeError(ErrorCode::kInvalidArgument, bad);
  long port = -1;
  const std::string port_text = v->substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument, bad);
  }
  std::string host = v->substr(0, colon);
  if (host.front() == '[' || host.back() == ']') {
    // [::1]: both brackets or it is a typo; "[::1:8080" must not become "::" (every interface).
    if (host.size() < 3 || host.front() != '[' || host.back() != ']') {
      return MakeError(ErrorCode::kInvalidArgument, bad);
    }
    host = host.substr(1, host.size() - 2);
  }
  address = host;
  port_out = static_cast<std::uint16_t>(port);
  return Ok();
}

Result<void> ReadListen(const Reader& r, Settings& s) {
  return ReadHostPort(r, "CHORUS_LISTEN", "127.0.0.1:8080", s.listen_address, s.listen_port);
}

Result<void> ReadBasics(const Reader& r, Settings& s) {
  auto url = r.Get("CHORUS_DATABASE_URL");
  // "CHORUS_DATABASE_URL=" in the file is not a URL: libpq would quietly use its defaults.
  if (!url || url->empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "CHORUS_DATABASE_URL: not set (e.g. postgresql:///chorus?host=/path/to/socket)");
  }
  s.database_url = *url;
  CHORUS_TRY(ReadListen(r, s));
  s.secrets_key_file = r.Get("CHORUS_SECRETS_KEY_FILE").value_or("");
  if (auto base = r.Get("CHORUS_PUBLIC_BASE_URL")) {
    std::string b = *base;
    while (!b.empty() && b.back() == '/') b.pop_back();
    if (b.rfind("http://", 0) != 0 && b.rfind("https://", 0) != 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "CHORUS_PUBLIC_BASE_URL: expected an http:// or https:// URL, got \"" +
                           *base + "\"");
    }
    s.public_base_url = b;
  } else {
    const bool v6 = s.listen_address.find(':') != std::string::npos;
    s.public_base_url = "http://" + (v6 ? "[" + s.listen_address + "]" : s.listen_address) +
                        ":" + std::to_string(s.listen_port);
  }
  return Ok();
}

// hostname:port is the same across restarts (so a restarted node takes back its own leases at
// once) and unique on a host (two processes cannot listen on one port). With port 0 there is
// no stable name: the pid, and leases are left to expire.
std::string DefaultNodeId(std::uint16_t port) {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "node") + ":" +
         (port != 0 ? std::to_string(port) : "pid" + std::to_string(getpid()));
}

}  // namespace

void ApplyThreadDefaults(unsigned cores, Settings& settings) {
  const int n = static_cast<int>(std::max(1u, cores));
  settings.io_threads = std::min(n, 4);
  settings.ingest_writers = std::max(1, n / 2);
  // Two at least: one transaction waiting for its commit's fsync leaves the database idle, and
  // a second worker's batch fills that wait (BENCHMARKS.md).
  settings.process_workers = std::max(2, n / 2);
}

std::optional<std::string> ProcessEnv(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<Settings> LoadClientSettings(const EnvLookup& env, const std::string& config_file) {
  CHORUS_ASSIGN_OR_RETURN(Source file, ReadFile(config_file));
  Reader r(env, std::move(file));
  Settings s;
  CHORUS_TRY(ReadBasics(r, s));
  return s;
}

Result<Settings> LoadSettings(const EnvLookup& env, const std::string& config_file) {
  CHORUS_ASSIGN_OR_RETURN(Source file, ReadFile(config_file));
  Reader r(env, std::move(file));
  Settings s;
  ApplyThreadDefaults(std::thread::hardware_concurrency(), s);
  CHORUS_TRY(ReadBasics(r, s));
  CHORUS_TRY(ReadInt(r, "CHORUS_IO_THREADS", 1, 64, s.io_threads));
  CHORUS_TRY(ReadInt(r, "CHORUS_INGEST_WRITERS", 1, 32, s.ingest_writers));
  CHORUS_TRY(ReadInt(r, "CHORUS_PROCESS_WORKERS", 1, 64, s.process_workers));
  CHORUS_TRY(ReadInt(r, "CHORUS_DISPATCH_IN_FLIGHT", 1, 100000, s.dispatch_in_flight));
  CHORUS_TRY(ReadInt(r, "CHORUS_MAX_BODY_BYTES", 1024, 16 * 1024 * 1024, s.max_body_bytes));
  CHORUS_TRY(ReadHostPort(r, "CHORUS_ADMIN_LISTEN", "127.0.0.1:9090", s.admin_address,
                          s.admin_port));
  CHORUS_TRY(ReadInt(r, "CHORUS_MAX_CONNECTIONS", 16, 1'000'000, s.max_connections));
  if (r.Get("CHORUS_MAX_CONNECTIONS_PER_PEER")) {
    std::size_t per_peer = 0;
    CHORUS_TRY(ReadInt(r, "CHORUS_MAX_CONNECTIONS_PER_PEER", 0, 1'000'000, per_peer));
    s.max_connections_per_peer = per_peer;
  }
  CHORUS_TRY(ReadDuration(r, "CHORUS_READ_TIMEOUT_MS", 10, 600000, s.read_timeout));
  CHORUS_TRY(ReadDuration(r, "CHORUS_IDLE_TIMEOUT_MS", 10, 3600000, s.idle_timeout));
  CHORUS_TRY(ReadDuration(r, "CHORUS_CARRIER_TIMEOUT_MS", 100, 120000, s.carrier_timeout));
  CHORUS_TRY(ReadInt(r, "CHORUS_CARRIER_CONNECTIONS_PER_HOST", 1, 4096,
                     s.carrier_connections_per_host));
  CHORUS_TRY(ReadDuration(r, "CHORUS_SHUTDOWN_TIMEOUT_MS", 0, 600000, s.shutdown_timeout));
  CHORUS_TRY(ReadDuration(r, "CHORUS_LEASE_SECONDS", 5, 3600, s.lease));
  CHORUS_TRY(
      ReadDuration(r, "CHORUS_RETENTION_INTERVAL_SECONDS", 1, 86400, s.retention_interval));
  CHORUS_TRY(ReadDuration(r, "CHORUS_TIMER_INTERVAL_MS", 10, 60000, s.timer_interval));
  CHORUS_TRY(ReadDuration(r, "CHORUS_RECONCILE_AFTER_SECONDS", 1, 30 * 86400, s.reconcile_after));
  CHORUS_TRY(ReadInt(r, "CHORUS_RECONCILE_PER_SECOND", 0, 1000, s.reconcile_per_second));
  if (auto level = r.Get("CHORUS_LOG_LEVEL")) {
    static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
    bool ok = false;
    for (auto l : kLevels) ok = ok || l == *level;
    if (!ok) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "CHORUS_LOG_LEVEL: expected trace, debug, info, warn, error or off, got \"" +
                           *level + "\"");
    }
    s.log_level = *level;
  }
  s.node_id = r.Get("CHORUS_NODE_ID").value_or(DefaultNodeId(s.listen_port));
  if (s.admin_port != 0 && s.admin_port == s.listen_port && s.admin_address == s.listen_address) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "CHORUS_ADMIN_LISTEN: must differ from CHORUS_LISTEN (operator endpoints "
                     "stay off the public port)");
  }
  if (s.lease <= std::chrono::duration_cast<std::chrono::seconds>(s.carrier_timeout)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "CHORUS_LEASE_SECONDS: must be longer than CHORUS_CARRIER_TIMEOUT_MS, or a "
                     "slow send could be sent twice");
  }
  return s;
}

}  // namespace chorus::app

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace chorus::app {

/// Everything `chorus serve` can be told, from CHORUS_* environment variables and optionally a
/// file of KEY=VALUE lines with the same names (the environment wins). See docs/CONFIG.md.
struct Settings {
  std::string database_url;                 // CHORUS_DATABASE_URL (required)
  std::string listen_address = "127.0.0.1"; // CHORUS_LISTEN=host:port
  std::uint16_t listen_port = 8080;
  std::string public_base_url;              // CHORUS_PUBLIC_BASE_URL; default http://LISTEN
  std::string admin_address = "127.0.0.1";  // CHORUS_ADMIN_LISTEN=host:port (metrics, readyz)
  std::uint16_t admin_port = 9090;
  // Thread defaults follow the core count (see DefaultThreads): on 2 cores one writer and one
  // worker form batches twice as large and do more per second than two of each.
  int io_threads = 2;                       // CHORUS_IO_THREADS
  int ingest_writers = 1;                   // CHORUS_INGEST_WRITERS
  int process_workers = 1;                  // CHORUS_PROCESS_WORKERS
  int dispatch_in_flight = 256;             // CHORUS_DISPATCH_IN_FLIGHT
  std::size_t max_body_bytes = 64 * 1024;   // CHORUS_MAX_BODY_BYTES
  std::size_t max_connections = 10'000;     // CHORUS_MAX_CONNECTIONS (clamped at start)
  // CHORUS_MAX_CONNECTIONS_PER_PEER; nullopt: a quarter of the connection cap; 0: no limit.
  std::optional<std::size_t> max_connections_per_peer;
  std::chrono::milliseconds read_timeout{10'000};     // CHORUS_READ_TIMEOUT_MS
  std::chrono::milliseconds idle_timeout{60'000};     // CHORUS_IDLE_TIMEOUT_MS
  std::chrono::milliseconds carrier_timeout{10'000};  // CHORUS_CARRIER_TIMEOUT_MS
  std::size_t carrier_connections_per_host = 128;     // CHORUS_CARRIER_CONNECTIONS_PER_HOST
  std::chrono::milliseconds shutdown_timeout{10'000}; // CHORUS_SHUTDOWN_TIMEOUT_MS
  std::chrono::seconds lease{60};                     // CHORUS_LEASE_SECONDS
  std::chrono::seconds retention_interval{3600};      // CHORUS_RETENTION_INTERVAL_SECONDS
  std::chrono::milliseconds timer_interval{200};      // CHORUS_TIMER_INTERVAL_MS: due timers
  // A sent message with no final status is asked about at its carrier after this long
  // (CHORUS_RECONCILE_AFTER_SECONDS), at most this many queries a second per channel
  // (CHORUS_RECONCILE_PER_SECOND; 0: never asked). docs/CARRIERS.md, Reconciliation.
  std::chrono::seconds reconcile_after{3600};
  int reconcile_per_second = 5;
  std::string log_level = "info";           // CHORUS_LOG_LEVEL
  std::string node_id;                      // CHORUS_NODE_ID; default hostname:port
  std::string secrets_key_file;             // CHORUS_SECRETS_KEY_FILE (docs/SECRETS.md)
};

/// Defaults of io_threads, ingest_writers and process_workers for a machine with `cores` cores:
/// io min(cores, 4), writers and workers cores / 2 (at least 1). Measured in BENCHMARKS.md.
void ApplyThreadDefaults(unsigned cores, Settings& settings);

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

/// The real process environment.
std::optional<std::string> ProcessEnv(std::string_view name);

/// Reads settings. `config_file` (may be empty) holds KEY=VALUE lines, '#' comments; unknown
/// keys there are errors (typos must not pass silently). kInvalidArgument with one line naming
/// the setting and what is wrong ("CHORUS_IO_THREADS: expected a whole number from 1 to 64,
/// got \"abc\""); values of CHORUS_DATABASE_URL are never echoed (they may hold a password).
Result<Settings> LoadSettings(const EnvLookup& env, const std::string& config_file);

/// Only what `chorus migrate`, `apply` and `sim` need: the database URL (and, for sim, the
/// listen address and public base URL), with the same sources and checks.
Result<Settings> LoadClientSettings(const EnvLookup& env, const std::string& config_file);

}  // namespace chorus::app

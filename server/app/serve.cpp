#include "app/serve.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/connection_budget.hpp"
#include "app/carriers.hpp"
#include "app/secret_keys.hpp"
#include "dispatch/dispatcher.hpp"
#include "retention/retention_job.hpp"
#include "store/pg/pg_retention_store.hpp"
#include "http/client_transport.hpp"
#include "http/server.hpp"
#include "http/server_metrics.hpp"
#include "http/service_routes.hpp"
#include "http/webhook_routes.hpp"
#include "ingest/inbox.hpp"
#include "ingest/processor.hpp"
#include "observability/metrics.hpp"
#include "store/pg/migrations.hpp"
#include "store/pg/pg_inbox_store.hpp"
#include "store/pg/pg_node_lock.hpp"
#include "store/pg/pg_outbox_store.hpp"
#include "store/pg/pg_processing_store.hpp"
#include "store/pg/pg_watcher.hpp"
#include "store/pg/pg_workspace_store.hpp"

namespace chorus::app {
namespace {

namespace asio = boost::asio;
using observability::Registry;

/// The current workspace snapshot and readiness, kept fresh by one thread that LISTENs for
/// changes and checks the database every second.
class WorkspaceWatch {
 public:
  WorkspaceWatch(std::string dsn, std::shared_ptr<const secrets::Keyring> keyring,
                 workspace::SnapshotPtr initial, int latest_migration)
      : store_(dsn, std::move(keyring)),
        watcher_(dsn),
        snapshot_(std::move(initial)),
        latest_(latest_migration) {}

  ~WorkspaceWatch() { Stop(); }

  void Start() { thread_ = std::thread([this] { Loop(); }); }

  void Stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  workspace::SnapshotPtr Snapshot() const { return snapshot_.load(); }

  http::Readiness Readiness() const {
    std::lock_guard lock(mutex_);
    return readiness_;
  }

 private:
  void Loop() {
    while (!stopping_) {
      auto changed = watcher_.WaitForChange(std::chrono::milliseconds(1000));
      auto version = changed.ok() ? watcher_.AppliedVersion() : Result<int>(changed.error());
      SetReadiness(version);
      // A reload that fails (its connection broke like the watcher's) is retried on the next
      // round: the change that asked for it would not be announced again.
      if (changed.ok() && *changed) reload_pending_ = true;
      if (changed.ok() && reload_pending_) reload_pending_ = !Reload();
      if (!changed.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  void SetReadiness(const Result<int>& version) {
    http::Readiness r;
    if (!version.ok()) {
      r.reason = "database unreachable";
    } else if (*version != latest_) {
      r.reason = "database schema is at migration " + std::to_string(*version) +
                 ", this binary expects " + std::to_string(latest_) + ": run chorus migrate";
    } else {
      r.ready = true;
    }
    std::lock_guard lock(mutex_);
    if (r.ready != readiness_.ready) {
      spdlog::info("readiness.changed ready={} reason=\"{}\"", r.ready, r.reason);
    }
    readiness_ = r;
  }

  bool Reload() {
    auto loaded = store_.LoadSnapshot();
    if (!loaded.ok()) {
      spdlog::warn("workspace.reload_failed code={} error=\"{}\"", ErrorCodeName(loaded.error().code),
                   loaded.error().message);
      return false;
    }
    snapshot_.store(*loaded);
    spdlog::info("workspace.reloaded channels={}", (*loaded)->channels().size());
    return true;
  }

  store::pg::PgWorkspaceStore store_;
  store::pg::PgWatcher watcher_;
  std::atomic<workspace::SnapshotPtr> snapshot_;
  int latest_;
  mutable std::mutex mutex_;
  http::Readiness readiness_;
  std::atomic<bool> stopping_{false};
  bool reload_pending_ = false;  // watcher thread only
  std::thread thread_;
};

/// Metrics the pipeline reports, looked up once.
struct PipelineMetrics {
  explicit PipelineMetrics(Registry& r)
      : registry(r),
        ingest_batch(r.GetHistogram("chorus_ingest_batch_size",
                                    "Webhooks made durable per transaction", {},
                                    observability::SizeBuckets())),
        ingest_failed(r.GetCounter("chorus_ingest_batches_total", "Ingest transactions",
                                   {{"result", "failed"}})),
        ingest_ok(r.GetCounter("chorus_ingest_batches_total", "Ingest transactions",
                               {{"result", "committed"}})),
        process_batch(r.GetHistogram("chorus_processing_batch_members",
                                     "Members routed per processing transaction", {},
                                     observability::SizeBuckets())),
        process_failed(r.GetCounter("chorus_processing_batches_total",
                                    "Processing transactions", {{"result", "failed"}})),
        outbox_depth(r.GetGauge("chorus_outbox_due_messages",
                                "Queued outbound messages due now (saturates at 100000)")),
        redacted_inbound(r.GetCounter("chorus_retention_redacted_total",
                                      "Message bodies erased after the retention period",
                                      {{"direction", "inbound"}})),
        redacted_outbound(r.GetCounter("chorus_retention_redacted_total",
                                       "Message bodies erased after the retention period",
                                       {{"direction", "outbound"}})),
        retention_failed(r.GetCounter("chorus_retention_failed_steps_total",
                                      "Retention steps that failed (retried next run)")) {}

  void OnSend(std::string_view carrier, std::string_view result, double seconds) {
    registry
        .GetCounter("chorus_sends_total", "Carrier send attempts",
                    {{"carrier", std::string(carrier)}, {"result", std::string(result)}})
        .Inc();
    registry
        .GetHistogram("chorus_send_duration_seconds", "Carrier API latency",
                      {{"carrier", std::string(carrier)}}, observability::LatencyBuckets())
        .Observe(seconds);
  }

  Registry& registry;
  observability::Histogram& ingest_batch;
  observability::Counter& ingest_failed;
  observability::Counter& ingest_ok;
  observability::Histogram& process_batch;
  observability::Counter& process_failed;
  observability::Gauge& outbox_depth;
  observability::Counter& redacted_inbound;
  observability::Counter& redacted_outbound;
  observability::Counter& retention_failed;
};

template <typename Store>
std::vector<std::unique_ptr<Store>> Stores(const std::string& dsn, int n) {
  std::vector<std::unique_ptr<Store>> out;
  for (int i = 0; i < n; ++i) out.push_back(std::make_unique<Store>(dsn));
  return out;
}

template <typename Port, typename Store>
std::vector<std::unique_ptr<Port>> Upcast(std::vector<std::unique_ptr<Store>> stores) {
  std::vector<std::unique_ptr<Port>> out;
  for (auto& s : stores) out.push_back(std::move(s));
  return out;
}

/// Blocks until SIGINT/SIGTERM has been received and the HTTP server has drained.
class ShutdownLatch {
 public:
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return released_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool released_ = false;
};

Result<int> CheckSchema(const std::string& dsn) {
  const auto& migrations = store::pg::EmbeddedMigrations();
  CHORUS_ASSIGN_OR_RETURN(auto state, store::pg::ReadMigrationState(dsn, migrations));
  if (!state.current()) {
    return MakeError(ErrorCode::kUnavailable,
                     "database schema is at migration " + std::to_string(state.applied) +
                         ", this binary expects " + std::to_string(state.latest) +
                         ": run `chorus migrate` first");
  }
  return state.latest;
}

}  // namespace

int Serve(const Settings& settings) {
  auto latest = CheckSchema(settings.database_url);
  if (!latest.ok()) {
    spdlog::critical("chorus serve: {}", latest.error().message);
    return 1;
  }
  auto keyring = LoadKeyring(settings);
  if (!keyring.ok()) {
    spdlog::critical("chorus serve: {}", keyring.error().message);
    return 1;
  }
  auto initial = store::pg::PgWorkspaceStore(settings.database_url, *keyring).LoadSnapshot();
  if (!initial.ok()) {
    spdlog::critical("chorus serve: cannot load the workspace: {}", initial.error().message);
    return 1;
  }

  // Before anything takes back "its own" leased messages: one live process per node id.
  store::pg::PgNodeLock node_lock(settings.database_url);
  if (auto locked = node_lock.Acquire(settings.node_id); !locked.ok()) {
    spdlog::critical("chorus serve: {}", locked.error().message);
    return 1;
  }

  Registry registry;
  PipelineMetrics metrics(registry);
  WorkspaceWatch watch(settings.database_url, *keyring, *initial, *latest);
  auto snapshot = [&watch] { return watch.Snapshot(); };
  asio::io_context io(settings.io_threads);

  const auto carriers = BuildCarriers();
  http::ClientTransport transport(io, http::ClientOptions{settings.carrier_timeout});
  dispatch::DispatcherOptions dispatch_options;
  dispatch_options.node_id = settings.node_id;
  dispatch_options.public_base_url = settings.public_base_url;
  dispatch_options.lease = settings.lease;
  dispatch_options.max_in_flight = static_cast<std::size_t>(settings.dispatch_in_flight);
  dispatch_options.on_send = [&metrics](std::string_view c, std::string_view r, double s) {
    metrics.OnSend(c, r, s);
  };
  dispatch_options.on_depth = [&metrics](std::int64_t d) {
    metrics.outbox_depth.Set(static_cast<double>(d));
  };
  dispatch::Dispatcher dispatcher(
      std::make_unique<store::pg::PgOutboxStore>(settings.database_url),
      std::make_unique<store::pg::PgOutboxStore>(settings.database_url), transport,
      *carriers, snapshot, dispatch_options);

  ingest::ProcessorOptions process_options;
  process_options.on_outbound = [&dispatcher](const std::vector<ChannelId>& channels) {
    dispatcher.Notify(channels);
  };
  process_options.on_batch = [&metrics](std::size_t keys, bool ok) {
    if (ok) metrics.process_batch.Observe(static_cast<double>(keys));
    else metrics.process_failed.Inc();
  };
  ingest::Processor processor(
      Upcast<ingest::ProcessingStore>(
          Stores<store::pg::PgProcessingStore>(settings.database_url, settings.process_workers)),
      std::make_unique<store::pg::PgProcessingStore>(settings.database_url), snapshot,
      process_options);

  ingest::InboxOptions inbox_options;
  inbox_options.on_batch = [&metrics](std::size_t size, bool ok) {
    metrics.ingest_batch.Observe(static_cast<double>(size));
    (ok ? metrics.ingest_ok : metrics.ingest_failed).Inc();
  };
  inbox_options.on_new_inbound = [&processor](std::vector<ingest::MemberKey> keys) {
    processor.Hint(std::move(keys));
  };
  ingest::Inbox inbox(
      Upcast<ingest::InboxStore>(
          Stores<store::pg::PgInboxStore>(settings.database_url, settings.ingest_writers)),
      inbox_options);

  retention::RetentionOptions retention_options;
  retention_options.interval = settings.retention_interval;
  retention_options.on_redacted = [&metrics](OrganizationId, retention::Direction d, int n) {
    (d == retention::Direction::kInbound ? metrics.redacted_inbound : metrics.redacted_outbound)
        .Inc(static_cast<std::uint64_t>(n));
  };
  retention_options.on_failed = [&metrics](OrganizationId org, retention::Direction d,
                                           const Error& e) {
    metrics.retention_failed.Inc();
    spdlog::warn("retention.step_failed organization={} direction={} code={}", org,
                 retention::DirectionName(d), ErrorCodeName(e.code));
  };
  retention::RetentionJob retention_job(
      std::make_unique<store::pg::PgRetentionStore>(settings.database_url), snapshot,
      retention_options);

  auto router = std::make_shared<http::Router>();
  http::AddWebhookRoutes(*router, {snapshot, &inbox, carriers.get(), settings.public_base_url,
                                   &registry, {}});
  http::AddHealthRoute(*router);
  auto admin_router = std::make_shared<http::Router>();
  http::AddAdminRoutes(*admin_router, {[&watch] { return watch.Readiness(); }, &registry});

  // Descriptors the rest of the process needs: every database connection, the carrier client
  // (in-flight sends), the admin listener, and files and logs.
  const std::size_t reserved = static_cast<std::size_t>(settings.ingest_writers +
                                                        settings.process_workers + 8) +
                               static_cast<std::size_t>(settings.dispatch_in_flight) + 64 + 64;
  const std::uint64_t descriptors = RaiseDescriptorLimit();
  auto budget = PlanConnections(settings.max_connections, settings.max_connections_per_peer,
                                descriptors, reserved);
  if (!budget.ok()) {
    spdlog::critical("chorus serve: {}", budget.error().message);
    return 1;
  }
  if (budget->clamped) {
    spdlog::warn("serve.connections_clamped requested={} max_connections={} descriptor_limit={}",
                 settings.max_connections, budget->max_connections, descriptors);
  }

  http::ServerOptions server_options;
  server_options.name = "public";
  server_options.address = settings.listen_address;
  server_options.port = settings.listen_port;
  server_options.body_limit = settings.max_body_bytes;
  server_options.read_timeout = settings.read_timeout;
  server_options.idle_timeout = settings.idle_timeout;
  server_options.max_connections = budget->max_connections;
  server_options.max_connections_per_peer = budget->per_peer;
  std::vector<std::string> public_routes = router->Patterns();
  for (auto& pattern : http::WebhookRoutePatterns(*carriers)) public_routes.push_back(pattern);
  http::Server server(io, server_options, router,
                      std::make_shared<http::ServerMetrics>(registry, "public", public_routes));
  if (auto listening = server.Listen(); !listening.ok()) {
    spdlog::critical("chorus serve: {}", listening.error().message);
    return 1;
  }
  http::ServerOptions admin_options;
  admin_options.name = "admin";
  admin_options.address = settings.admin_address;
  admin_options.port = settings.admin_port;
  admin_options.read_timeout = settings.read_timeout;
  admin_options.idle_timeout = settings.idle_timeout;
  admin_options.max_connections = 64;
  http::Server admin(io, admin_options, admin_router,
                     std::make_shared<http::ServerMetrics>(registry, "admin",
                                                           admin_router->Patterns()));
  if (auto listening = admin.Listen(); !listening.ok()) {
    spdlog::critical("chorus serve: CHORUS_ADMIN_LISTEN: {}", listening.error().message);
    return 1;
  }

  watch.Start();
  inbox.Start();
  processor.Start();
  dispatcher.Start();
  retention_job.Start();
  server.Start();
  admin.Start();

  ShutdownLatch drained;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("shutdown.begin signal={}", signal);
    server.Shutdown(settings.shutdown_timeout, [&drained] { drained.Release(); });
    admin.Shutdown(std::chrono::milliseconds(0), {});
    // A second signal means the operator will not wait: leave now. Everything acknowledged is
    // durable; unrecorded sends are recovered after their lease (README, delivery guarantee).
    signals.async_wait([](const boost::system::error_code& again, int) {
      if (again) return;
      spdlog::warn("shutdown.forced");
      spdlog::default_logger()->flush();
      std::_Exit(1);
    });
  });

  std::vector<std::thread> threads;
  for (int i = 0; i < settings.io_threads; ++i) {
    threads.emplace_back([&io, i] { http::RunIoContext(io, "io-" + std::to_string(i)); });
  }
  spdlog::info("serve.listening address={} port={} admin_address={} admin_port={} "
               "public_base_url={} node={} max_connections={} max_connections_per_peer={}",
               settings.listen_address, server.port(), settings.admin_address, admin.port(),
               settings.public_base_url, settings.node_id, budget->max_connections,
               budget->per_peer);

  drained.Wait();          // no request in progress any more
  inbox.Stop();            // writes what is queued
  processor.Stop();        // finishes batches in progress; the rest is durable
  dispatcher.Stop(settings.shutdown_timeout);
  retention_job.Stop();
  watch.Stop();
  io.stop();
  for (auto& t : threads) t.join();
  spdlog::info("shutdown.done");
  return 0;
}

}  // namespace chorus::app

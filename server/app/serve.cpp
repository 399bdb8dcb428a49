#include "app/serve.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/carriers.hpp"
#include "app/connection_budget.hpp"
#include "app/inbox_status_sink.hpp"
#include "app/secret_keys.hpp"
#include "app/store_pool.hpp"
#include "broadcasts/runner.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/reconciler.hpp"
#include "http/client_transport.hpp"
#include "http/server.hpp"
#include "http/server_metrics.hpp"
#include "http/api_routes.hpp"
#include "http/service_routes.hpp"
#include "http/webhook_routes.hpp"
#include "ingest/inbox.hpp"
#include "ingest/processor.hpp"
#include "observability/metrics.hpp"
#include "observability/pipeline_metrics.hpp"
#include "retention/retention_job.hpp"
#include "dispatch/webhook_caller.hpp"
#include "store/pg/migrations.hpp"
#include "store/pg/pg_api_store.hpp"
#include "store/pg/pg_broadcast_store.hpp"
#include "store/pg/pg_workspace_editor.hpp"
#include "store/pg/pg_inbox_store.hpp"
#include "store/pg/pg_node_lock.hpp"
#include "store/pg/pg_outbox_store.hpp"
#include "store/pg/pg_processing_store.hpp"
#include "store/pg/pg_reconcile_store.hpp"
#include "store/pg/pg_retention_store.hpp"
#include "store/pg/pg_webhook_call_store.hpp"
#include "store/pg/pg_watcher.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "workspace/workspace_watch.hpp"

namespace chorus::app {
namespace {

namespace asio = boost::asio;

// Database connections of the organizer API's executor: its requests are few and short next to
// the webhooks', and two keep one slow search from holding up every other organizer.
constexpr int kApiConnections = 2;

// One database thread of the organizer API: its stores, on connections of their own.
struct ApiDatabase {
  std::unique_ptr<store::pg::PgApiStore> api;
  std::unique_ptr<store::pg::PgWorkspaceEditor> workspace;
  std::unique_ptr<store::pg::PgBroadcastStore> broadcasts;
};

std::vector<std::unique_ptr<ApiDatabase>> ApiDatabases(
    const std::string& dsn, const std::shared_ptr<const secrets::Keyring>& keyring) {
  std::vector<std::unique_ptr<ApiDatabase>> out;
  for (int i = 0; i < kApiConnections; ++i) {
    out.push_back(std::make_unique<ApiDatabase>(
        ApiDatabase{std::make_unique<store::pg::PgApiStore>(dsn),
                    std::make_unique<store::pg::PgWorkspaceEditor>(dsn, keyring),
                    std::make_unique<store::pg::PgBroadcastStore>(dsn)}));
  }
  return out;
}

template <typename Port, typename Store>
std::vector<std::unique_ptr<Port>> Stores(const std::string& dsn, int n) {
  std::vector<std::unique_ptr<Port>> out;
  for (int i = 0; i < n; ++i) out.push_back(std::make_unique<Store>(dsn));
  return out;
}

/// What must hold before anything starts; each failure is one line and exit 1.
struct Preflight {
  int latest_migration = 0;
  std::shared_ptr<const secrets::Keyring> keyring;
  workspace::SnapshotPtr snapshot;
  ConnectionBudget budget;
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

// Descriptors the rest of the process needs besides public connections: every database
// connection, the carrier client (in-flight sends), the admin listener, and files and logs.
Result<ConnectionBudget> Budget(const Settings& s) {
  const auto reserved = static_cast<std::size_t>(s.ingest_writers + s.process_workers + 10 +
                                                 3 * kApiConnections) +
                        static_cast<std::size_t>(s.dispatch_in_flight) + 64 + 64;
  const std::uint64_t descriptors = RaiseDescriptorLimit();
  auto budget = PlanConnections(s.max_connections, s.max_connections_per_peer, descriptors,
                                reserved);
  if (budget.ok() && budget->clamped) {
    spdlog::warn("serve.connections_clamped requested={} max_connections={} descriptor_limit={}",
                 s.max_connections, budget->max_connections, descriptors);
  }
  return budget;
}

Result<Preflight> Prepare(const Settings& s) {
  Preflight p;
  CHORUS_ASSIGN_OR_RETURN(p.latest_migration, CheckSchema(s.database_url));
  CHORUS_ASSIGN_OR_RETURN(p.keyring, LoadKeyring(s));
  auto snapshot = store::pg::PgWorkspaceStore(s.database_url, p.keyring).LoadSnapshot();
  if (!snapshot.ok()) {
    return MakeError(snapshot.error().code,
                     "cannot load the workspace: " + snapshot.error().message);
  }
  p.snapshot = *snapshot;
  CHORUS_ASSIGN_OR_RETURN(p.budget, Budget(s));
  return p;
}

http::ServerOptions PublicServerOptions(const Settings& s, const ConnectionBudget& budget) {
  http::ServerOptions o;
  o.name = "public";
  o.address = s.listen_address;
  o.port = s.listen_port;
  o.body_limit = s.max_body_bytes;
  o.read_timeout = s.read_timeout;
  o.idle_timeout = s.idle_timeout;
  o.max_connections = budget.max_connections;
  o.max_connections_per_peer = budget.per_peer;
  return o;
}

http::ServerOptions AdminServerOptions(const Settings& s) {
  http::ServerOptions o;
  o.name = "admin";
  o.address = s.admin_address;
  o.port = s.admin_port;
  o.read_timeout = s.read_timeout;
  o.idle_timeout = s.idle_timeout;
  o.max_connections = 64;
  return o;
}

std::vector<std::string> KindsOf(const carriers::Registry& carriers) {
  std::vector<std::string> out;
  for (auto kind : carriers.Kinds()) out.emplace_back(kind);
  return out;
}

/// The running gateway: every service, built in dependency order (members are declared in
/// it), started together and stopped in the order that loses nothing.
class Gateway {
 public:
  Gateway(const Settings& s, const Preflight& p)
      : settings_(s),
        budget_(p.budget),
        carriers_(BuildCarriers()),
        metrics_(registry_, KindsOf(*carriers_), dispatch::SendResultNames(),
                 ingest::EventOutcomeNames(), dispatch::WebhookCaller::ResultNames(),
                 dispatch::Reconciler::ResultNames()),
        watch_(std::make_unique<store::pg::PgWorkspaceStore>(s.database_url, p.keyring),
               std::make_unique<store::pg::PgWatcher>(s.database_url), p.snapshot,
               p.latest_migration),
        io_(s.io_threads),
        transport_(io_, http::ClientOptions{.timeout = s.carrier_timeout,
                                            .max_connections_per_host = s.carrier_connections_per_host,
                                            .max_idle_per_host = s.carrier_connections_per_host}),
        dispatcher_(std::make_unique<store::pg::PgOutboxStore>(s.database_url),
                    std::make_unique<store::pg::PgOutboxStore>(s.database_url), transport_,
                    *carriers_, Snapshots(), DispatchOptions()),
        processor_(Stores<ingest::ProcessingStore, store::pg::PgProcessingStore>(
                       s.database_url, s.process_workers),
                   std::make_unique<store::pg::PgProcessingStore>(s.database_url), Snapshots(),
                   ProcessOptions(),
                   std::make_unique<store::pg::PgProcessingStore>(s.database_url)),
        webhooks_(std::make_unique<store::pg::PgWebhookCallStore>(s.database_url), transport_,
                  Snapshots(), clock_, WebhookOptions()),
        inbox_(Stores<ingest::InboxStore, store::pg::PgInboxStore>(s.database_url,
                                                                    s.ingest_writers),
               InboxOptions()),
        status_sink_(inbox_),
        reconciler_(MakeReconciler()),
        retention_(std::make_unique<store::pg::PgRetentionStore>(s.database_url), Snapshots(),
                   RetentionOptions()),
        broadcasts_(std::make_unique<store::pg::PgBroadcastQueue>(s.database_url),
                    BroadcastOptions()),
        api_pool_(ApiDatabases(s.database_url, p.keyring)),
        public_routes_(PublicRoutes()),
        admin_routes_(AdminRoutes()),
        public_(io_, PublicServerOptions(s, budget_), public_routes_, PublicMetrics()),
        admin_(io_, AdminServerOptions(s), admin_routes_,
               std::make_shared<http::ServerMetrics>(registry_, "admin",
                                                     admin_routes_->Patterns())) {}

  Result<void> Listen() {
    CHORUS_TRY(public_.Listen());
    auto admin = admin_.Listen();
    if (!admin.ok()) {
      return MakeError(admin.error().code, "CHORUS_ADMIN_LISTEN: " + admin.error().message);
    }
    return Ok();
  }

  void Start() {
    watch_.Start();
    inbox_.Start();
    processor_.Start();
    webhooks_.Start();
    dispatcher_.Start();
    retention_.Start();
    if (reconciler_) reconciler_->Start();
    broadcasts_.Start();
    public_.Start();
    admin_.Start();
    for (int i = 0; i < settings_.io_threads; ++i) {
      threads_.emplace_back([this, i] { http::RunIoContext(io_, "io-" + std::to_string(i)); });
    }
    spdlog::info("serve.listening address={} port={} admin_address={} admin_port={} "
                 "public_base_url={} node={} max_connections={} max_connections_per_peer={}",
                 settings_.listen_address, public_.port(), settings_.admin_address,
                 admin_.port(), settings_.public_base_url, settings_.node_id,
                 budget_.max_connections, budget_.per_peer);
  }

  /// Stops accepting; `drained` runs once no request is in progress any more.
  void Drain(std::function<void()> drained) {
    public_.Shutdown(settings_.shutdown_timeout, std::move(drained));
    admin_.Shutdown(std::chrono::milliseconds(0), {});
  }

  /// After Drain: what was acknowledged is written, what is in flight finishes or is left to
  /// lease recovery, then the I/O threads end.
  void Stop() {
    // First: the answers of its queries in flight are recorded through the inbox.
    if (reconciler_) reconciler_->Stop(settings_.shutdown_timeout);
    inbox_.Stop();       // writes what is queued
    processor_.Stop();   // finishes batches in progress; the rest is durable
    webhooks_.Stop();    // calls in flight are made again after their lease
    broadcasts_.Stop();  // a batch in progress commits or rolls back whole
    dispatcher_.Stop(settings_.shutdown_timeout);
    retention_.Stop();
    api_pool_.Stop();    // the public listener has drained: no request waits for a job
    watch_.Stop();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  asio::io_context& io() { return io_; }

 private:
  std::function<workspace::SnapshotPtr()> Snapshots() {
    return [this] { return watch_.Snapshot(); };
  }

  dispatch::DispatcherOptions DispatchOptions() {
    dispatch::DispatcherOptions o;
    o.node_id = settings_.node_id;
    o.public_base_url = settings_.public_base_url;
    o.lease = settings_.lease;
    o.max_in_flight = static_cast<std::size_t>(settings_.dispatch_in_flight);
    o.on_send = [this](std::string_view c, std::string_view r, double s) {
      metrics_.OnSend(c, r, s);
    };
    o.on_depth = [this](std::int64_t d) { metrics_.OnOutboxDepth(d); };
    return o;
  }

  ingest::ProcessorOptions ProcessOptions() {
    ingest::ProcessorOptions o;
    o.on_outbound = [this](const std::vector<ChannelId>& c) { dispatcher_.Notify(c); };
    o.on_batch = [this](std::size_t keys, bool ok) { metrics_.OnProcessBatch(keys, ok); };
    o.on_webhook_calls = [this] { webhooks_.Notify(); };
    o.on_processed = [this](const std::vector<ingest::ProcessedMark>& marks) {
      for (const auto& mark : marks) {
        metrics_.OnEvent(ingest::EventKindName(mark.kind),
                         mark.kind == ingest::EventKind::kInbound
                             ? routing::OutcomeName(mark.outcome)
                             : ingest::EventOutcomeName(mark.event_outcome));
      }
    };
    o.due_interval = settings_.timer_interval;
    return o;
  }

  dispatch::WebhookCallerOptions WebhookOptions() {
    dispatch::WebhookCallerOptions o;
    o.on_call = [this](std::string_view result) { metrics_.OnWebhookCall(result); };
    o.on_result = [this](OrganizationId org, MemberId member) {
      processor_.Hint({ingest::MemberKey{org, member}});
    };
    return o;
  }

  ingest::InboxOptions InboxOptions() {
    ingest::InboxOptions o;
    o.on_batch = [this](std::size_t size, bool ok) { metrics_.OnIngestBatch(size, ok); };
    o.on_new_inbound = [this](std::vector<ingest::MemberKey> k) { processor_.Hint(std::move(k)); };
    return o;
  }

  // CHORUS_RECONCILE_PER_SECOND=0 turns reconciliation off: no thread, no connection.
  std::unique_ptr<dispatch::Reconciler> MakeReconciler() {
    if (settings_.reconcile_per_second <= 0) return nullptr;
    dispatch::ReconcilerOptions o;
    o.after = settings_.reconcile_after;
    o.per_second = settings_.reconcile_per_second;
    o.on_result = [this](std::string_view carrier, std::string_view result) {
      metrics_.OnReconcile(carrier, result);
    };
    return std::make_unique<dispatch::Reconciler>(
        std::make_unique<store::pg::PgReconcileStore>(settings_.database_url), transport_,
        *carriers_, Snapshots(), status_sink_, std::move(o));
  }

  retention::RetentionOptions RetentionOptions() {
    retention::RetentionOptions o;
    o.interval = settings_.retention_interval;
    o.on_redacted = [this](OrganizationId, retention::Direction d, int n) {
      metrics_.OnRedacted(retention::DirectionName(d), n);
    };
    o.on_failed = [this](OrganizationId org, retention::Direction d, const Error& e) {
      metrics_.OnRetentionFailed();
      spdlog::warn("retention.step_failed organization={} direction={} code={}", org,
                   retention::DirectionName(d), ErrorCodeName(e.code));
    };
    return o;
  }

  broadcasts::RunnerOptions BroadcastOptions() {
    broadcasts::RunnerOptions o;
    o.on_queued = [this](const std::vector<ChannelId>& c) { dispatcher_.Notify(c); };
    o.on_round = [this](std::int64_t written, std::int64_t queued, std::int64_t expired) {
      metrics_.OnBroadcastRound(written, queued, expired);
    };
    o.on_error = [](const Error& e) {
      spdlog::warn("broadcasts.step_failed code={} message={}", ErrorCodeName(e.code), e.message);
    };
    return o;
  }

  std::shared_ptr<http::Router> PublicRoutes() {
    auto router = std::make_shared<http::Router>();
    http::AddWebhookRoutes(*router, {Snapshots(), &inbox_, carriers_.get(),
                                     settings_.public_base_url, &registry_, {}});
    http::AddHealthRoute(*router);
    http::AddApiRoutes(*router,
                       {[this](std::function<void(http::ApiBackends)> job) {
                          api_pool_.Post([job = std::move(job)](ApiDatabase& db) {
                            job({*db.api, *db.workspace, *db.broadcasts});
                          });
                        },
                        [this](OrganizationId org, MemberId member) {
                          processor_.Hint({ingest::MemberKey{org, member}});
                        },
                        [this](OrganizationId org) { watch_.ReloadNow(org); },
                        std::make_shared<CarrierChannelRules>(*carriers_),
                        [this] { broadcasts_.Notify(); }});
    return router;
  }

  std::shared_ptr<http::ServerMetrics> PublicMetrics() {
    std::vector<std::string> patterns = public_routes_->Patterns();
    for (auto& pattern : http::WebhookRoutePatterns(*carriers_)) patterns.push_back(pattern);
    return std::make_shared<http::ServerMetrics>(registry_, "public", patterns);
  }

  std::shared_ptr<http::Router> AdminRoutes() {
    auto router = std::make_shared<http::Router>();
    auto readiness = [this] {
      const workspace::StoreHealth health = watch_.Health();
      return http::Readiness{health.ready, health.reason};
    };
    http::AddAdminRoutes(*router, {readiness, &registry_});
    return router;
  }

  const Settings& settings_;
  const ConnectionBudget budget_;
  observability::Registry registry_;
  std::unique_ptr<carriers::Registry> carriers_;
  observability::PipelineMetrics metrics_;
  workspace::WorkspaceWatch watch_;
  asio::io_context io_;
  SystemClock clock_;
  http::ClientTransport transport_;
  dispatch::Dispatcher dispatcher_;
  ingest::Processor processor_;
  dispatch::WebhookCaller webhooks_;
  ingest::Inbox inbox_;
  InboxStatusSink status_sink_;
  std::unique_ptr<dispatch::Reconciler> reconciler_;
  retention::RetentionJob retention_;
  broadcasts::Runner broadcasts_;
  StorePool<ApiDatabase> api_pool_;
  std::shared_ptr<http::Router> public_routes_;
  std::shared_ptr<http::Router> admin_routes_;
  http::Server public_;
  http::Server admin_;
  std::vector<std::thread> threads_;
};

/// Blocks until released (once the public listener has drained).
class Latch {
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

// SIGINT/SIGTERM drains the gateway; a second signal means the operator will not wait: leave
// now. Everything acknowledged is durable; unrecorded sends are recovered after their lease
// (README, Guarantees).
void OnSignals(asio::signal_set& signals, Gateway& gateway, Latch& drained) {
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("shutdown.begin signal={}", signal);
    gateway.Drain([&drained] { drained.Release(); });
    signals.async_wait([](const boost::system::error_code& again, int) {
      if (again) return;
      spdlog::warn("shutdown.forced");
      spdlog::default_logger()->flush();
      std::_Exit(1);
    });
  });
}

}  // namespace

int Serve(const Settings& settings) {
  auto preflight = Prepare(settings);
  if (!preflight.ok()) {
    spdlog::critical("chorus serve: {}", preflight.error().message);
    return 1;
  }
  // Before anything takes back "its own" leased messages: one live process per node id.
  store::pg::PgNodeLock node_lock(settings.database_url);
  if (auto locked = node_lock.Acquire(settings.node_id); !locked.ok()) {
    spdlog::critical("chorus serve: {}", locked.error().message);
    return 1;
  }

  Gateway gateway(settings, *preflight);
  if (auto listening = gateway.Listen(); !listening.ok()) {
    spdlog::critical("chorus serve: {}", listening.error().message);
    return 1;
  }
  Latch drained;
  asio::signal_set signals(gateway.io(), SIGINT, SIGTERM);
  OnSignals(signals, gateway, drained);
  gateway.Start();
  drained.Wait();
  gateway.Stop();
  spdlog::info("shutdown.done");
  return 0;
}

}  // namespace chorus::app

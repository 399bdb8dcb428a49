#include "workspace/workspace_watch.hpp"

#include <spdlog/spdlog.h>

namespace chorus::workspace {

WorkspaceWatch::WorkspaceWatch(std::unique_ptr<WorkspaceStore> store,
                               std::unique_ptr<ChangeFeed> feed, SnapshotPtr initial,
                               int expected_schema, std::chrono::milliseconds round)
    : store_(std::move(store)),
      feed_(std::move(feed)),
      snapshot_(std::move(initial)),
      expected_schema_(expected_schema),
      round_(round) {}

WorkspaceWatch::~WorkspaceWatch() { Stop(); }

void WorkspaceWatch::Start() {
  thread_ = std::thread([this] {
    while (!stopping_) RunRound();
  });
}

void WorkspaceWatch::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

StoreHealth WorkspaceWatch::Health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

void WorkspaceWatch::RunRound() {
  auto changed = feed_->WaitForChange(round_);
  SetHealth(changed.ok() ? feed_->SchemaVersion() : Result<int>(changed.error()));
  if (!changed.ok()) {
    std::this_thread::sleep_for(round_ / 2);  // the store is down: do not spin
    return;
  }
  if (*changed) Widen(feed_->ChangedOrganizations());
  if (reload_pending_) reload_pending_ = !Reload();
}

void WorkspaceWatch::SetHealth(const Result<int>& version) {
  StoreHealth h;
  if (!version.ok()) {
    h.reason = "database unreachable";
  } else if (*version != expected_schema_) {
    h.reason = "database schema is at migration " + std::to_string(*version) +
               ", this binary expects " + std::to_string(expected_schema_) +
               ": run chorus migrate";
  } else {
    h.ready = true;
  }
  std::lock_guard lock(mutex_);
  if (h.ready != health_.ready) {
    spdlog::info("readiness.changed ready={} reason=\"{}\"", h.ready, h.reason);
  }
  health_ = std::move(h);
}

void WorkspaceWatch::Widen(std::optional<std::set<OrganizationId>> changed) {
  if (!reload_pending_) {
    pending_organizations_ = std::move(changed);
  } else if (pending_organizations_ && changed) {
    pending_organizations_->insert(changed->begin(), changed->end());
  } else {
    pending_organizations_.reset();  // all of them
  }
  reload_pending_ = true;
}

bool WorkspaceWatch::ReloadNow(OrganizationId organization) {
  std::lock_guard lock(store_mutex_);
  auto loaded = store_->LoadOrganizations({organization});
  if (!loaded.ok()) {
    spdlog::warn("workspace.reload_failed code={} error=\"{}\"",
                 ErrorCodeName(loaded.error().code), loaded.error().message);
    return false;
  }
  snapshot_.store(snapshot_.load()->Replacing({organization}, **loaded));
  return true;
}

bool WorkspaceWatch::Reload() {
  std::lock_guard lock(store_mutex_);
  const bool some = pending_organizations_.has_value();
  auto loaded = some ? store_->LoadOrganizations(*pending_organizations_) : store_->LoadSnapshot();
  if (!loaded.ok()) {
    spdlog::warn("workspace.reload_failed code={} error=\"{}\"",
                 ErrorCodeName(loaded.error().code), loaded.error().message);
    return false;
  }
  if (some) {
    snapshot_.store(snapshot_.load()->Replacing(*pending_organizations_, **loaded));
    spdlog::info("workspace.reloaded organizations={}", pending_organizations_->size());
  } else {
    snapshot_.store(*loaded);
    spdlog::info("workspace.reloaded organizations=all channels={}", (*loaded)->channels().size());
  }
  return true;
}

}  // namespace chorus::workspace

#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "retention/retention_store.hpp"
#include "workspace/workspace.hpp"

namespace chorus::retention {

struct RetentionOptions {
  std::chrono::milliseconds interval{std::chrono::hours(1)};  // between runs; the first at start
  int batch = 1000;                                           // bodies per transaction
  /// After each step that erased something: organization, direction, bodies erased.
  std::function<void(OrganizationId, Direction, int)> on_redacted;
  /// After a step failed (the database is down, say); the run goes on with the next
  /// organization and the next run tries again.
  std::function<void(OrganizationId, Direction, const Error&)> on_failed;
};

struct RunTotals {
  int redacted = 0;
  int keys_expired = 0;  // Idempotency-Keys older than a day
  int failed_steps = 0;
};

/// Erases old message bodies in the background: every `interval`, for each organization of
/// the current snapshot, steps its store until nothing older than the organization's
/// `message_body_retention_days` is left. Safe on every node at once (the store takes turns).
class RetentionJob {
 public:
  using SnapshotSource = std::function<workspace::SnapshotPtr()>;

  RetentionJob(std::unique_ptr<RetentionStore> store, SnapshotSource snapshot,
               RetentionOptions options);
  ~RetentionJob();
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;

  void Start();
  /// Finishes the step in progress (one transaction), then joins.
  void Stop();

  /// One run over every organization, on the caller's thread.
  RunTotals RunOnce();

 private:
  void Loop();
  bool Stopping();

  std::unique_ptr<RetentionStore> store_;
  SnapshotSource snapshot_;
  RetentionOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace chorus::retention

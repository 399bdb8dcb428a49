#include "retention/retention_job.hpp"

#include <spdlog/spdlog.h>

namespace chorus::retention {

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kInbound ? "inbound" : "outbound";
}

RetentionJob::RetentionJob(std::unique_ptr<RetentionStore> store, SnapshotSource snapshot,
                           RetentionOptions options)
    : store_(std::move(store)), snapshot_(std::move(snapshot)), options_(std::move(options)) {}

RetentionJob::~RetentionJob() { Stop(); }

void RetentionJob::Start() { thread_ = std::thread([this] { Loop(); }); }

void RetentionJob::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RetentionJob::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void RetentionJob::Loop() {
  for (;;) {
    const RunTotals totals = RunOnce();
    if (totals.redacted > 0 || totals.failed_steps > 0 || totals.keys_expired > 0) {
      spdlog::info("retention.run redacted={} keys_expired={} failed_steps={}", totals.redacted,
                   totals.keys_expired, totals.failed_steps);
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
  }
}

RunTotals RetentionJob::RunOnce() {
  RunTotals totals;
  // Idempotency-Keys are answered again for a day (docs/API.md), then forgotten.
  if (auto expired = store_->ExpireIdempotencyKeys(std::chrono::hours(24)); expired.ok()) {
    totals.keys_expired = *expired;
  } else {
    ++totals.failed_steps;
  }
  const workspace::SnapshotPtr snapshot = snapshot_();
  if (!snapshot) return totals;
  for (const auto& organization : snapshot->organizations()) {
    for (Direction direction : {Direction::kInbound, Direction::kOutbound}) {
      std::int64_t resume_after = 0;
      for (;;) {
        if (Stopping()) return totals;
        auto step = store_->RedactOlderThan(organization.id, direction,
                                            organization.message_body_retention_days,
                                            options_.batch, resume_after);
        if (!step.ok()) {
          ++totals.failed_steps;
          if (options_.on_failed) options_.on_failed(organization.id, direction, step.error());
          break;
        }
        totals.redacted += step->redacted;
        if (step->redacted > 0 && options_.on_redacted) {
          options_.on_redacted(organization.id, direction, step->redacted);
        }
        if (!step->more) break;
        resume_after = step->resume_after;
      }
    }
  }
  return totals;
}

}  // namespace chorus::retention

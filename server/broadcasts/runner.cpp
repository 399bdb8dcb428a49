#include "broadcasts/runner.hpp"

namespace chorus::broadcasts {

Runner::Runner(std::unique_ptr<BroadcastQueue> queue, RunnerOptions options)
    : queue_(std::move(queue)), options_(std::move(options)) {}

Runner::~Runner() { Stop(); }

void Runner::Start() { thread_ = std::thread([this] { Loop(); }); }

void Runner::Notify() {
  std::lock_guard lock(mutex_);
  notified_ = true;
  wake_.notify_one();
}

void Runner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Runner::Loop() {
  for (;;) {
    const bool busy = RunOnce();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (!busy) {
      wake_.wait_for(lock, options_.interval, [this] { return stopping_ || notified_; });
      if (stopping_) return;
    }
    notified_ = false;
  }
}

bool Runner::RunOnce() {
  auto active = queue_->Active();
  if (!active.ok()) {
    if (options_.on_error) options_.on_error(active.error());
    return false;
  }
  bool busy = false;
  for (const auto& broadcast : *active) busy = Step(broadcast) || busy;
  return busy;
}

// One fan-out batch, then a release: the first messages go out while the rest is written.
bool Runner::Step(const ActiveBroadcast& broadcast) {
  std::int64_t written = 0;
  bool fanned_out = broadcast.fanned_out;
  if (!fanned_out) {
    auto step = queue_->FanOut(broadcast, options_.fan_out_batch);
    if (!step.ok()) {
      if (options_.on_error) options_.on_error(step.error());
      return false;
    }
    written = step->written;
    fanned_out = step->finished;
  }
  auto released = queue_->Release(broadcast, options_.queue_limit, options_.release_batch);
  if (!released.ok()) {
    if (options_.on_error) options_.on_error(released.error());
    return written > 0;
  }
  if (!released->channels.empty() && options_.on_queued) options_.on_queued(released->channels);
  if (options_.on_round) options_.on_round(written, released->queued, released->expired);
  const bool busy = written > 0 || released->queued > 0 || released->expired > 0 ||
                    (!broadcast.fanned_out && fanned_out);
  if (fanned_out && released->queued == 0 && released->expired == 0) {
    auto done = queue_->Finish(broadcast);
    if (!done.ok() && options_.on_error) options_.on_error(done.error());
  }
  return busy;
}

}  // namespace chorus::broadcasts

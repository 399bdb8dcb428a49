#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "ingest/inbox_store.hpp"
#include "ingest/webhook_item.hpp"

namespace chorus::ingest {

struct InboxOptions {
  std::size_t max_batch = 512;    // items per transaction
  std::size_t max_queue = 50'000; // beyond this, Submit refuses (kUnavailable) so callers 503
  /// Called after every transaction with its size and whether it committed.
  std::function<void(std::size_t size, bool committed)> on_batch;
  /// Called with the members who have new inbound messages once those are durable.
  std::function<void(std::vector<MemberKey>)> on_new_inbound;
};

/// Group commit for webhooks: callers on I/O threads Submit items; each writer thread takes
/// everything queued (up to max_batch) and makes it durable in one transaction, so concurrent
/// webhooks share commits instead of paying one each. No artificial delay: a batch forms
/// while the previous one commits.
class Inbox {
 public:
  /// Runs on a writer thread: Ok(true) newly stored, Ok(false) a repeat, or the error.
  using Done = std::function<void(Result<bool>)>;

  Inbox(std::vector<std::unique_ptr<InboxStore>> writers, InboxOptions options);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  void Start();
  /// Thread-safe. After Stop, or when the queue is full, `done` gets kUnavailable at once.
  void Submit(WebhookItem item, Done done);
  /// Refuses new items, writes everything already queued, joins the writers. Idempotent.
  void Stop();

 private:
  struct Pending {
    WebhookItem item;
    Done done;
  };
  void WriterLoop(InboxStore& store);
  void Write(InboxStore& store, std::vector<Pending>& batch);

  std::vector<std::unique_ptr<InboxStore>> writers_;
  InboxOptions options_;
  std::mutex stop_mutex_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace chorus::ingest

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

/// Group commit for webhooks: callers on I/O threads Submit what one webhook carried; each
/// writer thread takes everything queued (up to max_batch items) and makes it durable in one
/// transaction, so concurrent webhooks share commits instead of paying one each. The items of
/// one submission always share a transaction: a webhook is stored whole or not at all. No
/// artificial delay: a batch forms while the previous one commits.
class Inbox {
 public:
  /// Runs on a writer thread: Ok(true) newly stored, Ok(false) a repeat, or the error.
  using Done = std::function<void(Result<bool>)>;
  /// The same for several items: per item, whether it was new.
  using DoneAll = std::function<void(Result<std::vector<bool>>)>;

  Inbox(std::vector<std::unique_ptr<InboxStore>> writers, InboxOptions options);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  void Start();
  /// Thread-safe. After Stop, or when the queue is full, `done` gets kUnavailable at once.
  void Submit(WebhookItem item, Done done);
  /// Stores `items` (at least one) in one transaction; the same rules.
  void SubmitAll(std::vector<WebhookItem> items, DoneAll done);
  /// Refuses new items, writes everything already queued, joins the writers. Idempotent.
  void Stop();

 private:
  struct Pending {
    std::vector<WebhookItem> items;
    DoneAll done;
  };
  void WriterLoop(InboxStore& store);
  void Write(InboxStore& store, std::vector<Pending>& batch);

  std::vector<std::unique_ptr<InboxStore>> writers_;
  InboxOptions options_;
  std::mutex stop_mutex_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Pending> queue_;
  std::size_t queued_items_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace chorus::ingest

#include "ingest/inbox.hpp"

#include <algorithm>
#include <utility>

namespace chorus::ingest {
Inbox::Inbox(std::vector<std::unique_ptr<InboxStore>> writers, InboxOptions options)
    : writers_(std::move(writers)), options_(std::move(options)) {}

Inbox::~Inbox() { Stop(); }

void Inbox::Start() {
  for (auto& writer : writers_) {
    threads_.emplace_back([this, store = writer.get()] { WriterLoop(*store); });
  }
}

void Inbox::Submit(WebhookItem item, Done done) {
  std::vector<WebhookItem> items;
  items.push_back(std::move(item));
  SubmitAll(std::move(items), [done = std::move(done)](Result<std::vector<bool>> stored) {
    if (!stored.ok()) {
      done(stored.take_error());
    } else {
      done(static_cast<bool>(stored->at(0)));
    }
  });
}

void Inbox::SubmitAll(std::vector<WebhookItem> items, DoneAll done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queued_items_ < options_.max_queue) {
      queued_items_ += items.size();
      queue_.push_back(Pending{std::move(items), std::move(done)});
      ready_.notify_one();
      return;
    }
  }
  done(MakeError(ErrorCode::kUnavailable, "ingest is shutting down or overloaded"));
}

void Inbox::Stop() {
  std::lock_guard stop_lock(stop_mutex_);  // a second caller waits for the first
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Without writers (never started) nothing drained the queue: refuse what is left rather than
  // leave a caller waiting for ever.
  std::deque<Pending> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
    queued_items_ = 0;
  }
  for (auto& p : left) p.done(MakeError(ErrorCode::kUnavailable, "ingest is shutting down"));
}

void Inbox::WriterLoop(InboxStore& store) {
  std::vector<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      batch.clear();
      std::size_t items = 0;
      // Whole submissions, at least one, up to max_batch items.
      while (!queue_.empty() &&
             (batch.empty() || items + queue_.front().items.size() <= options_.max_batch)) {
        items += queue_.front().items.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_items_ -= items;
    }
    Write(store, batch);
  }
}

void Inbox::Write(InboxStore& store, std::vector<Pending>& batch) {
  std::vector<WebhookItem> items;
  for (auto& p : batch) items.insert(items.end(), p.items.begin(), p.items.end());
  auto stored = store.StoreBatch(items);
  if (options_.on_batch) options_.on_batch(items.size(), stored.ok());

  if (!stored.ok()) {
    // A batch refused for its data (not for an outage) is retried webhook by webhook, so one
    // bad webhook cannot fail the others that shared its transaction.
    if (batch.size() > 1 && stored.error().code != ErrorCode::kUnavailable) {
      for (auto& p : batch) {
        std::vector<Pending> single;
        single.push_back(std::move(p));
        Write(store, single);
      }
      return;
    }
    for (auto& p : batch) p.done(stored.error());
    return;
  }

  std::vector<MemberKey> fresh;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!stored->fresh[i] || stored->members[i] == 0) continue;
    if (const auto* in = std::get_if<InboundItem>(&items[i])) {
      fresh.push_back(MemberKey{in->organization_id, stored->members[i]});
    }
  }
  // Hand work to processing before answering, so a reply is never waiting on a poll.
  if (!fresh.empty() && options_.on_new_inbound) options_.on_new_inbound(std::move(fresh));
  std::size_t offset = 0;
  for (auto& p : batch) {
    const auto first = stored->fresh.begin() + static_cast<std::ptrdiff_t>(offset);
    offset += p.items.size();
    p.done(std::vector<bool>(first, first + static_cast<std::ptrdiff_t>(p.items.size())));
  }
}

}  // namespace chorus::ingest

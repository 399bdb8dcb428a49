#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace chorus::app {

/// A few threads, each with its own store (one database connection), running the jobs handed
/// to it in order of arrival: the organizer API's database executor. Handlers post a job and
/// await its callback, so a slow query holds a pool thread, never an I/O thread.
template <typename Store>
class StorePool {
 public:
  using Job = std::function<void(Store&)>;

  explicit StorePool(std::vector<std::unique_ptr<Store>> stores) {
    for (auto& store : stores) {
      threads_.emplace_back([this, s = std::move(store)] { Loop(*s); });
    }
  }
  ~StorePool() { Stop(); }
  StorePool(const StorePool&) = delete;
  StorePool& operator=(const StorePool&) = delete;

  void Post(Job job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  /// Finishes the jobs already posted, then joins the threads.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Loop(Store& store) {
    while (true) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job(store);
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace chorus::app

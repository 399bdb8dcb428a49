#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "carriers/carrier.hpp"
#include "transport/transport.hpp"

namespace chorus::fakes {

/// Records every request. With a responder that returns an answer, Send answers at once on the
/// caller's thread; otherwise the request is held until the test calls Answer() (from any
/// thread, as an I/O thread would). Each `done` runs exactly once. Thread-safe. Unanswered
/// requests are dropped on destruction without running `done`.
class FakeTransport final : public transport::Transport {
 public:
  using Responder =
      std::function<std::optional<transport::HttpResponseSpec>(const transport::HttpRequestSpec&)>;

  void RespondWith(Responder responder) {
    std::lock_guard lock(mutex_);
    responder_ = std::move(responder);
  }

  void Send(transport::HttpRequestSpec request,
            std::function<void(transport::HttpResponseSpec)> done) override {
    std::optional<transport::HttpResponseSpec> answer;
    {
      std::lock_guard lock(mutex_);
      if (responder_) answer = responder_(request);
      requests_.push_back({std::move(request), answer ? nullptr : std::move(done)});
      if (!answer) max_outstanding_ = std::max(max_outstanding_, ++outstanding_);
    }
    changed_.notify_all();
    if (answer) done(std::move(*answer));
  }

  /// Answers the `index`-th request (0-based, in arrival order). False if it was answered.
  bool Answer(std::size_t index, transport::HttpResponseSpec response) {
    std::function<void(transport::HttpResponseSpec)> done;
    {
      std::lock_guard lock(mutex_);
      if (index >= requests_.size() || !requests_[index].done) return false;
      done = std::exchange(requests_[index].done, nullptr);
      --outstanding_;
    }
    done(std::move(response));
    changed_.notify_all();
    return true;
  }

  bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

  std::vector<transport::HttpRequestSpec> requests() const {
    std::lock_guard lock(mutex_);
    std::vector<transport::HttpRequestSpec> out;
    for (const auto& r : requests_) out.push_back(r.request);
    return out;
  }
  std::size_t outstanding() const {
    std::lock_guard lock(mutex_);
    return outstanding_;
  }
  /// The most requests ever held unanswered at once.
  std::size_t max_outstanding() const {
    std::lock_guard lock(mutex_);
    return max_outstanding_;
  }

 private:
  struct Pending {
    transport::HttpRequestSpec request;
    std::function<void(transport::HttpResponseSpec)> done;  // null once answered
  };

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Responder responder_;
  std::vector<Pending> requests_;
  std::size_t outstanding_ = 0;
  std::size_t max_outstanding_ = 0;
};

}  // namespace chorus::fakes

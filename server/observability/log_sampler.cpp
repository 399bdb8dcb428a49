#include "observability/log_sampler.hpp"

namespace chorus::observability {

LogSampler::Decision LogSampler::Sample(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (started_ && now - last_ < interval_) {
    ++suppressed_;
    return {};
  }
  started_ = true;
  last_ = now;
  Decision decision{true, suppressed_};
  suppressed_ = 0;
  return decision;
}

}  // namespace chorus::observability

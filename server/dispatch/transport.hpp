#pragma once

#include <functional>

#include "carriers/carrier.hpp"

namespace chorus::dispatch {

/// Performs carrier HTTP requests asynchronously (the HTTP client, in production). Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  /// `done` runs exactly once, on some I/O thread, with the response or status 0.
  virtual void Send(carriers::HttpRequestSpec request,
                    std::function<void(carriers::HttpResponseSpec)> done) = 0;
};

}  // namespace chorus::dispatch

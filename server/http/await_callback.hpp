#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "http/asio.hpp"

namespace chorus::http {

/// Suspends the calling coroutine until `start(callback)` calls `callback(value)` (from any
/// thread); the coroutine resumes on its own executor. `callback` must be called exactly once.
/// Bridges the callback-style ports (ingest, database threads) to handlers.
template <typename T, typename Start>
asio::awaitable<T> AwaitCallback(Start start) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      [start = std::move(start)](auto handler) mutable {
        auto executor = asio::get_associated_executor(handler);
        // std::function needs a copyable target; the coroutine's handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start(std::function<void(T)>([shared, executor](T value) {
          asio::post(executor, [shared, value = std::move(value)]() mutable {
            (*shared)(std::move(value));
          });
        }));
      },
      asio::use_awaitable);
}

}  // namespace chorus::http

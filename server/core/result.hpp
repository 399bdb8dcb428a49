#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace chorus {

/// The closed set of expected failures. Bugs are asserts, not error codes.
enum class ErrorCode {
  kInvalidArgument,   // the caller sent something malformed (4xx)
  kNotFound,          // the thing named does not exist
  kConflict,          // uniqueness or state conflict
  kPermissionDenied,  // authentication or signature failed
  kRateLimited,       // slow down and retry later
  kUnavailable,       // a dependency (database, carrier) is down; retry later
  kTimeout,           // a deadline passed; the outcome may be unknown
  kCarrierRejected,   // the carrier refused the request for good
  kInternal,          // anything else; never retried blindly
};

std::string_view ErrorCodeName(ErrorCode code);

/// An expected failure. `message` is safe to log and to show a client: it never holds a
/// member's phone number, a message body, a credential or SQL text.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

/// A value or an Error, shaped like std::expected<T, Error>.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(state_); }
  Error&& take_error() { assert(!ok()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

/// Success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Error&& take_error() { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> Ok() { return {}; }

}  // namespace chorus

#define CHORUS_CONCAT_INNER(a, b) a##b
#define CHORUS_CONCAT(a, b) CHORUS_CONCAT_INNER(a, b)

/// Returns the error of a Result<...> expression from the enclosing function.
#define CHORUS_TRY(expr)                                   \
  do {                                                     \
    auto chorus_try_result_ = (expr);                      \
    if (!chorus_try_result_.ok()) {                        \
      return chorus_try_result_.take_error();              \
    }                                                      \
  } while (false)

/// `CHORUS_ASSIGN_OR_RETURN(auto x, Compute());` binds the value or returns the error.
#define CHORUS_ASSIGN_OR_RETURN(lhs, expr)                                          \
  CHORUS_ASSIGN_OR_RETURN_IMPL(CHORUS_CONCAT(chorus_result_, __LINE__), lhs, expr)
#define CHORUS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) {                                   \
    return tmp.take_error();                         \
  }                                                  \
  lhs = std::move(tmp).value()

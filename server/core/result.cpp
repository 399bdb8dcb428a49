#include "core/result.hpp"

namespace chorus {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kCarrierRejected: return "carrier_rejected";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace chorus

#pragma once

#include <string_view>

#include "core/result.hpp"
#include "http/asio.hpp"

namespace chorus::http {

/// The one place that maps errors to HTTP: status from the code, body
/// {"code": "...", "message": "...", "request_id": "..."} as application/json.
unsigned StatusFor(ErrorCode code);
Response JsonError(unsigned status, std::string_view code, std::string_view message,
                   std::string_view request_id, unsigned version = 11);
Response ErrorResponse(const Error& error, std::string_view request_id, unsigned version = 11);

}  // namespace chorus::http

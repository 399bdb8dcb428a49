#include "http/json_error.hpp"

#include <boost/beast/http/field.hpp>

namespace chorus::http {
namespace {

// RFC 8259 section 7: quote, backslash and C0 controls must be escaped; the rest (including
// UTF-8) may pass through as is.
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

unsigned StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kCarrierRejected:
      return 502;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response JsonError(unsigned status, std::string_view code, std::string_view message,
                   std::string_view request_id, unsigned version) {
  std::string body;
  body.reserve(48 + code.size() + message.size() + request_id.size());
  body += "{\"code\":";
  AppendJsonString(body, code);
  body += ",\"message\":";
  AppendJsonString(body, message);
  body += ",\"request_id\":";
  AppendJsonString(body, request_id);
  body += '}';

  Response response{static_cast<beast::http::status>(status), version};
  response.set(beast::http::field::content_type, "application/json");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response ErrorResponse(const Error& error, std::string_view request_id, unsigned version) {
  return JsonError(StatusFor(error.code), ErrorCodeName(error.code), error.message, request_id,
                   version);
}

}  // namespace chorus::http

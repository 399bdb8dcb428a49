#pragma once

// Fuzz entries for the HTTP edge: the request framing a server connection applies
// (http::detail::ParseRequest, the same reader and read buffer as a connection) and the
// response framing of the carrier client. Each returns false when a promise breaks; a throw or
// a sanitizer report is a finding too.

#include <string>
#include <string_view>
#include <vector>

#include "carriers/form.hpp"
#include "http/detail/framing.hpp"

namespace chorus::fuzz {

// The public listener's limits, with a smaller body so inputs reach its edge.
inline constexpr http::detail::MessageLimits kFuzzLimits{.header_limit = 8 * 1024,
                                                         .body_limit = 16 * 1024};

inline bool IsRefusalStatus(unsigned status) {
  return status == 0 || status == 400 || status == 411 || status == 413 || status == 431;
}

// The transfer codings a message names, over all its Transfer-Encoding fields, without the
// empty list elements RFC 9110 section 5.6.1 tells recipients to ignore (",,chunked" is
// "chunked": the first campaign's crasher in corpus/http_response/crashers/).
template <typename Message>
std::vector<std::string> Codings(const Message& m) {
  std::vector<std::string> out;
  for (const auto& field : m) {
    if (field.name() != boost::beast::http::field::transfer_encoding) continue;
    std::string_view list = field.value();
    for (std::size_t start = 0; start <= list.size();) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string_view::npos) comma = list.size();
      std::string_view item = list.substr(start, comma - start);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      start = comma + 1;
    }
  }
  return out;
}

// What Chorus's framing promises about any message it accepted.
template <typename Message>
bool FramingHolds(const Message& m) {
  namespace bhttp = boost::beast::http;
  if (m.body().size() > kFuzzLimits.body_limit) return false;
  if (m.count(bhttp::field::transfer_encoding) == 0) return true;
  const std::vector<std::string> codings = Codings(m);
  return codings.size() == 1 && boost::beast::iequals(codings.front(), "chunked") &&
         m.count(bhttp::field::content_length) == 0;
}

inline bool FuzzHttpRequest(std::string_view input) {
  const auto parsed = http::detail::ParseRequest(input, kFuzzLimits);
  if (parsed.failure) return !parsed.complete && IsRefusalStatus(parsed.failure->status);
  if (!parsed.complete) return true;  // the bytes end before the message does
  const auto& request = *parsed.request;
  if (request.version() == 11 && request.count(boost::beast::http::field::host) != 1) {
    return false;
  }
  return FramingHolds(request);
}

inline bool FuzzHttpResponse(std::string_view input) {
  const auto parsed = http::detail::ParseResponse(input, kFuzzLimits);
  if (parsed.failure) return !parsed.complete && parsed.failure->status != 0;
  if (!parsed.complete) return true;
  return FramingHolds(*parsed.response);
}

/// The form codec every form-posting carrier uses: what parses re-encodes to the same pairs,
/// what is refused says why, and no more pairs than the cap come out.
inline bool FuzzForm(std::string_view input) {
  constexpr std::size_t kCap = 64;
  auto params = carriers::ParseForm(input, kCap);
  if (!params.ok()) return !params.error().message.empty();
  if (params->size() > kCap) return false;
  auto again = carriers::ParseForm(carriers::EncodeForm(*params));
  return again.ok() && *again == *params;
}

}  // namespace chorus::fuzz

#include "http/detail/framing.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <iterator>
#include <vector>

namespace chorus::http::detail {
namespace {

namespace bhttp = beast::http;
using boost::beast::error_code;

// Room for a pipelined request behind the header in the same read.
constexpr std::size_t kReadSlack = 4096;
// Beast 1.74 throws std::length_error for a field longer than 65,533 bytes (basic_fields::
// new_element); a buffer smaller than that can never hold one.
constexpr std::size_t kMaxReadBuffer = 60 * 1024;
constexpr std::size_t kFeedSize = 4096;

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t CountFields(const bhttp::fields& fields) {
  return static_cast<std::size_t>(std::distance(fields.begin(), fields.end()));
}

constexpr ReadFailure kBadTransferCoding{400, "bad_request",
                                         "unsupported Transfer-Encoding (only chunked)"};
constexpr ReadFailure kTrailers{400, "bad_request", "trailer fields are not accepted"};

// Feeds `bytes` to `parser` the way Beast's read algorithms do over a connection: a bounded
// buffer filled a read at a time, the header parsed lazily, then the body eagerly.
template <typename Reader, typename Parsed>
Parsed ParseMessage(std::string_view bytes, const MessageLimits& limits, Reader& reader,
                    ReadFailure (*classify)(const error_code&)) {
  Parsed out;
  beast::flat_buffer buffer(ReadBufferLimit(limits));
  std::size_t pos = 0;
  error_code ec;
  auto feed = [&]() -> bool {
    if (pos == bytes.size()) {
      // The peer closed: a message delimited by the end of the connection ends here.
      if (reader.parser().need_eof()) {
        reader.parser().put_eof(ec);
      } else {
        ec = bhttp::error::partial_message;
      }
      return false;
    }
    std::size_t room = buffer.max_size() - buffer.size();
    if (room == 0) {
      ec = bhttp::error::buffer_overflow;
      return false;
    }
    std::size_t n = std::min({room, bytes.size() - pos, kFeedSize});
    auto target = buffer.prepare(n);
    std::copy_n(bytes.data() + pos, n, static_cast<char*>(target.data()));
    buffer.commit(n);
    pos += n;
    return true;
  };
  auto parse_until = [&](auto done) {
    while (!done()) {
      if (buffer.size() == 0 && !feed()) return;
      std::size_t used = reader.parser().put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        if (!feed()) return;
        continue;
      }
      if (ec) return;
    }
  };
  auto fail = [&](ReadFailure failure) {
    out.failure = failure;
    return out;
  };
  reader.parser().eager(false);
  parse_until([&] { return reader.parser().is_header_done(); });
  if (ec) return fail(classify(ec));
  if (auto failure = reader.CheckHeader()) return fail(*failure);
  reader.parser().eager(true);
  parse_until([&] { return reader.parser().is_done(); });
  if (ec) return fail(classify(ec));
  if (auto failure = reader.CheckComplete()) return fail(*failure);
  out.complete = true;
  return out;
}

ReadFailure ClassifyResponseError(const error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return {502, "bad_gateway", "response header too large"};
  }
  if (ec == bhttp::error::body_limit) return {502, "bad_gateway", "response too large"};
  return {502, "bad_gateway", "malformed response"};
}

}  // namespace

std::size_t ReadBufferLimit(const MessageLimits& limits) {
  return std::min(limits.header_limit + kReadSlack, kMaxReadBuffer);
}

void ChunkBudget::operator()(std::uint64_t, std::string_view extensions, error_code& ec) {
  if (extensions.size() > left_) {
    ec = bhttp::error::header_limit;
    return;
  }
  left_ -= extensions.size();
}

std::optional<ReadFailure> CheckTransferCoding(const bhttp::fields& fields) {
  auto range = fields.equal_range(bhttp::field::transfer_encoding);
  if (range.first == range.second) return std::nullopt;
  if (fields.count(bhttp::field::content_length) > 0) return kBadTransferCoding;
  std::vector<std::string_view> codings;
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view list = it->value();
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view coding = TrimOws(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (!coding.empty()) codings.push_back(coding);  // RFC 9110 5.6.1: empty elements
    }
  }
  if (codings.size() != 1 || !beast::iequals(codings.front(), "chunked")) {
    return kBadTransferCoding;
  }
  return std::nullopt;
}

RequestReader::RequestReader(const MessageLimits& limits) : budget_(limits.header_limit) {
  parser_.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser_.body_limit(limits.body_limit);
  parser_.on_chunk_header(budget_);
}

std::optional<ReadFailure> RequestReader::CheckHeader() {
  const auto& header = parser_.get();
  header_fields_ = CountFields(header);
  if (header.version() >= 11 && header.count(bhttp::field::host) != 1) {
    return ReadFailure{400, "bad_request", "HTTP/1.1 needs exactly one Host header"};
  }
  if (auto failure = CheckTransferCoding(header)) return failure;
  if (header.version() < 11 && header.count(bhttp::field::transfer_encoding) > 0) {
    return kBadTransferCoding;  // RFC 9112 section 6.1: no transfer coding in HTTP/1.0
  }
  return std::nullopt;
}

std::optional<ReadFailure> RequestReader::CheckComplete() const {
  if (CountFields(parser_.get()) != header_fields_) return kTrailers;
  return std::nullopt;
}

ResponseReader::ResponseReader(const MessageLimits& limits, bool head)
    : budget_(limits.header_limit) {
  parser_.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser_.body_limit(limits.body_limit);
  parser_.skip(head);
  parser_.on_chunk_header(budget_);
}

std::optional<ReadFailure> ResponseReader::CheckHeader() {
  header_fields_ = CountFields(parser_.get());
  return CheckTransferCoding(parser_.get());
}

std::optional<ReadFailure> ResponseReader::CheckComplete() const {
  if (CountFields(parser_.get()) != header_fields_) return kTrailers;
  return std::nullopt;
}

ReadFailure ClassifyRequestError(const error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return {431, "header_too_large", "request header too large"};
  }
  if (ec == bhttp::error::body_limit) return {413, "payload_too_large", "request body too large"};
  bool quiet = ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
               ec == bhttp::error::need_more || ec == bhttp::error::need_buffer;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() && !quiet) {
    return {400, "bad_request", "malformed request"};
  }
  return {};
}

ParsedRequest ParseRequest(std::string_view bytes, const MessageLimits& limits) {
  RequestReader reader(limits);
  ParsedRequest out = ParseMessage<RequestReader, ParsedRequest>(bytes, limits, reader,
                                                                 &ClassifyRequestError);
  if (out.complete) out.request = reader.parser().release();
  return out;
}

ParsedResponse ParseResponse(std::string_view bytes, const MessageLimits& limits) {
  ResponseReader reader(limits, false);
  ParsedResponse out = ParseMessage<ResponseReader, ParsedResponse>(bytes, limits, reader,
                                                                    &ClassifyResponseError);
  if (out.complete) out.response = reader.parser().release();
  return out;
}

}  // namespace chorus::http::detail

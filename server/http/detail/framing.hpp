#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/asio.hpp"

namespace chorus::http::detail {

/// Why a message could not be read: the status to answer (0: close without answering, as for
/// a client that went away or timed out), and a fixed code and message for the JSON body.
struct ReadFailure {
  unsigned status = 0;
  std::string_view code;
  std::string_view message;
};

struct MessageLimits {
  std::size_t header_limit = 8 * 1024;  // the header; chunk extensions count against it too
  std::size_t body_limit = 64 * 1024;
};

/// The largest read buffer a connection may use for `limits` (never above 60 KiB). Bounding the buffer bounds every
/// line Beast must hold whole before parsing it (a header line, a chunk header with its
/// extensions, the trailer block): Beast 1.74 has no limit of its own on chunk extensions and
/// trailers, and a trailer field over 65,533 bytes makes it throw std::length_error from
/// inside a completion handler, which no caller can catch (issue 5).
std::size_t ReadBufferLimit(const MessageLimits& limits);

/// Counts chunk extensions against the header limit. Registered with a parser's
/// on_chunk_header; must outlive it.
class ChunkBudget {
 public:
  explicit ChunkBudget(std::size_t limit) : left_(limit) {}
  void operator()(std::uint64_t size, std::string_view extensions, boost::beast::error_code& ec);

 private:
  std::size_t left_;
};

/// Checks of a parsed header shared by requests and responses: a Transfer-Encoding other than
/// exactly "chunked" (gzip, "gzip, chunked", chunked twice), or one together with
/// Content-Length, is refused: Chorus decodes no other coding, and a body whose framing two
/// parsers could read differently is the request-smuggling primitive of RFC 9112 section 11.2.
std::optional<ReadFailure> CheckTransferCoding(const beast::http::fields& fields);

/// Chorus's framing rules on top of Beast's request parser, in the order a connection applies
/// them: configure, read the header, CheckHeader (Transfer-Encoding, Host), read the body,
/// CheckComplete (trailers). One per request; not movable (the parser points at the budget).
class RequestReader {
 public:
  using Parser = beast::http::request_parser<beast::http::string_body>;

  explicit RequestReader(const MessageLimits& limits);
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  Parser& parser() { return parser_; }
  /// After the header: HTTP/1.1 needs exactly one Host (RFC 9112 section 3.2); the transfer
  /// coding must be plain chunked. nullopt: read the body.
  std::optional<ReadFailure> CheckHeader();
  /// After the whole message: trailer fields are refused (no carrier sends them, and Beast
  /// would merge them into the header the handlers read).
  std::optional<ReadFailure> CheckComplete() const;

 private:
  ChunkBudget budget_;
  Parser parser_;
  std::size_t header_fields_ = 0;
};

/// The same rules for the responses the HTTP client reads from carriers.
class ResponseReader {
 public:
  using Parser = beast::http::response_parser<beast::http::string_body>;

  /// `head`: the request was HEAD, so the response has no body whatever its header says.
  ResponseReader(const MessageLimits& limits, bool head);
  ResponseReader(const ResponseReader&) = delete;
  ResponseReader& operator=(const ResponseReader&) = delete;

  Parser& parser() { return parser_; }
  std::optional<ReadFailure> CheckHeader();
  std::optional<ReadFailure> CheckComplete() const;

 private:
  ChunkBudget budget_;
  Parser parser_;
  std::size_t header_fields_ = 0;
};

/// What a read error means for a request: 431 for a header (or chunk extensions, or a line)
/// over the limit, 413 for a body over the limit, 400 for a malformed message, and 0 (close
/// quietly) for the end of the stream, a timeout or a cancellation.
ReadFailure ClassifyRequestError(const boost::beast::error_code& ec);

/// Parses one request from `bytes` exactly as a connection does (the same reader, a read
/// buffer of ReadBufferLimit, the header read before the body): for the fuzz target and tests.
struct ParsedRequest {
  std::optional<ReadFailure> failure;  // set when the request is refused
  bool complete = false;               // a whole request was read and accepted
  std::optional<Request> request;
};
ParsedRequest ParseRequest(std::string_view bytes, const MessageLimits& limits);

/// The same for one response read by the HTTP client.
struct ParsedResponse {
  std::optional<ReadFailure> failure;
  bool complete = false;
  std::optional<Response> response;
};
ParsedResponse ParseResponse(std::string_view bytes, const MessageLimits& limits);

}  // namespace chorus::http::detail

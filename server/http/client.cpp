#include "http/client.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/url.hpp"
#include "http/asio.hpp"
#include "http/detail/framing.hpp"

namespace chorus::http {
namespace {

namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using transport::HttpRequestSpec;
using transport::HttpResponseSpec;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Carriers answer with a few KiB; the same bounded framing as the server's (detail/framing.hpp)
// keeps a hostile or broken answer from growing the buffer or making Beast throw.
constexpr detail::MessageLimits kResponseLimits{16 * 1024, 1 << 20};

auto Redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

HttpResponseSpec Failure(std::string reason, bool timed_out = false) {
  HttpResponseSpec response;
  response.timed_out = timed_out;
  response.body = std::move(reason);
  return response;
}

HttpResponseSpec FailureFrom(const error_code& ec, Clock::time_point deadline) {
  // Beast reports its own deadline as error::timeout; through TLS or the resolver it can show
  // up as a plain cancellation, so the clock has the last word.
  if (ec == beast::error::timeout || Clock::now() >= deadline) return Failure("timeout", true);
  return Failure(ec.message());
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Header injection guard: adapters build headers from configuration and carrier data.
bool IsSafeHeaderValue(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  // RFC 9110 section 10.2.3 also allows an HTTP-date; carriers send delay-seconds, and a date
  // we cannot read is treated as absent (the caller's own backoff applies).
  if (value.empty() || value.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

// One pooled connection, plain or TLS, used by one request at a time.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> tls;
  beast::flat_buffer buffer{detail::ReadBufferLimit(kResponseLimits)};

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // A pooled connection the server has closed (or sent anything on) since its last response
  // is useless; a non-blocking peek finds out without consuming data.
  bool LooksAlive() {
    auto& socket = lowest().socket();
    if (!socket.is_open() || buffer.size() > 0) return false;
    char byte;
    ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

struct Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  bool notified = false;                   // a slot was handed over (guarded by the pool mutex)
  std::unique_ptr<Connection> connection;  // with it, an idle connection; else open a new one
};

struct Pool {
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used last
  std::size_t open = 0;                           // idle + in use + being opened
  std::deque<std::shared_ptr<Waiter>> waiters;
};

// Permission to use the host: a pooled connection, or a slot to open a new one.
struct Lease {
  bool granted = false;
  std::unique_ptr<Connection> connection;
};

struct Exchanged {
  HttpResponseSpec response;
  bool reusable = false;  // the connection may go back to the pool
  bool stale = false;     // failed before the server could have answered (see Send)
};

bool IsStaleError(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

template <typename Stream>
asio::awaitable<Exchanged> Exchange(Stream& stream, beast::flat_buffer& buffer, Request& request,
                                    bool head) {
  Exchanged out;
  error_code ec;
  co_await bhttp::async_write(stream, request, Redirect(ec));
  if (ec) {
    out.stale = IsStaleError(ec);
    out.response = Failure(ec.message());
    // Part of the request may have gone out: the carrier cannot be assumed to have nothing.
    out.response.request_sent = true;
    co_return out;
  }
  detail::ResponseReader reader(kResponseLimits, head);
  auto& parser = reader.parser();
  // Header first: in Beast 1.74 an eager parse (what async_read does) of a response whose
  // Content-Length exceeds body_limit overwrites the body_limit error and reads the body
  // anyway; async_read_header parses non-eagerly and reports it.
  co_await bhttp::async_read_header(stream, buffer, parser, Redirect(ec));
  std::optional<detail::ReadFailure> refused;
  if (!ec) refused = reader.CheckHeader();
  if (!ec && !refused && !parser.is_done()) {
    co_await bhttp::async_read(stream, buffer, parser, Redirect(ec));
  }
  if (!ec && !refused) refused = reader.CheckComplete();
  if (ec) {
    out.stale = IsStaleError(ec) && !parser.got_some() && buffer.size() == 0;
    out.response = Failure(ec == bhttp::error::body_limit ? "response too large" : ec.message());
    out.response.request_sent = true;
    co_return out;
  }
  if (refused) {
    // Not a response we can trust the framing of: the connection is not reused either.
    out.response = Failure(std::string(refused->message));
    out.response.request_sent = true;
    co_return out;
  }
  auto& message = parser.get();
  out.response.status = static_cast<int>(message.result_int());
  out.response.retry_after = ParseRetryAfter(message[bhttp::field::retry_after]);
  out.reusable = parser.keep_alive() && !parser.need_eof();
  out.response.body = std::move(message.body());
  co_return out;
}

}  // namespace

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  Impl(asio::io_context& io, ClientOptions options)
      : io(io), options(options), tls_context(ssl::context::tls_client) {
    error_code ec;
    tls_context.set_default_verify_paths(ec);  // without a trust store every verify fails
    SSL_CTX_set_min_proto_version(tls_context.native_handle(), TLS1_2_VERSION);
    tls_context.set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none, ec);
  }

  asio::awaitable<HttpResponseSpec> Send(HttpRequestSpec spec);
  asio::awaitable<Lease> Acquire(const std::string& key, Clock::time_point deadline);
  void Release(const std::string& key, std::unique_ptr<Connection> connection);
  asio::awaitable<error_code> Connect(Connection& connection, const Url& url,
                                      Clock::time_point deadline);
  asio::awaitable<error_code> Resolve(const Url& url, Clock::time_point deadline,
                                      tcp::resolver::results_type& results);

  asio::io_context& io;
  const ClientOptions options;
  ssl::context tls_context;
  std::mutex mutex;  // guards pools
  std::unordered_map<std::string, Pool> pools;
};

namespace {

std::optional<Request> BuildRequest(const HttpRequestSpec& spec, const Url& url) {
  if (!IsToken(spec.method)) return std::nullopt;
  Request request;
  request.version(11);
  Verb verb = bhttp::string_to_verb(spec.method);
  if (verb == Verb::unknown) {
    request.method_string(spec.method);
  } else {
    request.method(verb);
  }
  request.target(url.target);
  request.set(bhttp::field::host, url.host_header);
  request.set(bhttp::field::user_agent, "chorus");
  for (const auto& [name, value] : spec.headers) {
    if (!IsToken(name) || !IsSafeHeaderValue(value)) return std::nullopt;
    if (beast::iequals(name, "content-length")) continue;  // ours, from the body
    if (beast::iequals(name, "host") || beast::iequals(name, "user-agent")) {
      request.set(name, value);
    } else {
      request.insert(name, value);
    }
  }
  request.body() = spec.body;
  request.keep_alive(true);
  request.prepare_payload();
  if (verb != Verb::get && verb != Verb::head && spec.body.empty()) {
    request.set(bhttp::field::content_length, "0");
  }
  return request;
}

}  // namespace

asio::awaitable<HttpResponseSpec> Client::Impl::Send(HttpRequestSpec spec) {
  auto url = ParseHttpUrl(spec.url);
  if (!url.ok()) co_return Failure("bad url");
  auto request = BuildRequest(spec, *url);
  if (!request) co_return Failure("bad request");
  bool head = request->method() == Verb::head;
  Clock::time_point deadline = Clock::now() + options.timeout;

  for (int attempt = 0;; ++attempt) {
    Lease lease = co_await Acquire(url->pool_key, deadline);
    if (!lease.granted) co_return Failure("timeout", true);
    bool reused = lease.connection != nullptr;
    std::unique_ptr<Connection> connection = std::move(lease.connection);
    if (!reused) {
      connection = std::make_unique<Connection>();
      error_code ec = co_await Connect(*connection, *url, deadline);
      if (ec) {
        Release(url->pool_key, nullptr);
        co_return FailureFrom(ec, deadline);
      }
    }
    connection->lowest().expires_at(deadline);
    // Two statements, not `?:`: GCC 12 miscompiles co_await inside a conditional expression.
    Exchanged result;
    if (connection->tls) {
      result = co_await Exchange(*connection->tls, connection->buffer, *request, head);
    } else {
      result = co_await Exchange(*connection->plain, connection->buffer, *request, head);
    }
    if (result.reusable) connection->lowest().expires_never();
    Release(url->pool_key, result.reusable ? std::move(connection) : nullptr);
    // Retry once when a reused keep-alive connection turns out to have been closed by the
    // server while idle: the write failed, or the read saw eof/reset before any response
    // byte. Risk: a server that read the request and then died without answering looks the
    // same, so such a request can reach it twice. Carrier sends carry idempotency data where
    // the carrier supports it; a fresh connection, a timeout or a partial answer is never
    // retried.
    if (result.stale && reused && attempt == 0 && Clock::now() < deadline) continue;
    if (result.response.status == 0 && Clock::now() >= deadline) {
      HttpResponseSpec timed_out = Failure("timeout", true);
      timed_out.request_sent = result.response.request_sent;
      co_return timed_out;
    }
    co_return std::move(result.response);
  }
}

asio::awaitable<Lease> Client::Impl::Acquire(const std::string& key, Clock::time_point deadline) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_at(deadline);
  std::vector<std::unique_ptr<Connection>> dead;  // closed outside the lock
  {
    std::lock_guard lock(mutex);
    Pool& pool = pools[key];
    while (!pool.idle.empty()) {
      std::unique_ptr<Connection> connection = std::move(pool.idle.back());
      pool.idle.pop_back();
      if (connection->LooksAlive()) co_return Lease{true, std::move(connection)};
      dead.push_back(std::move(connection));
      --pool.open;
    }
    if (pool.open < options.max_connections_per_host) {
      ++pool.open;
      co_return Lease{true, nullptr};
    }
    pool.waiters.push_back(waiter);
  }
  // Release() hands a slot over by setting `notified` and posting a cancel to this
  // coroutine's strand, which cannot run before the wait below has started.
  error_code ec;
  co_await waiter->timer.async_wait(Redirect(ec));
  std::lock_guard lock(mutex);
  if (waiter->notified) co_return Lease{true, std::move(waiter->connection)};
  auto& waiters = pools[key].waiters;
  std::erase(waiters, waiter);
  co_return Lease{};
}

void Client::Impl::Release(const std::string& key, std::unique_ptr<Connection> connection) {
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mutex);
    Pool& pool = pools[key];
    if (!pool.waiters.empty()) {
      waiter = std::move(pool.waiters.front());
      pool.waiters.pop_front();
      waiter->notified = true;
      waiter->connection = std::move(connection);  // null: the waiter opens its own
    } else if (connection && pool.idle.size() < options.max_idle_per_host) {
      pool.idle.push_back(std::move(connection));
    } else {
      --pool.open;
    }
  }
  if (waiter) {
    auto executor = waiter->timer.get_executor();
    asio::post(executor, [waiter] { waiter->timer.cancel(); });
  }
}

asio::awaitable<error_code> Client::Impl::Resolve(const Url& url,
                                                  Clock::time_point deadline,
                                                  tcp::resolver::results_type& results) {
  auto executor = co_await asio::this_coro::executor;
  error_code ec;
  auto address = asio::ip::make_address(url.host, ec);
  if (!ec) {
    results = tcp::resolver::results_type::create(tcp::endpoint(address, url.port), url.host,
                                                  std::to_string(url.port));
    co_return error_code{};
  }
  // getaddrinfo has no deadline of its own; a timer on this strand cancels the lookup.
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer timer(executor, deadline);
  timer.async_wait(asio::bind_executor(executor, [resolver](error_code timer_ec) {
    if (!timer_ec) resolver->cancel();
  }));
  results = co_await resolver->async_resolve(url.host, std::to_string(url.port), Redirect(ec));
  timer.cancel();
  co_return ec;
}

asio::awaitable<error_code> Client::Impl::Connect(Connection& connection, const Url& url,
                                                  Clock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver::results_type endpoints;
  error_code ec = co_await Resolve(url, deadline, endpoints);
  if (ec) co_return ec;
  if (!url.tls) {
    connection.plain = std::make_unique<beast::tcp_stream>(executor);
    connection.plain->expires_at(deadline);
    co_await connection.plain->async_connect(endpoints, Redirect(ec));
    co_return ec;
  }
  connection.tls = std::make_unique<TlsStream>(executor, tls_context);
  TlsStream& stream = *connection.tls;
  error_code not_ip;
  asio::ip::make_address(url.host, not_ip);
  // SNI (RFC 6066 section 3) carries host names only, never IP literals.
  if (not_ip && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
  }
  if (options.verify_tls) stream.set_verify_callback(ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_at(deadline);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, Redirect(ec));
  if (ec) co_return ec;
  co_await stream.async_handshake(ssl::stream_base::client, Redirect(ec));
  co_return ec;
}

Client::Client(asio::io_context& io, ClientOptions options)
    : impl_(std::make_shared<Impl>(io, options)) {}

// Pooled connections close with the last reference to Impl; TLS connections are closed
// without close_notify, which servers treat like any dropped keep-alive connection.
Client::~Client() = default;

asio::awaitable<transport::HttpResponseSpec> Client::Send(transport::HttpRequestSpec request) {
  std::shared_ptr<Impl> impl = impl_;
  HttpResponseSpec response = Failure("internal error");
  try {
    // Each request runs on its own strand so its I/O objects, timers and the pool hand-over
    // never run concurrently, whatever executor the caller awaits from.
    response = co_await asio::co_spawn(asio::make_strand(impl->io), impl->Send(std::move(request)),
                                       asio::use_awaitable);
  } catch (...) {
    // Contract: Send never throws (bad_alloc is the only thing that could get here).
  }
  co_return response;
}

}  // namespace chorus::http

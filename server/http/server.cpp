#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>
#include <mutex>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "http/asio.hpp"
#include "http/detail/framing.hpp"
#include "http/detail/request_id.hpp"
#include "http/json_error.hpp"
#include "observability/log_sampler.hpp"

namespace chorus::http {
namespace {

namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using detail::ReadFailure;
using namespace std::chrono_literals;

constexpr auto kAcceptBackoff = 50ms;
// After an error answer we keep reading (and discarding) briefly before closing: closing a
// socket with unread input makes the kernel send RST, which can destroy the answer before the
// client reads it (the "lingering close" of Apache and nginx).
constexpr auto kLingerTimeout = 1s;
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr std::size_t kFirstReadSize = 4096;
constexpr std::string_view kUnmatched = "unmatched";

auto Redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

bool IsResourceExhaustion(const error_code& ec) {
  return ec == asio::error::no_descriptors ||                         // EMFILE
         ec == boost::system::errc::too_many_files_open_in_system ||  // ENFILE
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

// The exception's text may hold internals (SQL, a carrier's answer, even a member's number in
// a database error's detail): its type is logged at error level, its text only at debug.
std::string_view ExceptionType(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::debug("exception.what what=\"{}\"", e.what());
    return typeid(e).name();
  } catch (...) {
    return "non-std exception";
  }
}

std::string AllowedMethods(const Router& router, std::string_view path) {
  static constexpr Verb kVerbs[] = {Verb::get,     Verb::head,  Verb::post,   Verb::put,
                                    Verb::delete_, Verb::patch, Verb::options};
  std::string allow;
  for (Verb verb : kVerbs) {
    bool routed = router.Find(verb, path).handler != nullptr ||
                  (verb == Verb::head && router.Find(Verb::get, path).handler != nullptr);
    if (!routed) continue;
    if (!allow.empty()) allow += ", ";
    allow += bhttp::to_string(verb);
  }
  return allow;
}

void Finalize(Response& response, std::string_view request_id, unsigned version, bool keep_alive,
              bool head) {
  response.version(version);
  response.set(bhttp::field::server, "chorus");
  response.set("X-Request-Id", request_id);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  // RFC 9110 section 9.3.2: HEAD gets GET's header, Content-Length included, and no body.
  if (head) response.body().clear();
}

class Session;

// The shared state behind Server. Acceptor, timers and the shutdown sequence live on `strand_`;
// the session registry, per-peer counts and the shutdown flags are guarded by `mutex_` because
// sessions end on their own strands.
class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(asio::io_context& io, ServerOptions options, std::shared_ptr<const Router> router,
             std::shared_ptr<ServerObserver> observer)
      : io_(io),
        options_(std::move(options)),
        limits_{options_.header_limit, options_.body_limit},
        router_(std::move(router)),
        observer_(std::move(observer)),
        strand_(asio::make_strand(io)),
        acceptor_(strand_),
        backoff_timer_(strand_),
        slot_timer_(strand_),
        deadline_timer_(strand_) {}

  Result<void> Listen();
  std::uint16_t port() const { return port_; }
  void Start();
  void Shutdown(std::chrono::milliseconds deadline, std::function<void()> done);

  const ServerOptions& options() const { return options_; }
  const detail::MessageLimits& limits() const { return limits_; }
  const Router& router() const { return *router_; }
  bool stopping() const { return stopping_.load(); }
  void Observe(std::string_view route, unsigned status, Clock::duration elapsed) const;
  void ReportException(std::string_view where, std::string_view request_id,
                       std::string_view route, const std::exception_ptr& error) const;
  /// From ~Session: whatever ended the session (a normal close, an exception, a coroutine
  /// destroyed with its handler), its slot is given back.
  void OnSessionEnd(Session* session, const std::string& peer);

 private:
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<bool> WaitForSlot();
  void Admit(tcp::socket socket);
  void Refuse(Refusal refusal);
  std::size_t ConnectionCount();
  void BeginShutdown(std::chrono::milliseconds deadline, std::function<void()> done);
  void ForceCloseAll();
  void Finish();

  asio::io_context& io_;
  const ServerOptions options_;
  const detail::MessageLimits limits_;
  const std::shared_ptr<const Router> router_;
  const std::shared_ptr<ServerObserver> observer_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_timer_;
  asio::steady_timer slot_timer_;
  asio::steady_timer deadline_timer_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> waiting_for_slot_{false};
  std::array<observability::LogSampler, 3> refusal_logs_;

  std::mutex mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<std::string, std::size_t> per_peer_;
  std::vector<std::function<void()>> done_;
  bool finished_ = false;
};

// One connection: reads requests one after another on its own strand until the client closes,
// a deadline passes, a request is malformed, or the server shuts down.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerCore> core, tcp::socket socket, std::string peer)
      : core_(std::move(core)),
        peer_(std::move(peer)),
        stream_(std::move(socket)),
        buffer_(detail::ReadBufferLimit(core_->limits())) {}
  ~Session() { core_->OnSessionEnd(this, peer_); }

  asio::any_io_executor executor() { return stream_.get_executor(); }
  asio::awaitable<void> Run();

  /// Any thread. Idle keep-alive connections close at once; a request in progress finishes
  /// and is answered with Connection: close.
  void RequestClose();
  /// Any thread. Closes the socket; pending reads and writes fail.
  void ForceClose();
  /// The request being served (for the log line of an exception that ends the session).
  const std::string& request_id() const { return request_id_; }
  const std::string& route() const { return route_; }

 private:
  asio::awaitable<bool> AwaitFirstByte(std::chrono::milliseconds timeout);
  asio::awaitable<std::optional<ReadFailure>> ReadRequest(detail::RequestReader& reader);
  asio::awaitable<void> AnswerReadFailure(const ReadFailure& failure,
                                          detail::RequestReader& reader,
                                          Clock::time_point started);
  asio::awaitable<Response> Dispatch(const Request& request, RequestContext& context);
  asio::awaitable<bool> Write(Response& response);
  asio::awaitable<void> Stream(Response& response, RequestContext& context);
  asio::awaitable<void> LingeringClose();
  void Close();

  std::shared_ptr<ServerCore> core_;
  const std::string peer_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string request_id_;
  std::string route_;
  bool idle_ = false;     // waiting for the first byte of the next request
  bool closing_ = false;  // shutdown asked; answer the current request, then close
};

asio::awaitable<void> Session::Run() {
  const ServerOptions& options = core_->options();
  for (bool first = true;; first = false) {
    // A new connection gets read_timeout for its first byte: a socket that sends nothing must
    // not hold a slot for the keep-alive idle time.
    if (!co_await AwaitFirstByte(first ? options.read_timeout : options.idle_timeout)) break;
    Clock::time_point started = Clock::now();
    // One absolute deadline for the whole request, so a client trickling bytes cannot keep
    // the connection longer than read_timeout.
    stream_.expires_after(options.read_timeout);
    detail::RequestReader reader(core_->limits());
    request_id_.clear();
    route_.clear();
    if (auto failure = co_await ReadRequest(reader)) {
      if (failure->status != 0) co_await AnswerReadFailure(*failure, reader, started);
      break;
    }

    Request request = reader.parser().release();
    RequestContext context;
    context.request_id = detail::RequestIdFor(request["X-Request-Id"]);
    context.target = std::string(request.target());
    request_id_ = context.request_id;
    Response response = co_await Dispatch(request, context);
    if (context.stream) {
      Finalize(response, context.request_id, request.version(), false, false);
      co_await Stream(response, context);
      core_->Observe(context.route, response.result_int(), Clock::now() - started);
      break;
    }
    bool keep_alive = request.keep_alive() && !closing_ && !core_->stopping();
    Finalize(response, context.request_id, request.version(), keep_alive,
             request.method() == Verb::head);
    unsigned status = response.result_int();
    bool written = co_await Write(response);
    core_->Observe(context.route.empty() ? kUnmatched : context.route, status,
                   Clock::now() - started);
    if (!written || !keep_alive) break;
  }
  Close();
}

asio::awaitable<bool> Session::AwaitFirstByte(std::chrono::milliseconds timeout) {
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already buffered
  if (closing_) co_return false;
  idle_ = true;
  stream_.expires_after(timeout);
  error_code ec;
  std::size_t n = co_await stream_.async_read_some(buffer_.prepare(kFirstReadSize), Redirect(ec));
  idle_ = false;
  if (ec) co_return false;  // eof, timeout or shutdown: all normal closes
  buffer_.commit(n);
  co_return true;
}

asio::awaitable<std::optional<ReadFailure>> Session::ReadRequest(detail::RequestReader& reader) {
  auto& parser = reader.parser();
  error_code ec;
  co_await bhttp::async_read_header(stream_, buffer_, parser, Redirect(ec));
  if (ec) co_return detail::ClassifyRequestError(ec);
  if (auto failure = reader.CheckHeader()) co_return failure;
  if (parser.is_done()) co_return std::nullopt;
  // RFC 9110 section 10.1.1: a client that sent Expect: 100-continue may wait for this before
  // sending the body. Oversized bodies were already refused by the header read above.
  if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    co_await asio::async_write(stream_, asio::buffer(kContinue), Redirect(ec));
    if (ec) co_return ReadFailure{};
  }
  co_await bhttp::async_read(stream_, buffer_, parser, Redirect(ec));
  if (ec) co_return detail::ClassifyRequestError(ec);
  co_return reader.CheckComplete();
}

asio::awaitable<void> Session::AnswerReadFailure(const ReadFailure& failure,
                                                 detail::RequestReader& reader,
                                                 Clock::time_point started) {
  auto& parser = reader.parser();
  std::string request_id = parser.is_header_done()
                               ? detail::RequestIdFor(parser.get()["X-Request-Id"])
                               : detail::NewRequestId();
  Response response = JsonError(failure.status, failure.code, failure.message, request_id);
  Finalize(response, request_id, 11, false, false);
  bool written = co_await Write(response);
  core_->Observe(kUnmatched, failure.status, Clock::now() - started);
  if (written) co_await LingeringClose();
}

asio::awaitable<Response> Session::Dispatch(const Request& request, RequestContext& context) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  const Router& router = core_->router();
  Router::Match match = router.Find(request.method(), path);
  // HEAD is served wherever GET is (RFC 9110 section 9.3.2); Finalize drops the body.
  if (match.handler == nullptr && request.method() == Verb::head) {
    match = router.Find(Verb::get, path);
  }
  if (match.handler == nullptr && match.path_known) {
    Response response =
        JsonError(405, "method_not_allowed", "method not allowed", context.request_id);
    response.set(bhttp::field::allow, AllowedMethods(router, path));
    co_return response;
  }
  if (match.handler == nullptr) {
    co_return JsonError(404, "not_found", "no such resource", context.request_id);
  }
  context.route = std::move(match.route);
  context.path_params = std::move(match.path_params);
  route_ = context.route;
  std::exception_ptr failed;
  Response response;
  try {
    response = co_await (*match.handler)(request, context);
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    core_->ReportException("handler", context.request_id, context.route, failed);
    // The client sees none of the exception's text.
    co_return JsonError(500, "internal", "internal error", context.request_id);
  }
  co_return response;
}

asio::awaitable<bool> Session::Write(Response& response) {
  // Writing is bounded too, so a client that stops reading cannot pin the connection.
  stream_.expires_after(core_->options().read_timeout);
  error_code ec;
  co_await bhttp::async_write(stream_, response, Redirect(ec));
  co_return !ec;
}

// The head with chunked transfer coding, then each chunk as the handler writes it. Every write
// has the read timeout as its deadline, so a client that stops reading is let go; a shutdown
// ends the stream at the handler's next write.
asio::awaitable<void> Session::Stream(Response& response, RequestContext& context) {
  response.body().clear();
  response.chunked(true);
  bhttp::response_serializer<bhttp::string_body> serializer{response};
  stream_.expires_after(core_->options().read_timeout);
  error_code ec;
  co_await bhttp::async_write_header(stream_, serializer, Redirect(ec));
  if (ec) co_return;
  ChunkWriter write = [this](std::string data) -> asio::awaitable<bool> {
    if (closing_ || core_->stopping()) co_return false;
    stream_.expires_after(core_->options().read_timeout);
    error_code failed;
    co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(data)), Redirect(failed));
    co_return !failed;
  };
  co_await context.stream(write);
  stream_.expires_after(core_->options().read_timeout);
  co_await asio::async_write(stream_, bhttp::make_chunk_last(), Redirect(ec));
}

asio::awaitable<void> Session::LingeringClose() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream_.expires_after(kLingerTimeout);
  std::array<char, 4096> scratch;
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    drained += co_await stream_.async_read_some(asio::buffer(scratch), Redirect(ec));
    if (ec) break;
  }
}

void Session::Close() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

void Session::RequestClose() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (self->idle_) self->stream_.cancel();
  });
}

void Session::ForceClose() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    self->stream_.close();
  });
}

Result<void> ServerCore::Listen() {
  error_code ec;
  auto fail = [&]() -> Result<void> {
    error_code ignored;
    acceptor_.close(ignored);
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.address + ":" +
                                                  std::to_string(options_.port) + ": " +
                                                  ec.message());
  };
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return fail();
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail();
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail();
  acceptor_.bind(endpoint, ec);
  if (ec) return fail();
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail();
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail();
  return Ok();
}

void ServerCore::Start() {
  asio::co_spawn(strand_, AcceptLoop(), [self = shared_from_this()](std::exception_ptr error) {
    // AcceptLoop only ends on Shutdown; anything else is a bug worth a loud line.
    if (error) self->ReportException("accept_loop", "", "", error);
  });
}

// Unlike Beast's examples, an accept error never ends the loop (boostorg/beast#3010): running
// out of descriptors is temporary, and a server that stops accepting for good is an outage.
asio::awaitable<void> ServerCore::AcceptLoop() {
  while (!stopping_) {
    if (!co_await WaitForSlot()) break;
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(
        asio::any_io_executor(asio::make_strand(io_)), Redirect(ec));
    if (stopping_) break;
    if (!ec) {
      Admit(std::move(socket));
      continue;
    }
    // Errors of one failed handshake (ECONNABORTED, EPROTO) say nothing about the listener:
    // accept again at once. Out of descriptors or memory, the same error would come straight
    // back, so wait for connections to end; likewise if the acceptor is not open (Start
    // without a successful Listen) rather than spinning.
    if (!IsResourceExhaustion(ec) && acceptor_.is_open()) continue;
    if (IsResourceExhaustion(ec)) Refuse(Refusal::kNoDescriptors);
    backoff_timer_.expires_after(kAcceptBackoff);
    co_await backoff_timer_.async_wait(Redirect(ec));
  }
}

// max_connections: when reached we stop accepting (new clients wait in the kernel's listen
// backlog) until a connection ends, rather than accepting and closing at once.
asio::awaitable<bool> ServerCore::WaitForSlot() {
  bool reported = false;
  while (!stopping_ && ConnectionCount() >= options_.max_connections) {
    if (!reported) Refuse(Refusal::kTableFull);
    reported = true;
    waiting_for_slot_ = true;
    // Re-check after raising the flag: a session that ended in between saw the flag down and
    // did not wake us.
    if (ConnectionCount() < options_.max_connections) break;
    slot_timer_.expires_at(Clock::time_point::max());
    error_code ec;
    co_await slot_timer_.async_wait(Redirect(ec));
  }
  waiting_for_slot_ = false;
  co_return !stopping_;
}

std::size_t ServerCore::ConnectionCount() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void ServerCore::Admit(tcp::socket socket) {
  error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is gone already; the socket closes here
  std::string peer = remote.address().to_string();
  std::shared_ptr<Session> session;
  std::size_t open = 0;
  {
    std::lock_guard lock(mutex_);
    std::size_t& held = per_peer_[peer];
    if (options_.max_connections_per_peer == 0 || held < options_.max_connections_per_peer) {
      ++held;
      session = std::make_shared<Session>(shared_from_this(), std::move(socket), peer);
      sessions_.emplace(session.get(), session);
      open = sessions_.size();
    }
  }
  if (!session) {
    // Closing at once (RST if it already sent something) costs the peer a retry, and keeps the
    // table for everyone else.
    socket.close(ec);
    Refuse(Refusal::kPeerLimit);
    return;
  }
  if (observer_) observer_->OnConnections(open);
  // The session gives its slot back from its destructor (OnSessionEnd); this handler only
  // reports an exception that escaped the session's coroutine.
  asio::co_spawn(session->executor(), session->Run(),
                 [self = shared_from_this(), session](std::exception_ptr error) {
                   if (error) {
                     self->ReportException("session", session->request_id(), session->route(),
                                           error);
                   }
                 });
}

void ServerCore::Refuse(Refusal refusal) {
  if (observer_) observer_->OnRefused(refusal);
  auto decision = refusal_logs_[static_cast<std::size_t>(refusal)].Sample();
  if (!decision.log) return;
  spdlog::warn("http.connection_refused server={} reason={} max_connections={} "
               "max_per_peer={} suppressed_since_last={}",
               options_.name, RefusalName(refusal), options_.max_connections,
               options_.max_connections_per_peer, decision.suppressed);
}

void ServerCore::OnSessionEnd(Session* session, const std::string& peer) {
  bool last = false;
  std::size_t open = 0;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
    auto it = per_peer_.find(peer);
    if (it != per_peer_.end() && --it->second == 0) per_peer_.erase(it);
    open = sessions_.size();
    last = stopping_ && sessions_.empty();
  }
  if (observer_) observer_->OnConnections(open);
  if (waiting_for_slot_) {
    asio::post(strand_, [self = shared_from_this()] { self->slot_timer_.cancel(); });
  }
  if (last) Finish();
}

void ServerCore::Observe(std::string_view route, unsigned status, Clock::duration elapsed) const {
  if (!observer_) return;
  try {
    observer_->OnRequest(route, status, elapsed);
  } catch (...) {
    // Metrics must never take a connection down.
  }
}

void ServerCore::ReportException(std::string_view where, std::string_view request_id,
                                 std::string_view route, const std::exception_ptr& error) const {
  spdlog::error("http.exception server={} where={} request_id={} route={} type={}",
                options_.name, where, request_id.empty() ? "-" : request_id,
                route.empty() ? kUnmatched : route, ExceptionType(error));
  if (observer_) observer_->OnException();
}

void ServerCore::Shutdown(std::chrono::milliseconds deadline, std::function<void()> done) {
  asio::post(strand_, [self = shared_from_this(), deadline, done = std::move(done)]() mutable {
    self->BeginShutdown(deadline, std::move(done));
  });
}

void ServerCore::BeginShutdown(std::chrono::milliseconds deadline, std::function<void()> done) {
  std::vector<std::shared_ptr<Session>> sessions;
  bool first = false;
  bool finished = false;
  {
    std::lock_guard lock(mutex_);
    if (done) done_.push_back(std::move(done));
    first = !stopping_.exchange(true);
    finished = finished_ || sessions_.empty();
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  if (first) {
    error_code ec;
    acceptor_.close(ec);
    backoff_timer_.cancel();
    slot_timer_.cancel();
    for (auto& session : sessions) session->RequestClose();
    deadline_timer_.expires_after(deadline);
    deadline_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return;  // cancelled by Finish: every connection ended in time
      self->ForceCloseAll();
      self->Finish();
    });
  }
  // Sessions may still be referenced here: release them before deciding we are finished.
  sessions.clear();
  if (finished) Finish();
}

void ServerCore::ForceCloseAll() {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(mutex_);
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (auto& session : sessions) session->ForceClose();
}

void ServerCore::Finish() {
  std::vector<std::function<void()>> done;
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    done.swap(done_);
  }
  asio::post(strand_, [self = shared_from_this()] { self->deadline_timer_.cancel(); });
  for (auto& callback : done) {
    try {
      callback();
    } catch (...) {
      // The caller's callback failing must not unwind through the io_context.
    }
  }
}

}  // namespace

std::string_view RefusalName(Refusal refusal) {
  switch (refusal) {
    case Refusal::kPeerLimit: return "peer_limit";
    case Refusal::kTableFull: return "table_full";
    case Refusal::kNoDescriptors: return "no_descriptors";
  }
  return "unknown";
}

void RunIoContext(asio::io_context& io, std::string_view name) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (...) {
      // A handler threw past everything (Beast throws std::length_error from inside its read
      // operations on some inputs): the operation that threw is lost, the process is not.
      spdlog::error("io.exception thread={} type={} (the thread keeps serving)", name,
                    ExceptionType(std::current_exception()));
    }
  }
}

struct Server::Impl {
  std::shared_ptr<ServerCore> core;
};

Server::Server(asio::io_context& io, ServerOptions options, std::shared_ptr<const Router> router,
               std::shared_ptr<ServerObserver> observer)
    : impl_(std::make_shared<Impl>()) {
  impl_->core = std::make_shared<ServerCore>(io, std::move(options), std::move(router),
                                             std::move(observer));
}

Server::~Server() {
  // Coroutines hold the core; without this an un-stopped server would keep accepting.
  impl_->core->Shutdown(std::chrono::milliseconds(0), {});
}

Result<void> Server::Listen() { return impl_->core->Listen(); }

std::uint16_t Server::port() const { return impl_->core->port(); }

void Server::Start() { impl_->core->Start(); }

void Server::Shutdown(std::chrono::milliseconds deadline, std::function<void()> done) {
  impl_->core->Shutdown(deadline, std::move(done));
}

}  // namespace chorus::http

#include "bench/load_generator.hpp"

// Boost 1.74's Asio needs <utility> first with GCC 12 (see server/http/asio.hpp).
#include <utility>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

namespace chorus::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kReadBuffer = 16 * 1024;  // a response head must fit; a body may grow it
constexpr int kConnectAttempts = 50;  // 100 ms apart: a server that is not there in 5 s is down
constexpr auto kConnectRetry = std::chrono::milliseconds(100);

struct Head {
  bool complete = false;  // the whole response (head and body) is in the buffer
  bool malformed = false;
  int status = 0;
  std::size_t total = 0;  // bytes of the whole response
  bool close = false;     // Connection: close
};

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Enough HTTP/1.1 for answers from servers we control: a status line, a Content-Length (or no
// body), no chunked encoding.
Head ParseHead(std::string_view data) {
  Head h;
  const std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    h.malformed = data.size() >= kReadBuffer;
    return h;
  }
  if (data.size() < 12 || data.substr(0, 5) != "HTTP/") {
    h.malformed = true;
    return h;
  }
  h.status = (data[9] - '0') * 100 + (data[10] - '0') * 10 + (data[11] - '0');
  std::size_t length = 0;
  std::size_t pos = data.find("\r\n") + 2;
  while (pos < end) {
    std::size_t eol = data.find("\r\n", pos);
    std::string_view line = data.substr(pos, eol - pos);
    if (StartsWithNoCase(line, "content-length:")) {
      std::size_t i = 15;
      while (i < line.size() && line[i] == ' ') ++i;
      for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
        length = length * 10 + static_cast<std::size_t>(line[i] - '0');
      }
    } else if (StartsWithNoCase(line, "connection:")) {
      h.close = line.find("close") != std::string_view::npos;
    } else if (StartsWithNoCase(line, "transfer-encoding:")) {
      h.malformed = true;  // never sent by the servers under test
      return h;
    }
    pos = eol + 2;
  }
  h.total = end + 4 + length;
  h.complete = data.size() >= h.total;
  return h;
}

// State shared by every thread of one run. Each request index is touched by exactly one
// connection, so the per-request vectors need no locking.
struct Run {
  const RequestSet& set;
  std::size_t begin;
  std::size_t count;
  LoadOptions options;
  LoadResult& result;
  Clock::time_point t0;
  Clock::time_point stop_sending;  // closed loop: nothing new after this
  std::atomic<std::size_t> next{0};
};

class Engine;

class Connection {
 public:
  Connection(Engine& engine, asio::io_context& io);
  void Open();
  void Send(std::size_t index);
  void Close();
  bool busy() const { return busy_; }
  /// Opened and not used yet: the server gives such a connection its read timeout (10 s) for
  /// the first byte, and a keep-alive connection its idle timeout (60 s).
  bool fresh() const { return fresh_; }

 private:
  void Connect();
  void Read();
  void OnRead(const error_code& ec, std::size_t n);
  void Fail();

  Engine& engine_;
  asio::io_context& io_;
  tcp::socket socket_;
  asio::steady_timer retry_;
  // Webhook answers are a few hundred bytes, a page of 100 members tens of kilobytes: the
  // buffer grows to the largest whole response seen.
  std::vector<char> buffer_ = std::vector<char>(kReadBuffer);
  std::size_t have_ = 0;
  std::size_t index_ = 0;
  bool busy_ = false;
  bool fresh_ = false;
  bool opened_before_ = false;
  int attempts_ = 0;
};

// One thread's connections. Closed loop: a free connection takes the next index at once.
// Open loop: it takes the next index that is due, or waits for the pacing timer.
class Engine {
 public:
  Engine(Run& run, int connections) : run_(run), io_(1), timer_(io_), drain_timer_(io_) {
    for (int i = 0; i < connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(*this, io_));
    }
  }

  void Execute() {
    for (auto& c : connections_) c->Open();
    if (open_loop()) ArmPacer();
    io_.run();
  }

  Run& run() { return run_; }
  bool stopping() const { return stopping_; }
  std::size_t reconnects = 0;
  std::size_t issued = 0;

  /// A connection is free (just opened or just answered).
  void Ready(Connection& c) {
    if (stopping_) return;
    if (!open_loop()) {
      const auto now = Clock::now();
      const std::size_t i = run_.next.fetch_add(1, std::memory_order_relaxed);
      if (i >= run_.count || (run_.options.max_seconds > 0 && now >= run_.stop_sending)) {
        Idle(c);
        return;
      }
      run_.result.started[i] = now;
      Issue(c, i);
      return;
    }
    if (next_due_ < Due(Clock::now())) {
      Issue(c, next_due_++);
      return;
    }
    Idle(c);
  }

  void Answered(std::size_t i, int status) {
    run_.result.status[i] = static_cast<std::uint16_t>(status);
    run_.result.answered[i] = Clock::now();
    --in_flight_;
  }

  void Failed(std::size_t) { --in_flight_; }

  /// A connection gave up (the server is not there). Counts as idle for good.
  void GaveUp(Connection& c) {
    dead_.push_back(&c);
    MaybeFinish();
  }

 private:
  bool open_loop() const { return run_.options.rate > 0; }

  Clock::time_point Scheduled(std::size_t i) const {
    return run_.t0 +
           std::chrono::nanoseconds(std::llround(static_cast<double>(i) * 1e9 / run_.options.rate));
  }

  std::size_t Due(Clock::time_point now) const {
    if (now < run_.t0) return 0;
    const double elapsed = std::chrono::duration<double>(now - run_.t0).count();
    const auto due = static_cast<std::size_t>(elapsed * run_.options.rate) + 1;
    return std::min(due, run_.count);
  }

  void Issue(Connection& c, std::size_t i) {
    if (open_loop()) run_.result.started[i] = Scheduled(i);
    ++issued;
    ++in_flight_;
    c.Send(i);
  }

  void Idle(Connection& c) {
    idle_.push_back(&c);
    MaybeFinish();
  }

  bool AllSent() const {
    if (open_loop()) return next_due_ >= run_.count;
    return run_.next.load(std::memory_order_relaxed) >= run_.count ||
           (run_.options.max_seconds > 0 && Clock::now() >= run_.stop_sending);
  }

  void MaybeFinish() {
    if (!AllSent()) return;
    if (!drain_armed_) {
      drain_armed_ = true;
      drain_timer_.expires_after(run_.options.drain_timeout);
      drain_timer_.async_wait([this](const error_code& ec) {
        if (!ec) Stop();  // answers still missing: give up on them
      });
    }
    if (idle_.size() + dead_.size() == connections_.size()) Stop();
  }

  void Stop() {
    if (stopping_) return;
    stopping_ = true;
    timer_.cancel();
    drain_timer_.cancel();
    for (auto& c : connections_) c->Close();
  }

  // Wakes when request `at` is due. Requests already due with no free connection are not
  // the pacer's business: finishing connections take them, so it never spins on the past.
  void ArmPacer(std::size_t at = 0) {
    if (stopping_ || at >= run_.count) return;
    timer_.expires_at(Scheduled(at));
    timer_.async_wait([this](const error_code& ec) {
      if (ec || stopping_) return;
      const std::size_t due = Due(Clock::now());
      while (!idle_.empty() && next_due_ < due) Issue(TakeIdle(), next_due_++);
      if (next_due_ >= run_.count) MaybeFinish();
      ArmPacer(due);
    });
  }

  // The idle connection the pacer sends on: one never used first (so no connection sits unused
  // past the server's first-byte timeout and fails when a burst finally reaches it), then the
  // most recently freed one, or with options.rotate the longest idle (every connection takes
  // its turn, as at low rates a burst would otherwise reach connections idle for a minute).
  Connection& TakeIdle() {
    auto pick = idle_.end();
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if ((*it)->fresh()) {
        pick = it;
        break;
      }
    }
    if (pick == idle_.end()) pick = run_.options.rotate ? idle_.begin() : idle_.end() - 1;
    Connection* c = *pick;
    idle_.erase(pick);
    return *c;
  }

  Run& run_;
  asio::io_context io_;
  asio::steady_timer timer_;
  asio::steady_timer drain_timer_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::deque<Connection*> idle_;
  std::vector<Connection*> dead_;
  std::size_t next_due_ = 0;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  bool drain_armed_ = false;
};

Connection::Connection(Engine& engine, asio::io_context& io)
    : engine_(engine), io_(io), socket_(io), retry_(io) {}

void Connection::Open() { Connect(); }

void Connection::Connect() {
  const auto& options = engine_.run().options;
  tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  socket_ = tcp::socket(io_);
  have_ = 0;
  socket_.async_connect(endpoint, [this](const error_code& ec) {
    if (engine_.stopping()) return;
    if (ec) {
      if (++attempts_ >= kConnectAttempts) {
        std::fprintf(stderr, "loadgen: cannot connect: %s\n", ec.message().c_str());
        engine_.GaveUp(*this);
        return;
      }
      retry_.expires_after(kConnectRetry);
      retry_.async_wait([this](const error_code& wait_ec) {
        if (!wait_ec && !engine_.stopping()) Connect();
      });
      return;
    }
    attempts_ = 0;
    fresh_ = true;
    if (opened_before_) ++engine_.reconnects;
    opened_before_ = true;
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    engine_.Ready(*this);
  });
}

void Connection::Send(std::size_t index) {
  index_ = index;
  busy_ = true;
  fresh_ = false;
  const std::string_view bytes = engine_.run().set.bytes(engine_.run().begin + index);
  asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                    [this](const error_code& ec, std::size_t) {
                      if (ec) {
                        Fail();
                        return;
                      }
                      Read();
                    });
}

void Connection::Read() {
  socket_.async_read_some(asio::buffer(buffer_.data() + have_, buffer_.size() - have_),
                          [this](const error_code& ec, std::size_t n) { OnRead(ec, n); });
}

void Connection::OnRead(const error_code& ec, std::size_t n) {
  if (ec) {
    Fail();
    return;
  }
  have_ += n;
  const Head head = ParseHead(std::string_view(buffer_.data(), have_));
  if (head.malformed) {
    Fail();
    return;
  }
  if (!head.complete) {
    if (head.total > buffer_.size()) buffer_.resize(head.total);
    Read();
    return;
  }
  busy_ = false;
  engine_.Answered(index_, head.status);
  std::memmove(buffer_.data(), buffer_.data() + head.total, have_ - head.total);
  have_ -= head.total;
  if (head.close) {
    error_code ignored;
    socket_.close(ignored);
    if (!engine_.stopping()) Connect();
    return;
  }
  engine_.Ready(*this);
}

void Connection::Fail() {
  if (busy_) {
    busy_ = false;
    engine_.Failed(index_);
  }
  error_code ignored;
  socket_.close(ignored);
  if (!engine_.stopping()) Connect();
}

void Connection::Close() {
  error_code ignored;
  retry_.cancel();
  socket_.close(ignored);
}

}  // namespace

LoadResult RunLoad(const RequestSet& set, std::size_t begin, std::size_t end,
                   const LoadOptions& options) {
  LoadResult result;
  const std::size_t count = end - begin;
  result.status.assign(count, 0);
  result.started.assign(count, Clock::time_point{});
  result.answered.assign(count, Clock::time_point{});

  Run run{set, begin, count, options, result, {}, {}, {}};
  const int threads = options.rate > 0 ? 1 : std::max(1, options.threads);
  std::vector<std::unique_ptr<Engine>> engines;
  for (int t = 0; t < threads; ++t) {
    const int share = options.connections / threads + (t < options.connections % threads);
    engines.push_back(std::make_unique<Engine>(run, share));
  }
  // Open loop: request 0 is due a little after start, once connections had time to open.
  run.t0 = Clock::now() +
           (options.rate > 0 ? std::chrono::milliseconds(200) : std::chrono::milliseconds(0));
  run.stop_sending =
      run.t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(options.max_seconds * 1e9));
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back([&, t] { engines[t]->Execute(); });
  engines[0]->Execute();
  for (auto& w : workers) w.join();

  Clock::time_point first = Clock::time_point::max();
  Clock::time_point last = Clock::time_point::min();
  std::vector<std::int64_t> samples;
  samples.reserve(count);
  for (const auto& e : engines) {
    result.issued += e->issued;
    result.reconnects += e->reconnects;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (result.started[i] != Clock::time_point{}) first = std::min(first, result.started[i]);
    const int status = result.status[i];
    if (status == 0) continue;
    last = std::max(last, result.answered[i]);
    ++result.statuses[status];
    if (status >= 200 && status < 300) {
      ++result.ok;
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(result.answered[i] -
                                                                             result.started[i])
                            .count());
    } else {
      ++result.non_2xx;
    }
  }
  result.failed = result.issued - result.ok - result.non_2xx;
  if (last > first) result.seconds = std::chrono::duration<double>(last - first).count();
  if (result.seconds > 0) result.ok_per_second = static_cast<double>(result.ok) / result.seconds;
  result.latency = Summarize(std::move(samples));
  return result;
}

bool SleepUntilUnix(double unix_seconds) {
  const auto at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(unix_seconds)));
  if (std::chrono::system_clock::now() > at) return false;
  std::this_thread::sleep_until(at);
  return true;
}

std::string FormatLoad(const LoadResult& r) {
  std::string statuses;
  for (const auto& [status, n] : r.statuses) {
    statuses += " " + std::to_string(status) + "x" + std::to_string(n);
  }
  char text[600];
  std::snprintf(text, sizeof text,
                "  sent %zu, 2xx %zu, non-2xx %zu, no answer %zu, reconnects %zu (statuses:%s)\n"
                "  %.0f 2xx/s over %.2f s\n"
                "  latency %s\n",
                r.issued, r.ok, r.non_2xx, r.failed, r.reconnects, statuses.c_str(),
                r.ok_per_second, r.seconds, FormatSummary(r.latency).c_str());
  return text;
}

std::string LoadKeyValues(const std::string& p, const LoadResult& r) {
  char text[800];
  std::snprintf(text, sizeof text,
                "%s.sent=%zu\n%s.ok=%zu\n%s.non_2xx=%zu\n%s.no_answer=%zu\n%s.reconnects=%zu\n"
                "%s.seconds=%.3f\n%s.ok_per_second=%.0f\n%s.p50_ms=%.2f\n%s.p90_ms=%.2f\n"
                "%s.p99_ms=%.2f\n%s.p999_ms=%.2f\n%s.max_ms=%.2f\n%s.mean_ms=%.2f\n",
                p.c_str(), r.issued, p.c_str(), r.ok, p.c_str(), r.non_2xx, p.c_str(), r.failed,
                p.c_str(), r.reconnects, p.c_str(), r.seconds, p.c_str(), r.ok_per_second,
                p.c_str(), r.latency.p50_ms, p.c_str(), r.latency.p90_ms, p.c_str(),
                r.latency.p99_ms, p.c_str(), r.latency.p999_ms, p.c_str(), r.latency.max_ms,
                p.c_str(), r.latency.mean_ms);
  return text;
}

}  // namespace chorus::bench

#include "http/server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <boost/asio/post.hpp>
#include <stdexcept>
#include <thread>

#include "http/loopback.hpp"

namespace chorus::http {
namespace {

using namespace std::chrono_literals;
using testing::Get;
using testing::RawClient;

Response Text(std::string body) {
  Response response{beast::http::status::ok, 11};
  response.set(beast::http::field::content_type, "text/plain");
  response.body() = std::move(body);
  return response;
}

asio::awaitable<void> Sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.header_limit = 1024;
  options.body_limit = 1024;
  options.read_timeout = 2s;
  options.idle_timeout = 2s;
  return options;
}

class ServerLoopback : public ::testing::Test {
 protected:
  ServerLoopback() {
    router_->Add(Verb::get, "/hello",
                 [](const Request&, RequestContext&) -> asio::awaitable<Response> {
                   co_return Text("hello");
                 });
    router_->Add(Verb::post, "/echo",
                 [](const Request& request, RequestContext&) -> asio::awaitable<Response> {
                   co_return Text(request.body());
                 });
    router_->Add(
        Verb::get, "/members/{id}",
        [](const Request&, RequestContext& context) -> asio::awaitable<Response> {
          co_return Text(context.route + " " + context.path_params.at(0) + " " + context.target);
        });
    router_->Add(Verb::get, "/boom",
                 [](const Request&, RequestContext&) -> asio::awaitable<Response> {
                   throw std::runtime_error("secret SQL text");
                   co_return Text("unreachable");
                 });
    router_->Add(Verb::get, "/slow",
                 [this](const Request&, RequestContext&) -> asio::awaitable<Response> {
                   slow_started_.set_value();
                   co_await Sleep(300ms);
                   co_return Text("slow done");
                 });
    // Throws from a plain completion handler, outside any coroutine: what Beast 1.74 does on
    // an oversized trailer field. Only the thread's run loop can catch it.
    router_->Add(Verb::get, "/throw-in-completion",
                 [](const Request&, RequestContext&) -> asio::awaitable<Response> {
                   asio::post(co_await asio::this_coro::executor,
                              [] { throw std::length_error("field value too large"); });
                   co_return Text("posted");
                 });
    router_->Add(Verb::get, "/stuck",
                 [this](const Request&, RequestContext&) -> asio::awaitable<Response> {
                   stuck_started_.set_value();
                   co_await Sleep(60s);
                   co_return Text("too late");
                 });
  }

  // Records what the server reports; the test reads it under the mutex.
  struct Observer final : ServerObserver {
    explicit Observer(ServerLoopback& test) : test(test) {}
    void OnRequest(std::string_view route, unsigned status,
                   std::chrono::duration<double>) override {
      std::lock_guard lock(test.observed_mutex_);
      test.observed_.emplace_back(std::string(route), status);
      test.observed_changed_.notify_all();
    }
    void OnRefused(Refusal refusal) override {
      std::lock_guard lock(test.observed_mutex_);
      test.refusals_.push_back(refusal);
      test.observed_changed_.notify_all();
    }
    void OnConnections(std::size_t open) override { test.open_connections_ = open; }
    void OnException() override { ++test.exceptions_; }
    ServerLoopback& test;
  };

  void StartServer(ServerOptions options = TestOptions()) {
    server_ = std::make_unique<Server>(threads_.io, options, router_,
                                       std::make_shared<Observer>(*this));
    auto listening = server_->Listen();
    ASSERT_TRUE(listening.ok()) << listening.error().message;
    ASSERT_NE(server_->port(), 0);
    server_->Start();
  }

  void TearDown() override {
    if (server_) {
      std::promise<void> done;
      server_->Shutdown(0ms, [&done] { done.set_value(); });
      testing::Wait(done.get_future());
    }
    threads_.Stop();
  }

  // The observer runs after the response is written, so a test that read the response waits
  // for it rather than racing it.
  std::vector<std::pair<std::string, unsigned>> WaitForObservations(std::size_t count) {
    std::unique_lock lock(observed_mutex_);
    observed_changed_.wait_for(lock, 5s, [&] { return observed_.size() >= count; });
    return observed_;
  }

  std::uint16_t port() const { return server_->port(); }

  testing::IoThreads threads_;
  std::shared_ptr<Router> router_ = std::make_shared<Router>();
  std::unique_ptr<Server> server_;
  std::promise<void> slow_started_;
  std::promise<void> stuck_started_;
  std::mutex observed_mutex_;
  std::condition_variable observed_changed_;
  std::vector<std::pair<std::string, unsigned>> observed_;
  std::vector<Refusal> refusals_;
  std::atomic<std::size_t> open_connections_{0};
  std::atomic<int> exceptions_{0};

  std::vector<Refusal> WaitForRefusals(std::size_t count) {
    std::unique_lock lock(observed_mutex_);
    observed_changed_.wait_for(lock, 5s, [&] { return refusals_.size() >= count; });
    return refusals_;
  }
};

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

TEST_F(ServerLoopback, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Get("/hello")));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << "request " << i;
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ(response->body(), "hello");
    EXPECT_TRUE(response->keep_alive());
    EXPECT_EQ((*response)[beast::http::field::server], "chorus");
  }
}

TEST_F(ServerLoopback, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Post("/echo", "first") + Post("/echo", "second")));
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "first");
  EXPECT_EQ(second->body(), "second");
}

TEST_F(ServerLoopback, ConnectionCloseFromClientIsHonoured) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/hello", "Connection: close\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerLoopback, PathParamsRouteAndTargetReachTheHandler) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/members/a%20b?x=1")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body(), "/members/{id} a b /members/a%20b?x=1");
  auto observed = WaitForObservations(1);
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0], std::make_pair(std::string("/members/{id}"), 200u));
}

TEST_F(ServerLoopback, BodyOverLimitByContentLengthIs413AndCloses) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Post("/echo", std::string(2000, 'x'))));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_NE(response->body().find(R"("code":"payload_too_large")"), std::string::npos);
  EXPECT_EQ((*response)[beast::http::field::content_type], "application/json");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.WaitForClose());
  auto observed = WaitForObservations(1);
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0], std::make_pair(std::string("unmatched"), 413u));
}

TEST_F(ServerLoopback, ChunkedBodyGrowingPastLimitIs413) {
  StartServer();
  RawClient client(port());
  std::string request = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(0x200, 'y') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.Send(request));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerLoopback, ChunkedBodyWithinLimitIsServed) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body(), "abcde");
}

TEST_F(ServerLoopback, HugeHeaderIs431AndCloses) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/hello", "X-Big: " + std::string(4000, 'h') + "\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_NE(response->body().find(R"("code":"header_too_large")"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerLoopback, GarbageIs400AndCloses) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send("\x16\x03\x01 this is not http\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_NE(response->body().find(R"("code":"bad_request")"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerLoopback, UnknownPathIs404Json) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/nope", "X-Request-Id: req-404\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 404u);
  EXPECT_EQ(response->body(),
            R"({"code":"not_found","message":"no such resource","request_id":"req-404"})");
  EXPECT_TRUE(response->keep_alive());
  auto observed = WaitForObservations(1);
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0], std::make_pair(std::string("unmatched"), 404u));
}

TEST_F(ServerLoopback, WrongMethodIs405WithAllow) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Post("/echo/", "")));
  ASSERT_TRUE(client.Send(Get("/echo")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 404u);
  response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 405u);
  EXPECT_EQ((*response)[beast::http::field::allow], "POST");
  EXPECT_NE(response->body().find(R"("code":"method_not_allowed")"), std::string::npos);
}

TEST_F(ServerLoopback, HandlerExceptionIs500AndTheConnectionStillWorks) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/boom")));
  auto failed = client.Read();
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->result_int(), 500u);
  EXPECT_NE(failed->body().find(R"("code":"internal","message":"internal error")"),
            std::string::npos);
  EXPECT_EQ(failed->body().find("secret"), std::string::npos);

  ASSERT_TRUE(client.Send(Get("/hello")));
  auto next = client.Read();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body(), "hello");
  auto observed = WaitForObservations(2);
  ASSERT_EQ(observed.size(), 2u);
  EXPECT_EQ(observed[0], std::make_pair(std::string("/boom"), 500u));
}

TEST_F(ServerLoopback, ClientStallingMidRequestIsDisconnectedAfterReadTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = 200ms;
  StartServer(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc"));
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  // The socket timeout is 5 s; closing well before it shows the server's deadline did it.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServerLoopback, ClientTricklingHeaderBytesIsBoundedByReadTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = 200ms;
  options.idle_timeout = 10s;
  StartServer(options);
  RawClient client(port());
  auto started = std::chrono::steady_clock::now();
  bool closed = false;
  // One byte every 50 ms would keep a per-read timeout alive forever; the whole-request
  // deadline must still close the connection.
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = !client.Send("X") || !client.StaysQuietFor(50ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServerLoopback, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 200ms;
  StartServer(options);
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/hello")));
  ASSERT_TRUE(client.Read().has_value());
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServerLoopback, SaneRequestIdIsEchoedOtherwiseGenerated) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/hello", "X-Request-Id: abc.DEF-1_2\r\n")));
  auto echoed = client.Read();
  ASSERT_TRUE(echoed.has_value());
  EXPECT_EQ((*echoed)["X-Request-Id"], "abc.DEF-1_2");

  ASSERT_TRUE(client.Send(Get("/hello", "X-Request-Id: has space\r\n")));
  auto replaced = client.Read();
  ASSERT_TRUE(replaced.has_value());
  std::string replaced_id((*replaced)["X-Request-Id"]);
  EXPECT_EQ(replaced_id.size(), 16u);
  EXPECT_EQ(replaced_id.find_first_not_of("0123456789abcdef"), std::string::npos);

  ASSERT_TRUE(client.Send(Get("/nope")));
  auto generated = client.Read();
  ASSERT_TRUE(generated.has_value());
  std::string generated_id((*generated)["X-Request-Id"]);
  EXPECT_EQ(generated_id.size(), 16u);
  EXPECT_NE(generated->body().find(generated_id), std::string::npos);
  EXPECT_NE(generated_id, replaced_id);
}

TEST_F(ServerLoopback, ShutdownFinishesInFlightRequestAndRefusesNewConnections) {
  StartServer();
  RawClient idle(port());
  ASSERT_TRUE(idle.Send(Get("/hello")));
  ASSERT_TRUE(idle.Read().has_value());

  RawClient busy(port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  testing::Wait(slow_started_.get_future());

  std::promise<void> done;
  auto done_future = done.get_future();
  server_->Shutdown(5s, [&done] { done.set_value(); });

  // The idle keep-alive connection is closed at once, which also means the acceptor is
  // closed (Shutdown closes it first, on the same strand).
  EXPECT_TRUE(idle.WaitForClose());
  RawClient late(port());
  EXPECT_FALSE(late.connected());
  EXPECT_EQ(late.connect_errno(), ECONNREFUSED);

  auto response = busy.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->body(), "slow done");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(busy.WaitForClose());
  EXPECT_EQ(done_future.wait_for(5s), std::future_status::ready);
  server_.reset();
}

TEST_F(ServerLoopback, ShutdownDeadlineForceClosesStuckRequests) {
  StartServer();
  RawClient stuck(port());
  ASSERT_TRUE(stuck.Send(Get("/stuck")));
  testing::Wait(stuck_started_.get_future());

  std::promise<void> done;
  auto done_future = done.get_future();
  auto started = std::chrono::steady_clock::now();
  server_->Shutdown(200ms, [&done] { done.set_value(); });
  EXPECT_EQ(done_future.wait_for(5s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(stuck.WaitForClose());
  server_.reset();
}

TEST_F(ServerLoopback, ShutdownWithNoConnectionsCallsDoneAndSecondCallToo) {
  StartServer();
  std::promise<void> first;
  std::promise<void> second;
  server_->Shutdown(5s, [&first] { first.set_value(); });
  server_->Shutdown(5s, [&second] { second.set_value(); });
  EXPECT_EQ(first.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(second.get_future().wait_for(5s), std::future_status::ready);
  server_.reset();
}

TEST_F(ServerLoopback, AtMaxConnectionsNewClientsWaitUntilOneEnds) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  StartServer(options);
  auto first = std::make_unique<RawClient>(port());
  ASSERT_TRUE(first->Send(Get("/hello")));
  ASSERT_TRUE(first->Read().has_value());

  RawClient second(port());  // completes in the kernel backlog
  ASSERT_TRUE(second.Send(Get("/hello")));
  EXPECT_TRUE(second.StaysQuietFor(300ms));
  first.reset();
  auto response = second.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body(), "hello");
}

TEST_F(ServerLoopback, ListenFailsWithOneClearLineWhenThePortIsTaken) {
  StartServer();
  ServerOptions options = TestOptions();
  options.port = port();
  Server second(threads_.io, options, router_);
  auto result = second.Listen();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message.rfind(
                "cannot listen on 127.0.0.1:" + std::to_string(port()) + ": ", 0),
            0u)
      << result.error().message;
}

std::string ChunkedPost(std::string_view chunks_and_trailer) {
  return "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" +
         std::string(chunks_and_trailer);
}

// The next request on the same connection is answered: the server is alive and the connection
// was not wedged.
void ExpectServed(std::uint16_t port) {
  RawClient probe(port);
  ASSERT_TRUE(probe.Send(Get("/hello")));
  auto response = probe.Read();
  ASSERT_TRUE(response.has_value()) << "the server no longer answers";
  EXPECT_EQ(response->body(), "hello");
}

TEST_F(ServerLoopback, ExceptionThrownFromACompletionHandlerIsLoggedAndServingContinues) {
  StartServer();
  RawClient client(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Get("/throw-in-completion")));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body(), "posted");
  }
  ExpectServed(port());
  ASSERT_TRUE(client.Send(Get("/hello")));
  EXPECT_TRUE(client.Read().has_value());
}

TEST_F(ServerLoopback, HandlerExceptionIsCountedForMetrics) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Get("/boom")));
  ASSERT_TRUE(client.Read().has_value());
  EXPECT_EQ(exceptions_.load(), 1);
}

TEST_F(ServerLoopback, TrailerFieldOf65KBIs431AndTheServerLives) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(ChunkedPost("1\r\na\r\n0\r\nX-T: " + std::string(65534, 't') +
                                      "\r\n\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_TRUE(client.WaitForClose());
  ExpectServed(port());
}

TEST_F(ServerLoopback, SmallTrailerIsRefusedWith400) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(ChunkedPost("1\r\na\r\n0\r\nX-Twilio-Signature: x\r\n\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_NE(response->body().find("trailer"), std::string::npos);
}

TEST_F(ServerLoopback, ChunkExtensionsCountAgainstTheHeaderLimit) {
  StartServer();  // header limit 1024
  RawClient client(port());
  std::string chunks;
  for (int i = 0; i < 20; ++i) chunks += "1;ext=" + std::string(100, 'e') + "\r\na\r\n";
  ASSERT_TRUE(client.Send(ChunkedPost(chunks + "0\r\n\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 431u);
  ExpectServed(port());
}

TEST_F(ServerLoopback, ShortChunkExtensionsAreAccepted) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(ChunkedPost("3;a=b\r\nabc\r\n0\r\n\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body(), "abc");
}

struct CodingCase {
  const char* name;
  std::string headers;
};

class TransferCodingLoopback : public ServerLoopback,
                               public ::testing::WithParamInterface<CodingCase> {};

// The body carries a whole second request: a server that ignored the coding would answer it.
TEST_P(TransferCodingLoopback, IsRefusedWith400AndTheBodyIsNeverServedAsARequest) {
  StartServer();
  RawClient client(port());
  const std::string smuggled = Get("/hello");
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\n" + GetParam().headers +
                          "\r\n" + smuggled));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_FALSE(client.Read().has_value()) << "a second response: the body was served";
}

INSTANTIATE_TEST_SUITE_P(
    Codings, TransferCodingLoopback,
    ::testing::Values(CodingCase{"Gzip", "Transfer-Encoding: gzip\r\n"},
                      CodingCase{"ChunkedThenGzip", "Transfer-Encoding: chunked, gzip\r\n"},
                      CodingCase{"GzipThenChunked", "Transfer-Encoding: gzip, chunked\r\n"},
                      CodingCase{"ChunkedTwice", "Transfer-Encoding: chunked\r\n"
                                                 "Transfer-Encoding: chunked\r\n"},
                      CodingCase{"WithContentLength", "Transfer-Encoding: chunked\r\n"
                                                      "Content-Length: 5\r\n"},
                      CodingCase{"Identity", "Transfer-Encoding: identity\r\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(ServerLoopback, Http11WithoutHostIs400) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_NE(response->body().find("Host"), std::string::npos);
}

TEST_F(ServerLoopback, Http11WithTwoHostsIs400) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
}

TEST_F(ServerLoopback, Http10WithoutHostIsServed) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->body(), "hello");
}

TEST_F(ServerLoopback, HeadIsServedWhereverGetIsWithoutABody) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n" + Get("/hello")));
  // A HEAD response has no body whatever its Content-Length says; read it as such.
  char buffer[4096];
  std::string received;
  while (received.find("\r\n\r\n") == std::string::npos ||
         received.find("hello") == std::string::npos) {
    ssize_t n = ::recv(client.fd(), buffer, sizeof buffer, 0);
    ASSERT_GT(n, 0);
    received.append(buffer, static_cast<std::size_t>(n));
  }
  std::string head = received.substr(0, received.find("\r\n\r\n") + 4);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: 5\r\n"), std::string::npos) << head;
  // Right after the HEAD header comes the GET response: no body in between.
  EXPECT_EQ(received.substr(head.size(), 17), "HTTP/1.1 200 OK\r\n");
  auto observed = WaitForObservations(2);
  ASSERT_EQ(observed.size(), 2u);
  EXPECT_EQ(observed[0], std::make_pair(std::string("/hello"), 200u));
}

TEST_F(ServerLoopback, AllowListsHeadWhereGetIsRouted) {
  StartServer();
  RawClient client(port());
  ASSERT_TRUE(client.Send(Post("/hello", "")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ((*response)[beast::http::field::allow], "GET, HEAD");
}

TEST_F(ServerLoopback, SilentNewConnectionIsClosedAfterTheReadTimeoutNotTheIdleTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = 200ms;
  options.idle_timeout = 30s;
  StartServer(options);
  RawClient client(port());
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServerLoopback, OnePeerCannotTakeTheTableOtherPeersAreStillServed) {
  ServerOptions options = TestOptions();
  options.max_connections = 10;
  options.max_connections_per_peer = 2;
  StartServer(options);
  std::vector<std::unique_ptr<RawClient>> hog;
  for (int i = 0; i < 2; ++i) {
    hog.push_back(std::make_unique<RawClient>(port(), "127.0.0.2"));
    ASSERT_TRUE(hog.back()->connected());
  }
  ASSERT_TRUE(hog[0]->Send(Get("/hello")));  // both are admitted: one is served
  ASSERT_TRUE(hog[0]->Read().has_value());

  RawClient third(port(), "127.0.0.2");
  EXPECT_TRUE(third.WaitForClose()) << "a third connection from the same peer was kept";
  auto refusals = WaitForRefusals(1);
  ASSERT_FALSE(refusals.empty());
  EXPECT_EQ(refusals[0], Refusal::kPeerLimit);

  RawClient other(port(), "127.0.0.3");
  ASSERT_TRUE(other.Send(Get("/hello")));
  auto response = other.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body(), "hello");
}

TEST_F(ServerLoopback, FullTableIsReportedOnce) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  StartServer(options);
  RawClient first(port());
  ASSERT_TRUE(first.Send(Get("/hello")));
  ASSERT_TRUE(first.Read().has_value());
  RawClient second(port());
  auto refusals = WaitForRefusals(1);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0], Refusal::kTableFull);
}

// Out of descriptors, accept fails with EMFILE: the server reports it, backs off instead of
// spinning, and accepts the waiting client as soon as descriptors are free again. The test
// process is the server's, so it runs its own descriptor table out: the client's socket is made
// first, then every free descriptor is taken, then it connects (connect needs no descriptor).
TEST_F(ServerLoopback, OutOfDescriptorsIsReportedAndAcceptingResumes) {
  StartServer();
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 512);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> taken;
  for (int fd; (fd = ::dup(client)) >= 0;) taken.push_back(fd);
  ASSERT_EQ(errno, EMFILE);

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  auto refusals = WaitForRefusals(1);
  ASSERT_FALSE(refusals.empty());
  EXPECT_EQ(refusals[0], Refusal::kNoDescriptors);
  // Backing off (50 ms between attempts), not spinning: a few refusals in 300 ms, not thousands.
  std::this_thread::sleep_for(300ms);
  EXPECT_LE(WaitForRefusals(1).size(), 12u);

  for (int fd : taken) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  timeval timeout{5, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string request = Get("/hello");
  ASSERT_EQ(::send(client, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[1024];
  for (ssize_t n; answer.find("hello") == std::string::npos &&
                  (n = ::recv(client, buffer, sizeof buffer, 0)) > 0;) {
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(client);
  EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
}

TEST_F(ServerLoopback, OpenConnectionsAreReported) {
  StartServer();
  auto client = std::make_unique<RawClient>(port());
  ASSERT_TRUE(client->Send(Get("/hello")));
  ASSERT_TRUE(client->Read().has_value());
  EXPECT_EQ(open_connections_.load(), 1u);
  client.reset();
  for (int i = 0; i < 250 && open_connections_.load() != 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(open_connections_.load(), 0u);
}

}  // namespace
}  // namespace chorus::http

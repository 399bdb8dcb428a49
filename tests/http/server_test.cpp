#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

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
    router_->Add(Verb::get, "/stuck",
                 [this](const Request&, RequestContext&) -> asio::awaitable<Response> {
                   stuck_started_.set_value();
                   co_await Sleep(60s);
                   co_return Text("too late");
                 });
  }

  void StartServer(ServerOptions options = TestOptions()) {
    auto observer = [this](std::string_view route, unsigned status, std::chrono::duration<double>) {
      std::lock_guard lock(observed_mutex_);
      observed_.emplace_back(std::string(route), status);
      observed_changed_.notify_all();
    };
    server_ = std::make_unique<Server>(threads_.io, options, router_, observer);
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
  ASSERT_TRUE(client.Send(Post("/hello", "")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 405u);
  EXPECT_EQ((*response)[beast::http::field::allow], "GET");
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

}  // namespace
}  // namespace chorus::http

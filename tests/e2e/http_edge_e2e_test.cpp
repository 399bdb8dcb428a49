// Issue 5, part 1: the HTTP edge of the real binary, tried as an attacker would. Every case
// here took `chorus serve` down, held its connection table or smuggled a request before.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "e2e/e2e_fixture.hpp"
#include "http/loopback.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;
using RawClient = http::testing::RawClient;

constexpr const char* kInboundPath = "/webhooks/twilio/e2e-twilio/inbound";

std::string ChunkedPost(std::string_view path, std::string_view chunks) {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: chorus\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         "Transfer-Encoding: chunked\r\n\r\n" +
         std::string(chunks);
}

std::string HugeTrailer() {
  return "1\r\na\r\n0\r\nX-Trailer: " + std::string(65534, 't') + "\r\n\r\n";
}

// Sends `bytes` on a fresh connection and returns the status of the answer (0: none).
unsigned StatusOf(std::uint16_t port, const std::string& bytes) {
  RawClient client(port);
  if (!client.Send(bytes)) return 0;
  auto response = client.Read();
  return response ? response->result_int() : 0;
}

class ChorusEdgeE2eTest : public ChorusE2eTest {
 protected:
  void ExpectAlive(const ChorusServer& s) {
    ASSERT_TRUE(s.process.running()) << "chorus serve is gone";
    EXPECT_EQ(http_.Get(s.base_url + "/healthz").status, 200);
  }
};

TEST_F(ChorusEdgeE2eTest, A65KBTrailerFieldIsRefusedAndTheProcessLives) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(StatusOf(s->port, ChunkedPost(kInboundPath, HugeTrailer())), 431u);
  }
  ExpectAlive(*s);
}

TEST_F(ChorusEdgeE2eTest, ChunkExtensionsAreBoundedByTheHeaderLimit) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  std::string chunks;
  for (int i = 0; i < 200; ++i) chunks += "1;e=" + std::string(1000, 'e') + "\r\na\r\n";
  EXPECT_EQ(StatusOf(s->port, ChunkedPost(kInboundPath, chunks + "0\r\n\r\n")), 431u);
  ExpectAlive(*s);
}

TEST_F(ChorusEdgeE2eTest, TransferEncodingOtherThanChunkedIs400AndNothingIsSmuggled) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: chorus\r\n\r\n";
  for (const char* coding : {"gzip", "chunked, gzip", "gzip, chunked"}) {
    RawClient client(s->port);
    ASSERT_TRUE(client.Send(std::string("POST ") + kInboundPath +
                            " HTTP/1.1\r\nHost: chorus\r\nTransfer-Encoding: " + coding +
                            "\r\n\r\n" + smuggled));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << coding;
    EXPECT_EQ(response->result_int(), 400u) << coding;
    EXPECT_FALSE(response->keep_alive()) << coding;
    EXPECT_FALSE(client.Read().has_value()) << coding << ": the body was served as a request";
  }
  ExpectAlive(*s);
}

TEST_F(ChorusEdgeE2eTest, Http11NeedsExactlyOneHost) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(StatusOf(s->port, "GET /healthz HTTP/1.1\r\n\r\n"), 400u);
  EXPECT_EQ(StatusOf(s->port, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400u);
  EXPECT_EQ(StatusOf(s->port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"), 200u);
}

TEST_F(ChorusEdgeE2eTest, HeadIsServedWhereverGetIs) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  transport::HttpRequestSpec head;
  head.method = "HEAD";
  head.url = s->base_url + "/healthz";
  transport::HttpResponseSpec response = http_.Send(head);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  head.url = s->admin_url + "/metrics";
  EXPECT_EQ(http_.Send(head).status, 200);
}

TEST_F(ChorusEdgeE2eTest, OperatorEndpointsAreOnlyOnTheAdminListener) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(http_.Get(s->base_url + "/metrics").status, 404);
  EXPECT_EQ(http_.Get(s->base_url + "/readyz").status, 404);
  EXPECT_EQ(http_.Get(s->base_url + "/healthz").status, 200);
  EXPECT_EQ(http_.Get(s->admin_url + "/metrics").status, 200);
  EXPECT_EQ(http_.Get(s->admin_url + "/readyz").status, 200);
  EXPECT_EQ(http_.Get(s->admin_url + "/healthz").status, 200);
  EXPECT_EQ(http_.Get(s->admin_url + kInboundPath).status, 404);
}

TEST_F(ChorusEdgeE2eTest, SilentSocketsOfOnePeerCannotLockOutWebhooks) {
  ChorusServer* s = StartServer({{"CHORUS_READ_TIMEOUT_MS", "1500"},
                                 {"CHORUS_MAX_CONNECTIONS_PER_PEER", "20"}});
  ASSERT_NE(s, nullptr);
  std::vector<std::unique_ptr<RawClient>> silent;
  for (int i = 0; i < 60; ++i) silent.push_back(std::make_unique<RawClient>(s->port, "127.0.0.2"));

  // The carrier, from another address, is still served while the silent ones are held.
  const std::string member = Member(70);
  Text(member, "JOIN");
  ASSERT_TRUE(WaitForTexts(member, 1));

  std::string metrics;
  EXPECT_TRUE(Eventually([&] {
    metrics = http_.Get(s->admin_url + "/metrics").body;
    return metrics.find("chorus_http_connections_refused_total{server=\"public\",reason=\"peer_"
                        "limit\"} 40") != std::string::npos;
  })) << metrics;
  // Silent connections are dropped after the read timeout, not the keep-alive idle time.
  for (auto& client : silent) EXPECT_TRUE(client->WaitForClose());
  ExpectAlive(*s);
}

// A carrier (or whatever answers at its address) that replies to every request with the bytes
// that used to abort the process from inside the HTTP client.
class HostileCarrier {
 public:
  HostileCarrier() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 64);
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileCarrier() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string api_base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stopping_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      timeval timeout{2, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      ++requests_;
      const std::string answer =
          "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: "
          "chunked\r\n\r\n" +
          HugeTrailer();
      (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

class ChorusHostileCarrierE2eTest : public ChorusEdgeE2eTest {
 protected:
  std::string CarrierApiBase() const override { return hostile_.api_base(); }
  HostileCarrier hostile_;
};

TEST_F(ChorusHostileCarrierE2eTest, AHostileCarrierAnswerIsARetryNotACrash) {
  ChorusServer* s = StartServer();
  ASSERT_NE(s, nullptr);
  const std::string member = Member(71);
  Text(member, "JOIN");
  ASSERT_TRUE(Eventually([&] { return hostile_.requests() >= 1; }));
  ASSERT_TRUE(Eventually([&] {
    return Value("SELECT error_code FROM outbound_messages WHERE recipient = $1", member)
               .value_or("") == "network";
  })) << "the send was not recorded as a retry";
  EXPECT_EQ(Value("SELECT status FROM outbound_messages WHERE recipient = $1", member), "queued");
  ExpectAlive(*s);
  Text(Member(72), "HELP");
  EXPECT_TRUE(WaitProcessed({Text(Member(73), "EVENTS")}));
  ExpectAlive(*s);
}

}  // namespace
}  // namespace chorus::e2e

#include "app/sim.hpp"

#include "http/asio.hpp"

#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "carriers/form.hpp"
#include "carriers/twilio/twilio_signature.hpp"
#include "core/delivery_status.hpp"
#include "core/phone_number.hpp"
#include "http/client.hpp"
#include "store/pg/pg_conversation_reader.hpp"
#include "store/pg/pg_workspace_store.hpp"

namespace chorus::app {
namespace {

namespace asio = boost::asio;

std::string RandomSid() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid = "SM";
  for (int i = 0; i < 32; ++i) sid += kHex[gen() % 16];
  return sid;
}

const Channel* PickChannel(const workspace::Snapshot& snapshot, const std::string& slug) {
  if (!slug.empty()) return snapshot.ChannelBySlug(slug);
  const Channel* found = nullptr;
  for (const auto& c : snapshot.channels()) {
    if (c.carrier != CarrierKind::kTwilio) continue;
    if (found != nullptr) return nullptr;  // ambiguous: ask for --channel
    found = &c;
  }
  return found;
}

carriers::HttpResponseSpec Post(carriers::HttpRequestSpec request) {
  asio::io_context io;
  http::Client client(io, http::ClientOptions{std::chrono::milliseconds(10'000)});
  carriers::HttpResponseSpec response;
  asio::co_spawn(io, client.Send(std::move(request)),
                 [&response](std::exception_ptr, carriers::HttpResponseSpec r) { response = r; });
  io.run();
  return response;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "chorus sim: %s\n", message.c_str());
  return 1;
}

// Prints each reply once and then each status change, until the wait is over or every reply
// has reached a final status and nothing changed for a while.
void Watch(store::pg::PgConversationReader& reader, OrganizationId org,
           const std::string& member, OutboundId after, double wait_seconds) {
  std::map<OutboundId, std::string> shown;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long>(wait_seconds * 1000));
  auto quiet_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    auto messages = reader.MessagesTo(org, member, after);
    if (!messages.ok()) {
      std::fprintf(stderr, "chorus sim: cannot read replies: %s\n", messages.error().message.c_str());
      return;
    }
    bool all_final = !messages->empty();
    for (const auto& m : *messages) {
      auto& last = shown[m.id];
      if (last.empty()) {
        std::printf("<- %s\n   [%s%s%s]\n", m.body.c_str(), m.status.c_str(),
                    m.error_code.empty() ? "" : " ", m.error_code.c_str());
        quiet_since = std::chrono::steady_clock::now();
      } else if (last != m.status) {
        std::printf("   [%s%s%s] message %lld\n", m.status.c_str(), m.error_code.empty() ? "" : " ",
                    m.error_code.c_str(), static_cast<long long>(m.id));
        quiet_since = std::chrono::steady_clock::now();
      }
      last = m.status;
      const auto status = ParseStatusName(m.status);
      all_final = all_final && status && StatusRank(*status) >= StatusRank(DeliveryStatus::kSent);
    }
    std::fflush(stdout);
    if (all_final && std::chrono::steady_clock::now() - quiet_since > std::chrono::milliseconds(700)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (shown.empty()) std::printf("(no reply)\n");
}

}  // namespace

int Sim(const Settings& settings, const SimOptions& options) {
  auto snapshot = store::pg::PgWorkspaceStore(settings.database_url).LoadSnapshot();
  if (!snapshot.ok()) return Fail("cannot read the workspace: " + snapshot.error().message);
  const Channel* channel = PickChannel(**snapshot, options.channel);
  if (channel == nullptr) {
    return Fail(options.channel.empty() ? "no single Twilio channel: pass --channel SLUG"
                                        : "no channel " + options.channel);
  }
  auto member = PhoneNumber::Parse(options.from, channel->country);
  if (!member.ok()) return Fail("--from is not a phone number");

  store::pg::PgConversationReader reader(settings.database_url);
  auto last = reader.LastMessageTo(channel->organization_id, member->e164());
  if (!last.ok()) return Fail("cannot read replies: " + last.error().message);

  const std::string path = "/webhooks/twilio/" + channel->slug + "/inbound";
  carriers::FormParams params{
      {"MessageSid", RandomSid()}, {"AccountSid", channel->settings.count("account_sid")
                                                      ? channel->settings.at("account_sid")
                                                      : ""},
      // Twilio always sends E.164, whatever the member typed into their phone.
      {"From", member->e164()},    {"To", channel->sender},
      {"Body", options.text},      {"NumMedia", "0"},
      {"ApiVersion", "2010-04-01"}, {"SmsStatus", "received"}};
  const auto token = channel->secrets.find("auth_token");
  carriers::HttpRequestSpec request;
  request.url = "http://" + settings.listen_address + ":" + std::to_string(settings.listen_port) + path;
  request.headers = {
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"X-Twilio-Signature",
       carriers::twilio::ComputeSignature(token == channel->secrets.end() ? "" : token->second,
                                          settings.public_base_url + path, params)}};
  request.body = carriers::EncodeForm(params);

  std::printf("-> %s  (from %s to %s)\n", options.text.c_str(), member->e164().c_str(),
              channel->sender.c_str());
  const auto response = Post(std::move(request));
  if (response.status != 200) {
    return Fail("the server answered " +
                (response.status == 0 ? std::string("nothing (is chorus serve running?)")
                                      : std::to_string(response.status) + ": " + response.body));
  }
  Watch(reader, channel->organization_id, member->e164(), *last, options.wait_seconds);
  return 0;
}

}  // namespace chorus::app

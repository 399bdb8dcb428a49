#include "app/sim.hpp"

#include "http/asio.hpp"

#include <cstdio>
#include <map>
#include <thread>

#include "app/carriers.hpp"
#include "app/secret_keys.hpp"
#include "carriers/webhook.hpp"
#include "core/delivery_status.hpp"
#include "core/phone_number.hpp"
#include "http/client.hpp"
#include "store/pg/pg_conversation_reader.hpp"
#include "store/pg/pg_workspace_store.hpp"

namespace chorus::app {
namespace {

namespace asio = boost::asio;

bool CanSimulate(const carriers::Registry& registry, const Channel& channel) {
  const carriers::Carrier* carrier = registry.Find(channel.carrier);
  return carrier != nullptr &&
         carrier->BuildTestInbound(channel, "http://x/", "+15550100001", "x").has_value();
}

// The channel named, or the only one Chorus can sign webhooks for.
const Channel* PickChannel(const workspace::Snapshot& snapshot, const carriers::Registry& registry,
                           const std::string& slug) {
  if (!slug.empty()) return snapshot.ChannelBySlug(slug);
  const Channel* found = nullptr;
  for (const auto& c : snapshot.channels()) {
    if (!CanSimulate(registry, c)) continue;
    if (found != nullptr) return nullptr;  // ambiguous: ask for --channel
    found = &c;
  }
  return found;
}

transport::HttpResponseSpec Post(transport::HttpRequestSpec request) {
  asio::io_context io;
  http::Client client(io, http::ClientOptions{std::chrono::milliseconds(10'000)});
  transport::HttpResponseSpec response;
  asio::co_spawn(io, client.Send(std::move(request)),
                 [&response](std::exception_ptr, transport::HttpResponseSpec r) { response = r; });
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
  auto keyring = LoadKeyring(settings);
  if (!keyring.ok()) return Fail(keyring.error().message);
  auto snapshot = store::pg::PgWorkspaceStore(settings.database_url, *keyring).LoadSnapshot();
  if (!snapshot.ok()) return Fail("cannot read the workspace: " + snapshot.error().message);
  const auto registry = BuildCarriers();
  const Channel* channel = PickChannel(**snapshot, *registry, options.channel);
  if (channel == nullptr) {
    return Fail(options.channel.empty() ? "no single channel to simulate: pass --channel SLUG"
                                        : "no channel " + options.channel);
  }
  auto member = PhoneNumber::Parse(options.from, channel->country);
  if (!member.ok()) return Fail("--from is not a phone number");

  store::pg::PgConversationReader reader(settings.database_url);
  auto last = reader.LastMessageTo(channel->organization_id, member->e164());
  if (!last.ok()) return Fail("cannot read replies: " + last.error().message);

  const carriers::Carrier* carrier = registry->Find(channel->carrier);
  // Carriers send E.164 whatever the member typed into their phone. The signature covers the
  // public URL; the request goes to the listener directly.
  auto request = carrier == nullptr ? std::nullopt
                                    : carrier->BuildTestInbound(
                                          *channel,
                                          carriers::WebhookUrl(settings.public_base_url,
                                                               channel->carrier, channel->slug,
                                                               "inbound"),
                                          member->e164(), options.text);
  if (!request) return Fail("chorus cannot sign webhooks for channel " + channel->slug);
  const std::string host = settings.listen_address.find(':') == std::string::npos
                               ? settings.listen_address
                               : "[" + settings.listen_address + "]";
  request->url = carriers::WebhookUrl("http://" + host + ":" + std::to_string(settings.listen_port),
                                      channel->carrier, channel->slug, "inbound");

  std::printf("-> %s  (from %s to %s)\n", options.text.c_str(), member->e164().c_str(),
              channel->sender.c_str());
  const auto response = Post(std::move(*request));
  if (response.status != 200) {
    return Fail("the server answered " +
                (response.status == 0 ? std::string("nothing (is chorus serve running?)")
                                      : std::to_string(response.status) + ": " + response.body));
  }
  Watch(reader, channel->organization_id, member->e164(), *last, options.wait_seconds);
  return 0;
}

}  // namespace chorus::app

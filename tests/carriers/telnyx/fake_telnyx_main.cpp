// chorus-fake-telnyx: the fake Telnyx of the tests as a process, for deploy/demo.sh.
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "carriers/telnyx/fake_telnyx.hpp"

namespace {

constexpr const char* kUsage = R"(usage:
  chorus-fake-telnyx --listen HOST:PORT --api-key KEY [--seed HEX64]

A fake Telnyx Messaging API on http://HOST:PORT/v2/messages: checks the Bearer key, answers
like Telnyx, then posts delivery events to each message's webhook_url, signed with the Ed25519
key of --seed (random without one). Prints the public key to configure in the channel. Runs
until SIGINT or SIGTERM.
)";

int Usage(const char* problem) {
  if (problem != nullptr) std::fprintf(stderr, "chorus-fake-telnyx: %s\n", problem);
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  chorus::fakes::FakeTelnyxOptions options;
  options.io_threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage("missing value");
    std::string value = argv[++i];
    if (arg == "--listen") {
      auto colon = value.rfind(':');
      if (colon == std::string::npos) return Usage("--listen expects HOST:PORT");
      options.address = value.substr(0, colon);
      unsigned port = 0;
      auto [end, ec] = std::from_chars(value.data() + colon + 1, value.data() + value.size(), port);
      if (ec != std::errc() || end != value.data() + value.size() || port > 65535) {
        return Usage("bad port");
      }
      options.port = static_cast<std::uint16_t>(port);
    } else if (arg == "--api-key") {
      options.api_key = value;
    } else if (arg == "--seed") {
      options.signing_seed_hex = value;
    } else {
      return Usage("unknown argument");
    }
  }
  if (options.api_key.empty()) return Usage("--api-key is required");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the I/O threads inherit the mask
  chorus::fakes::FakeTelnyx fake(options);
  if (auto started = fake.Start(); !started.ok()) {
    std::fprintf(stderr, "chorus-fake-telnyx: %s\n", started.error().message.c_str());
    return 1;
  }
  std::printf("fake Telnyx on %s, public key %s\n", fake.api_base().c_str(),
              fake.public_key().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  fake.Stop();
  return 0;
}

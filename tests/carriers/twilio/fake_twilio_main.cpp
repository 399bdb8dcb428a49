// chorus-fake-twilio: the fake Twilio of the tests as a process, for deploy/demo.sh.
#include <signal.h>

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "carriers/twilio/fake_twilio.hpp"

namespace {

constexpr const char* kUsage = R"(usage:
  chorus-fake-twilio --listen HOST:PORT --account-sid AC... --auth-token TOKEN
                     [--callback-statuses sent,delivered]

A fake Twilio Messages API on http://HOST:PORT/2010-04-01/Accounts/{AccountSid}/Messages.json:
checks Basic auth, answers like Twilio, then posts signed status callbacks. Runs until
SIGINT or SIGTERM.
)";

int Usage(const char* problem) {
  if (problem != nullptr) std::fprintf(stderr, "chorus-fake-twilio: %s\n", problem);
  std::fputs(kUsage, stderr);
  return 2;
}

// Never the whole number: "+15550100001" -> "+1555***01".
std::string MaskNumber(std::string_view number) {
  if (number.size() <= 7) return "***";
  return std::string(number.substr(0, 5)) + "***" + std::string(number.substr(number.size() - 2));
}

std::size_t CodePoints(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  chorus::fakes::FakeTwilioOptions options;
  options.io_threads = 2;
  bool have_listen = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return Usage((std::string(flag) + " needs a value").c_str());
    const std::string value = argv[++i];
    if (flag == "--listen") {
      const auto colon = value.rfind(':');
      unsigned port = 0;
      const char* begin = value.data() + (colon == std::string::npos ? 0 : colon + 1);
      auto [end, ec] = std::from_chars(begin, value.data() + value.size(), port);
      if (colon == std::string::npos || colon == 0 || ec != std::errc() ||
          end != value.data() + value.size() || port > 65535) {
        return Usage("--listen expects HOST:PORT such as 127.0.0.1:8089");
      }
      options.address = value.substr(0, colon);
      options.port = static_cast<std::uint16_t>(port);
      have_listen = true;
    } else if (flag == "--account-sid") {
      options.account_sid = value;
    } else if (flag == "--auth-token") {
      options.auth_token = value;
    } else if (flag == "--callback-statuses") {
      options.callback_statuses = SplitCommas(value);
    } else {
      return Usage(("unknown flag " + std::string(flag)).c_str());
    }
  }
  if (!have_listen || options.account_sid.empty() || options.auth_token.empty()) {
    return Usage("--listen, --account-sid and --auth-token are required");
  }

  // Block the signals before any thread starts so only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ fake-twilio %v");
  chorus::fakes::FakeTwilio fake(options);
  fake.SetOnAccepted([](const chorus::fakes::ReceivedMessage& m) {
    spdlog::info("accepted {} to {} ({} chars)", m.sid, MaskNumber(m.to), CodePoints(m.body));
  });
  if (auto started = fake.Start(); !started.ok()) {
    std::fprintf(stderr, "chorus-fake-twilio: %s\n", started.error().message.c_str());
    return 1;
  }
  spdlog::info("listening on {} for account {}", fake.api_base(), options.account_sid);

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("stopping (signal {})", received);
  fake.Stop();
  return 0;
}

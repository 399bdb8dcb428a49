#include "e2e/chorus_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace chorus::e2e {
namespace {

using namespace std::chrono_literals;

ExitStatus Decode(int status) {
  ExitStatus out;
  if (WIFEXITED(status)) {
    out.exited = true;
    out.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
  }
  return out;
}

std::vector<std::string> ChildEnvironment(const Env& overrides) {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    if (text.starts_with("CHORUS_")) continue;
    const std::string name(text.substr(0, text.find('=')));
    if (overrides.count(name)) continue;
    out.emplace_back(text);
  }
  for (const auto& [name, value] : overrides) out.push_back(name + "=" + value);
  return out;
}

std::string TempBase() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

}  // namespace

std::string ExitStatus::Describe() const {
  if (exited) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

Result<void> ChildProcess::Start(const std::string& binary, const std::vector<std::string>& args,
                                 const Env& env, const std::string& log_path) {
  if (pid_ > 0) return MakeError(ErrorCode::kInternal, "child already running");
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) {
    return MakeError(ErrorCode::kUnavailable, log_path + ": " + std::strerror(errno));
  }
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_text{binary};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text = ChildEnvironment(env);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(log);
    return MakeError(ErrorCode::kUnavailable, std::string("fork: ") + std::strerror(error));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the test died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    for (int s : {SIGTERM, SIGINT, SIGPIPE}) ::sigaction(s, &defaults, nullptr);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log);
  pid_ = pid;
  return Ok();
}

void ChildProcess::Signal(int signal) const {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::optional<ExitStatus> ChildProcess::Poll() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done != pid_) return std::nullopt;
  pid_ = -1;
  return Decode(status);
}

std::optional<ExitStatus> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto status = Poll()) return status;
    if (pid_ <= 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const Env& env, std::chrono::milliseconds timeout) {
  CommandResult result;
  const std::string log = TempFile("chorus-e2e-cmd-XXXXXX");
  ChildProcess child;
  if (auto started = child.Start(binary, args, env, log); !started.ok()) {
    result.status.exited = true;
    result.status.code = 126;
    result.output = started.error().message;
    ::unlink(log.c_str());
    return result;
  }
  auto status = child.Wait(timeout);
  if (!status) {
    child.Signal(SIGKILL);
    status = child.Wait(5s);
    result.output = "(timed out) ";
  }
  result.status = status.value_or(ExitStatus{});
  result.output += ReadFile(log);
  ::unlink(log.c_str());
  return result;
}

std::string TempFile(const std::string& name_template) {
  std::string path = TempBase() + "/" + name_template;
  const int fd = ::mkstemp(path.data());
  if (fd >= 0) ::close(fd);
  return path;
}

std::string TempDir(const std::string& name_template) {
  std::string path = TempBase() + "/" + name_template;
  if (::mkdtemp(path.data()) == nullptr) return {};
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  return static_cast<bool>(out);
}

std::uint16_t FreeListenPort() {
  int low = 32768;
  if (std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range"); range) range >> low;
  // Ports below the ephemeral range are only ever taken by listeners; fall back to asking the
  // kernel when that range is too small to pick from.
  const int first = 10000;
  const bool below = low - first >= 2000;
  std::random_device random;
  std::mt19937 gen(random());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = below ? std::uniform_int_distribution<int>(first, low - 1)(gen) : 0;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    std::uint16_t bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      socklen_t length = sizeof address;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        bound = ntohs(address.sin_port);
      }
    }
    ::close(fd);
    if (bound != 0) return bound;
  }
  return 0;
}

}  // namespace chorus::e2e

#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace chorus::e2e {

/// Environment overrides for a child. The child gets this process's environment without any
/// CHORUS_* variable (so a developer's shell cannot change a test), plus these.
using Env = std::map<std::string, std::string>;

/// How a child ended.
struct ExitStatus {
  bool exited = false;  // false: killed by `signal`
  int code = 0;
  int signal = 0;
  std::string Describe() const;
};

/// A child process started with fork/exec, its stdout and stderr appended to `log_path`. It is
/// killed (SIGKILL) when this object is destroyed while it runs, and by the kernel if the test
/// process dies first (PR_SET_PDEATHSIG), so no server outlives its test. Not thread-safe.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// kUnavailable when the fork or the log file fails; an exec failure shows up as exit 127.
  Result<void> Start(const std::string& binary, const std::vector<std::string>& args,
                     const Env& env, const std::string& log_path);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void Signal(int signal) const;
  /// The exit status once the child ended within `timeout`; nullopt if it still runs.
  std::optional<ExitStatus> Wait(std::chrono::milliseconds timeout);
  /// Non-blocking: the exit status if the child has ended.
  std::optional<ExitStatus> Poll();

 private:
  pid_t pid_ = -1;
};

/// Runs `binary args...` to completion (at most `timeout`, then SIGKILL) and returns its exit
/// status and combined output.
struct CommandResult {
  ExitStatus status;
  std::string output;
  bool ok() const { return status.exited && status.code == 0; }
};
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const Env& env, std::chrono::milliseconds timeout);

/// A fresh path under $TMPDIR (or /tmp) from a mkstemp/mkdtemp template such as
/// "chorus-e2e-XXXXXX"; the file or folder exists when this returns.
std::string TempFile(const std::string& name_template);
std::string TempDir(const std::string& name_template);

std::string ReadFile(const std::string& path);
bool WriteFile(const std::string& path, const std::string& contents);

/// A TCP port on 127.0.0.1 that could be bound just now, outside the kernel's ephemeral range
/// (so outgoing connections of this machine cannot take it in the meantime). Another process
/// may still take it; callers retry on a failed bind.
std::uint16_t FreeListenPort();

}  // namespace chorus::e2e

#include "bench/cpu_usage.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace chorus::bench {
namespace {

struct ProcStat {
  std::string comm;
  pid_t ppid = 0;
  double own = 0;       // utime + stime, seconds
  double children = 0;  // cutime + cstime of reaped children
};

bool ReadProcStat(pid_t pid, ProcStat* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name may contain spaces and parentheses: fields resume after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  const auto open = line.find('(');
  if (open != std::string::npos && open < close)
    out->comm = line.substr(open + 1, close - open - 1);
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  if (f.size() < 15) return false;
  // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  out->ppid = static_cast<pid_t>(std::stol(f[1]));
  out->own = (std::stod(f[11]) + std::stod(f[12])) / tick;
  out->children = (std::stod(f[13]) + std::stod(f[14])) / tick;
  return true;
}

std::map<pid_t, ProcStat> AllProcesses() {
  std::map<pid_t, ProcStat> all;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcStat st;
    if (ReadProcStat(static_cast<pid_t>(std::stol(name)), &st)) all[std::stol(name)] = st;
  }
  return all;
}

bool InTree(const std::map<pid_t, ProcStat>& all, pid_t pid, pid_t root) {
  pid_t p = pid;
  for (int depth = 0; depth < 32 && p > 1; ++depth) {
    if (p == root) return true;
    auto it = all.find(p);
    if (it == all.end()) return false;
    p = it->second.ppid;
  }
  return false;
}

// A watched pid of 0 is this process.
pid_t RootOf(pid_t pid) { return pid == 0 ? getpid() : pid; }

}  // namespace

CpuSample SampleCpu(const std::map<std::string, pid_t>& watch) {
  CpuSample s;
  {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double v[10] = {0};
    in >> cpu;
    for (double& x : v) in >> x;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    // user nice system idle iowait irq softirq steal guest guest_nice (guest is in user)
    s.machine_busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
    s.machine_total = s.machine_busy + (v[3] + v[4]) / tick;
    s.steal = v[7] / tick;
  }
  if (watch.empty()) return s;
  const std::map<pid_t, ProcStat> all = AllProcesses();
  for (const auto& [label, root_pid] : watch) {
    const pid_t root = RootOf(root_pid);
    double total = 0;
    for (const auto& [pid, st] : all) {
      if (InTree(all, pid, root)) total += st.own;
    }
    if (auto it = all.find(root); it != all.end()) total += it->second.children;
    s.trees[label] = total;
  }
  for (const auto& [pid, st] : all) {
    bool ours = false;
    for (const auto& [unused, root] : watch) ours = ours || InTree(all, pid, RootOf(root));
    if (!ours) s.outside[pid] = {st.comm, st.own};
  }
  return s;
}

std::string CpuKeyValues(const std::string& prefix, const CpuSample& before,
                         const CpuSample& after) {
  std::string out;
  char line[512];  // four lines, each with the prefix
  double watched = 0;
  for (const auto& [name, value] : after.trees) {
    const auto it = before.trees.find(name);
    const double used = value - (it == before.trees.end() ? 0 : it->second);
    watched += used;
    std::snprintf(line, sizeof line, "%s.cpu_%s=%.2f\n", prefix.c_str(), name.c_str(), used);
    out += line;
  }
  const double busy = after.machine_busy - before.machine_busy;
  std::snprintf(
      line, sizeof line,
      "%s.cpu_other=%.2f\n%s.cpu_machine_busy=%.2f\n%s.cpu_machine_total=%.2f\n%s.cpu_steal=%.2f\n",
      prefix.c_str(), busy - watched, prefix.c_str(), busy, prefix.c_str(),
      after.machine_total - before.machine_total, prefix.c_str(), after.steal - before.steal);
  out += line;
  return out;
}

std::string FormatCpu(const CpuSample& before, const CpuSample& after, double wall_seconds) {
  std::string out =
      "  cpu (core-seconds over " + std::to_string(wall_seconds).substr(0, 5) + " s):";
  char part[120];
  double watched = 0;
  for (const auto& [name, value] : after.trees) {
    const auto it = before.trees.find(name);
    const double used = value - (it == before.trees.end() ? 0 : it->second);
    watched += used;
    std::snprintf(part, sizeof part, " %s %.2f,", name.c_str(), used);
    out += part;
  }
  const double busy = after.machine_busy - before.machine_busy;
  const double total = after.machine_total - before.machine_total;
  std::snprintf(part, sizeof part, " other %.2f; machine busy %.2f of %.2f (%.0f%%), steal %.2f\n",
                busy - watched, busy, total, total > 0 ? 100 * busy / total : 0,
                after.steal - before.steal);
  out += part;
  // By command name, so that a compiler that runs one short process per file adds up. A
  // process that started and ended between the samples is only in the machine's total.
  std::map<std::string, std::pair<double, int>> by_name;
  for (const auto& [pid, entry] : after.outside) {
    const auto old = before.outside.find(pid);
    const double used = entry.second - (old == before.outside.end() ? 0 : old->second.second);
    if (used <= 0) continue;
    by_name[entry.first].first += used;
    ++by_name[entry.first].second;
  }
  std::vector<std::pair<double, std::string>> busiest;
  for (const auto& [name, entry] : by_name) {
    if (wall_seconds > 0 && entry.first / wall_seconds > 0.05) {
      busiest.emplace_back(entry.first, name + " (" + std::to_string(entry.second) +
                                            (entry.second == 1 ? " process)" : " processes)"));
    }
  }
  std::sort(busiest.rbegin(), busiest.rend());
  for (std::size_t i = 0; i < busiest.size() && i < 4; ++i) {
    std::snprintf(part, sizeof part, "    outside: %.2f core-s %s\n", busiest[i].first,
                  busiest[i].second.c_str());
    out += part;
  }
  return out;
}

std::string UtcNow() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lld", text, static_cast<long long>(ms));
  return out;
}

std::map<std::string, pid_t> ParseCpuWatch(const std::string& spec, const std::string& self_name) {
  std::map<std::string, pid_t> out;
  out[self_name] = 0;
  std::stringstream in(spec);
  for (std::string item; std::getline(in, item, ',');) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    out[item.substr(0, eq)] = static_cast<pid_t>(std::stol(item.substr(eq + 1)));
  }
  return out;
}

}  // namespace chorus::bench

namespace chorus::bench {

std::string BusyOutside(const std::map<std::string, pid_t>& watch, double seconds,
                        double* others_cores) {
  const CpuSample machine_before = SampleCpu({});
  const auto before = AllProcesses();
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  const auto after = AllProcesses();
  const CpuSample machine_after = SampleCpu({});
  std::vector<std::pair<double, std::string>> busy;
  double watched = 0;
  for (const auto& [pid, st] : after) {
    const auto old = before.find(pid);
    const double used = st.own - (old == before.end() ? 0 : old->second.own);
    if (used <= 0) continue;
    bool ours = false;
    for (const auto& [unused, root] : watch) ours = ours || InTree(after, pid, RootOf(root));
    if (ours) {
      watched += used;
      continue;
    }
    char line[120];
    std::snprintf(line, sizeof line, "  %3.0f%% %s (pid %d)\n", 100 * used / seconds,
                  st.comm.c_str(), static_cast<int>(pid));
    busy.emplace_back(used, line);
  }
  // Everything the machine did that was not ours, exited processes included.
  *others_cores =
      std::max(0.0, (machine_after.machine_busy - machine_before.machine_busy - watched) / seconds);
  std::sort(busy.rbegin(), busy.rend());
  std::string out;
  for (std::size_t i = 0; i < busy.size() && i < 5; ++i) out += busy[i].second;
  return out;
}

}  // namespace chorus::bench

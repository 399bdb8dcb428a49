#pragma once

#include <sys/types.h>

#include <map>
#include <string>

namespace chorus::bench {

/// CPU seconds used so far, read from /proc: the whole machine (busy and total, all cores)
/// and named process trees (a process and its live children; a root's reaped children count
/// through its cutime/cstime, so PostgreSQL backends that exited are not lost). Linux only.
struct CpuSample {
  double machine_busy = 0;   // user+nice+system+irq+softirq+steal over every core
  double machine_total = 0;  // the same plus idle and iowait
  double steal = 0;
  std::map<std::string, double> trees;
  std::map<pid_t, std::pair<std::string, double>> outside;  // comm and seconds, unwatched
};

/// `watch`: name -> root pid (0: this process).
CpuSample SampleCpu(const std::map<std::string, pid_t>& watch);

/// Where the CPU went between two samples: seconds per tree, the rest of the machine, and
/// busy/total, as `prefix.cpu_NAME=seconds` lines and one readable line.
std::string CpuKeyValues(const std::string& prefix, const CpuSample& before,
                         const CpuSample& after);
/// Includes the busiest processes outside the watched trees, when any used over 5% of a core.
std::string FormatCpu(const CpuSample& before, const CpuSample& after, double wall_seconds);

/// The wall clock now in UTC as PostgreSQL writes it in its log ("2026-01-31 12:34:56.789"),
/// so that a phase's window can be matched against checkpoints and autovacuum runs.
std::string UtcNow();

/// Parses "name=pid,name=pid" (as passed to --cpu-watch) and adds `self_name` for this
/// process (its pid is looked up at sampling time).
std::map<std::string, pid_t> ParseCpuWatch(const std::string& spec, const std::string& self_name);

/// Samples every process for `seconds` and returns the busiest ones outside the watched trees
/// ("  12% cc1plus (pid 123)" lines) and their share of one core in `others_cores`: what else
/// was running on the machine just before a timed phase.
std::string BusyOutside(const std::map<std::string, pid_t>& watch, double seconds,
                        double* others_cores);

}  // namespace chorus::bench

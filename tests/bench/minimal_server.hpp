#pragma once

#include <cstdint>
#include <string>

namespace chorus::bench {

struct MinimalServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8090;
  int io_threads = 2;
};

/// The HTTP baseline: Chorus's own http::Server (same Beast stack, strands, limits and
/// deadlines as `chorus serve`) with routes that answer 200 and the empty TwiML to any GET or
/// POST of up to six path segments, and nothing else: no signature check, no database.
/// Blocks until SIGINT/SIGTERM. Returns the process exit code.
int RunMinimalServer(const MinimalServerOptions& options);

}  // namespace chorus::bench

#pragma once

#include "app/settings.hpp"

namespace chorus::app {

/// Runs the gateway until SIGTERM/SIGINT, then shuts down gracefully: stops accepting, lets
/// in-flight requests finish, writes pending batches, waits for sends in flight, exits.
/// Returns the process exit code (0 after a clean shutdown, 1 when start-up fails).
int Serve(const Settings& settings);

}  // namespace chorus::app

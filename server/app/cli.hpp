#pragma once

namespace chorus::app {

/// `chorus serve | migrate | apply FILE | sim [--from N] TEXT | version | help`, with
/// `--config FILE` accepted before the command. Returns the process exit code: 0 success,
/// 1 runtime failure, 2 bad usage, configuration or input.
int RunCli(int argc, char** argv);

}  // namespace chorus::app

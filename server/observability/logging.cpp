#include "observability/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace chorus::observability {

Result<void> SetUpLogging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "log level must be one of trace, debug, info, warn, error, off");
  }
  spdlog::drop("chorus");
  auto logger = spdlog::stderr_logger_mt("chorus");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return Ok();
}

}  // namespace chorus::observability

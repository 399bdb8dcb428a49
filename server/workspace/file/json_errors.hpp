#pragma once

#include <string_view>

#include "core/result.hpp"

namespace chorus::workspace::file {

/// Where an error has no field: protobuf only knows a byte position.
inline constexpr std::string_view kFilePath = "(file)";

/// Translates the message of a failed protobuf JSON parse (util::JsonStringToMessage) into
/// kInvalidArgument "<path>: <problem>": "(channels[1].carrier): invalid value ..." becomes
/// "channels[1].carrier: invalid value ... (expected ...)", a syntax error becomes
/// "(file) line L, column C: <description>". The input protobuf quotes around a syntax error is
/// dropped: it may hold a secret. The shapes of protobuf 3.21's messages this relies on are
/// pinned by tests/workspace/json_errors_test.cpp, so an upgrade that changes them fails there.
Error FromJsonError(std::string_view message, std::string_view json);

}  // namespace chorus::workspace::file

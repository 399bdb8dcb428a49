#pragma once

// What the workspace file's tests share: the parser with this build's carriers, environments,
// and "one edit of a valid base file" cases that say what must be refused or accepted.

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "app/carriers.hpp"
#include "workspace/file/workspace_file.hpp"

namespace chorus::workspace::testing {

// The carriers this build registers: the file's carrier blocks are checked by them.
inline Result<Definition> Parse(std::string_view json, const EnvLookup& env) {
  static const auto registry = app::BuildCarriers();
  static const app::CarrierChannelRules rules(*registry);
  return ParseWorkspaceFile(json, env, rules);
}

inline EnvLookup EnvWith(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

/// One fragment of a base file replaced by another.
struct Edit {
  std::string from;
  std::string to;
};

/// `base` with `edit` applied; fails the test when `from` is not there exactly once.
inline std::string Edited(std::string_view base, const Edit& edit) {
  std::string json(base);
  const std::size_t at = json.find(edit.from);
  EXPECT_NE(at, std::string::npos) << "fragment not in the base file: " << edit.from;
  if (at == std::string::npos) return json;
  EXPECT_EQ(json.find(edit.from, at + 1), std::string::npos)
      << "fragment occurs more than once: " << edit.from;
  json.replace(at, edit.from.size(), edit.to);
  return json;
}

/// A refusal as the file promises it: invalid argument, a message that starts with the bad
/// field's path and says `says`, and holds none of `secrets`.
inline void ExpectRefused(const Result<Definition>& def, const std::string& path,
                          const std::string& says,
                          std::initializer_list<std::string_view> secrets) {
  ASSERT_FALSE(def.ok()) << "accepted";
  const Error& error = def.error();
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(error.message.starts_with(path + ": ")) << error.message;
  EXPECT_NE(error.message.find(says), std::string::npos) << error.message;
  for (std::string_view secret : secrets) {
    EXPECT_EQ(error.message.find(secret), std::string::npos) << error.message;
  }
}

/// A file that bends the rules without breaking them.
struct Accepted {
  std::string name;
  Edit edit;
};

inline void PrintTo(const Accepted& a, std::ostream* os) { *os << a.name; }

}  // namespace chorus::workspace::testing

#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chorus::bench {

/// `--name value` pairs after the mode; `--flag` alone means "true". Every getter records the
/// name, so Unknown() can refuse a misspelt option instead of silently running with a default.
class Options {
 public:
  /// Throws std::invalid_argument for an argument that is not `--name`.
  Options(int argc, char** argv, int first);

  std::string Str(const std::string& name, const std::string& fallback);
  std::int64_t Int(const std::string& name, std::int64_t fallback);
  double Num(const std::string& name, double fallback);
  bool Flag(const std::string& name);
  /// Comma-separated whole numbers ("64,256,512").
  std::vector<std::int64_t> IntList(const std::string& name, const std::string& fallback);

  /// Names given on the command line that no getter asked for.
  std::vector<std::string> Unknown() const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> used_;
};

}  // namespace chorus::bench

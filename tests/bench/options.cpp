#include "bench/options.hpp"

#include <sstream>
#include <stdexcept>

namespace chorus::bench {

Options::Options(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() < 3) {
      throw std::invalid_argument("unexpected argument \"" + arg + "\"");
    }
    std::string name = arg.substr(2);
    std::string value = "true";
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      value = argv[++i];
    }
    values_[name] = value;
    used_[name] = false;
  }
}

std::string Options::Str(const std::string& name, const std::string& fallback) {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  used_[name] = true;
  return it->second;
}

std::int64_t Options::Int(const std::string& name, std::int64_t fallback) {
  const std::string raw = Str(name, "");
  if (raw.empty()) return fallback;
  std::size_t end = 0;
  const long long v = std::stoll(raw, &end);
  if (end != raw.size()) throw std::invalid_argument("--" + name + ": not a whole number");
  return v;
}

double Options::Num(const std::string& name, double fallback) {
  const std::string raw = Str(name, "");
  if (raw.empty()) return fallback;
  std::size_t end = 0;
  const double v = std::stod(raw, &end);
  if (end != raw.size()) throw std::invalid_argument("--" + name + ": not a number");
  return v;
}

bool Options::Flag(const std::string& name) { return Str(name, "false") == "true"; }

std::vector<std::int64_t> Options::IntList(const std::string& name, const std::string& fallback) {
  std::stringstream in(Str(name, fallback));
  std::vector<std::int64_t> out;
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(std::stoll(item));
  }
  return out;
}

std::vector<std::string> Options::Unknown() const {
  std::vector<std::string> out;
  for (const auto& [name, used] : used_) {
    if (!used) out.push_back(name);
  }
  return out;
}

}  // namespace chorus::bench

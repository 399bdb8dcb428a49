#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "carriers/carrier.hpp"

namespace chorus::carriers {

/// The carriers this build speaks, by kind. Filled once at start-up (app/carriers.cpp), then
/// read-only and thread-safe.
class Registry {
 public:
  /// Asserts that no carrier of the same kind is registered yet.
  void Add(std::unique_ptr<Carrier> carrier);
  /// nullptr for a kind nobody registered.
  const Carrier* Find(std::string_view kind) const;
  std::vector<std::string_view> Kinds() const;

 private:
  std::vector<std::unique_ptr<Carrier>> carriers_;
};

}  // namespace chorus::carriers

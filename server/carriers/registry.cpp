#include "carriers/registry.hpp"

#include <cassert>

namespace chorus::carriers {

void Registry::Add(std::unique_ptr<Carrier> carrier) {
  assert(Find(carrier->kind()) == nullptr && "one adapter per carrier kind");
  carriers_.push_back(std::move(carrier));
}

const Carrier* Registry::Find(std::string_view kind) const {
  for (const auto& carrier : carriers_) {
    if (carrier->kind() == kind) return carrier.get();
  }
  return nullptr;
}

std::vector<std::string_view> Registry::Kinds() const {
  std::vector<std::string_view> kinds;
  for (const auto& carrier : carriers_) kinds.push_back(carrier->kind());
  return kinds;
}

}  // namespace chorus::carriers

#include "http/detail/request_id.hpp"

#include <cstdint>
#include <random>

namespace chorus::http::detail {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): one add and three mixes per id, no lock, no syscall.
std::uint64_t NextRandom() {
  thread_local std::uint64_t state = [] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }();
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t value = NextRandom();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) id[i] = kHex[value & 0xf];
  return id;
}

std::string RequestIdFor(std::string_view incoming) {
  return IsSaneRequestId(incoming) ? std::string(incoming) : NewRequestId();
}

}  // namespace chorus::http::detail

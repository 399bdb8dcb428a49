#include "ingest/webhook_item.hpp"

namespace chorus::ingest {

std::int64_t MemberLockKey(const MemberKey& key) {
  // FNV-1a over both ids and a domain tag, so member locks do not collide with the other
  // advisory locks of the schema (node identities, carrier ids).
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](std::uint64_t value) {
    for (int i = 0; i < 8; ++i) {
      hash ^= (value >> (8 * i)) & 0xFF;
      hash *= 1099511628211ULL;
    }
  };
  mix(0x6d656d626572ULL);  // "member"
  mix(static_cast<std::uint64_t>(key.organization_id));
  mix(static_cast<std::uint64_t>(key.member_id));
  return static_cast<std::int64_t>(hash);
}

}  // namespace chorus::ingest

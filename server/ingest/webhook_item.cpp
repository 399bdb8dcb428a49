#include "ingest/webhook_item.hpp"

#include "ingest/processing_store.hpp"

#include <string>

namespace chorus::ingest {

std::int64_t MemberLockKey(const MemberKey& key) {
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](unsigned char c) {
    hash ^= c;
    hash *= 1099511628211ULL;
  };
  for (char c : std::to_string(key.organization_id)) mix(static_cast<unsigned char>(c));
  mix(':');
  for (char c : key.sender) mix(static_cast<unsigned char>(c));
  return static_cast<std::int64_t>(hash);
}

std::string MemberKeyString(OrganizationId organization_id, const std::string& sender) {
  return std::to_string(organization_id) + ":" + sender;
}

}  // namespace chorus::ingest

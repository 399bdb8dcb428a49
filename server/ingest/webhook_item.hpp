#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <variant>

#include "core/delivery_status.hpp"
#include "core/ids.hpp"

namespace chorus::ingest {

/// An inbound message as a carrier delivered it, ready to be made durable.
struct InboundItem {
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  std::string carrier_message_id;
  std::string sender;           // E.164 when sender_is_e164, else the carrier's raw value
  bool sender_is_e164 = false;
  std::string recipient;
  std::string body;
  int num_media = 0;
};

/// A delivery status report for a message we sent.
struct StatusItem {
  OrganizationId organization_id = 0;
  ChannelId channel_id = 0;
  std::string carrier_message_id;
  DeliveryStatus status = DeliveryStatus::kAccepted;
  std::string raw_status;
  std::string error_code;
};

using WebhookItem = std::variant<InboundItem, StatusItem>;

/// Identifies whose events must be processed one at a time, in order: a member.
struct MemberKey {
  OrganizationId organization_id = 0;
  MemberId member_id = 0;
  friend bool operator==(const MemberKey&, const MemberKey&) = default;
  friend bool operator<(const MemberKey& a, const MemberKey& b) {
    return std::tie(a.organization_id, a.member_id) < std::tie(b.organization_id, b.member_id);
  }
};

/// Stable 64-bit hash of a member key (FNV-1a): the same on every node, so it doubles as the
/// PostgreSQL advisory-lock key that serialises a member's processing across nodes.
std::int64_t MemberLockKey(const MemberKey& key);

}  // namespace chorus::ingest

#pragma once

#include <cstdint>

namespace chorus {

// Database identities. Plain integers: every row also carries its OrganizationId, which is the
// tenant key (and the shard key of a distributed PostgreSQL).
using OrganizationId = std::int64_t;
using ChannelId = std::int64_t;
using MemberId = std::int64_t;
using InboundId = std::int64_t;
using OutboundId = std::int64_t;

}  // namespace chorus

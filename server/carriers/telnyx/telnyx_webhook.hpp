#pragma once

#include <optional>
#include <string_view>

#include "carriers/webhook.hpp"
#include "core/delivery_status.hpp"
#include "core/result.hpp"

namespace chorus::carriers::telnyx {

/// Parses a Telnyx messaging webhook (docs/CARRIERS.md, Telnyx): `message.received` becomes an
/// inbound message, `message.sent` and `message.finalized` a delivery report of the first
/// recipient's status; any other event type is read as nothing (empty content), so Telnyx
/// adding events never turns into refusals. kInvalidArgument, naming the field and never
/// echoing a value, for JSON that is not an object, a key written twice, a missing or
/// malformed id, sender or recipient, or an unknown recipient status. Pure.
Result<WebhookContent> ParseEvent(std::string_view json);

/// A recipient status (`to[].status`) mapped to ours: queued/sending -> accepted, sent and
/// delivery_unconfirmed -> sent, delivered/read -> delivered, delivery_failed/expired ->
/// undelivered, sending_failed -> failed; nullopt otherwise. Pure.
std::optional<DeliveryStatus> MapStatus(std::string_view telnyx_status);

}  // namespace chorus::carriers::telnyx

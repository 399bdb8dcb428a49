#pragma once

#include <optional>
#include <string_view>

namespace chorus {

/// Life of an outbound message. Ordered: a status only ever moves to a higher rank, and
/// never leaves a terminal status, so late or out-of-order carrier callbacks cannot move a
/// message backwards.
enum class DeliveryStatus {
  kQueued,       // in our outbox, waiting for a dispatcher
  kSending,      // claimed by a dispatcher (leased); the carrier request may be in flight
  kAccepted,     // the carrier took it (Twilio: accepted/queued/scheduled/sending)
  kSent,         // the carrier handed it to the handset's network
  kDelivered,    // terminal: delivery receipt
  kUndelivered,  // terminal: the network reported non-delivery
  kFailed,       // terminal: the carrier or we gave up
  kCancelled,    // terminal: suppressed before sending (opt-out, loop guard)
  kUnknown,      // terminal: an attempt may have reached the carrier, and it was not tried
                 // again (the member opted out meanwhile): "may have been sent"
};

int StatusRank(DeliveryStatus status);
bool IsTerminal(DeliveryStatus status);

/// True when a message in `current` may move to `next` (strictly forward, never out of a
/// terminal status).
bool MayAdvance(DeliveryStatus current, DeliveryStatus next);

/// Stable lower-case names used in the database and metrics ("queued", "sending", ...).
std::string_view StatusName(DeliveryStatus status);
std::optional<DeliveryStatus> ParseStatusName(std::string_view name);

}  // namespace chorus

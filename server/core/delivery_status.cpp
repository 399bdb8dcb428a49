#include "core/delivery_status.hpp"

#include <array>
#include <utility>

namespace chorus {
namespace {

constexpr std::array<std::pair<DeliveryStatus, std::string_view>, 9> kNames{{
    {DeliveryStatus::kQueued, "queued"},
    {DeliveryStatus::kSending, "sending"},
    {DeliveryStatus::kAccepted, "accepted"},
    {DeliveryStatus::kSent, "sent"},
    {DeliveryStatus::kDelivered, "delivered"},
    {DeliveryStatus::kUndelivered, "undelivered"},
    {DeliveryStatus::kFailed, "failed"},
    {DeliveryStatus::kCancelled, "cancelled"},
    {DeliveryStatus::kUnknown, "unknown"},
}};

}  // namespace

int StatusRank(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kQueued: return 0;
    case DeliveryStatus::kSending: return 1;
    case DeliveryStatus::kAccepted: return 2;
    case DeliveryStatus::kSent: return 3;
    case DeliveryStatus::kDelivered:
    case DeliveryStatus::kUndelivered:
    case DeliveryStatus::kFailed:
    case DeliveryStatus::kCancelled:
    case DeliveryStatus::kUnknown: return 4;
  }
  return 4;
}

bool IsTerminal(DeliveryStatus status) { return StatusRank(status) == 4; }

bool MayAdvance(DeliveryStatus current, DeliveryStatus next) {
  return !IsTerminal(current) && StatusRank(next) > StatusRank(current);
}

std::string_view StatusName(DeliveryStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "failed";
}

std::optional<DeliveryStatus> ParseStatusName(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace chorus

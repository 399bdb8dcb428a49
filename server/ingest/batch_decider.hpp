#pragma once

#include <cstdint>
#include <string_view>

#include "ingest/processing_store.hpp"
#include "workspace/workspace.hpp"

namespace chorus::ingest {

/// Turns a loaded batch into its effects (pure, deterministic): routes every message in order,
/// threading each member's state from one message to the next, applies the loop guard, and
/// computes the final consent state of every member whose consent changed.
BatchEffects DecideBatch(const BatchContext& context, const workspace::Snapshot& snapshot);

/// 32-bit FNV-1a of a message body, used by the loop guard.
std::uint32_t BodyHash(std::string_view body);

}  // namespace chorus::ingest

#pragma once

#include <cstdint>
#include <string_view>

#include "ingest/processing_store.hpp"
#include "workspace/workspace.hpp"

namespace chorus::ingest {

/// Turns a loaded batch into its effects (pure, deterministic): handles every member event in
/// order, threading each member's state (consent, fields, sessions) from one event to the
/// next. An inbound message goes, in this order, to compliance (STOP always wins and ends the
/// member's flow), to the inbox when the conversation is handed off, to the member's active
/// flow (unless a keyword interrupts it), to an event's check-in code, to keywords (which may
/// start a flow) and to the default reply. Timers, webhook results and flow starts go to the
/// member's sessions. Applies the loop guard and computes the final consent state of every
/// member whose consent changed.
BatchEffects DecideBatch(const BatchContext& context, const workspace::Snapshot& snapshot);

/// 32-bit FNV-1a of a message body, used by the loop guard.
std::uint32_t BodyHash(std::string_view body);

/// The check-in code of a message: "HERE 4821" (or its translations) or the code alone; ""
/// when the message is not one. `folded` is FoldForMatch output.
std::string CheckInCode(std::string_view folded);

}  // namespace chorus::ingest

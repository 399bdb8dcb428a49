#pragma once

#include <optional>
#include <set>
#include <string>

#include "compliance/compliance_words.hpp"
#include "core/ids.hpp"
#include "workspace/workspace.hpp"

namespace chorus::routing {

/// What routing needs to know about the member who sent a message.
struct MemberState {
  std::string language;                  // empty: unknown
  bool joined = false;                   // texted an opt-in keyword at some point
  bool opted_out_all = false;            // STOPALL: nothing from the organization
  std::set<ChannelId> opted_out_channels;  // STOP: nothing from these senders

  bool OptedOutOf(ChannelId channel) const {
    return opted_out_all || opted_out_channels.count(channel) > 0;
  }
};

enum class Outcome {
  kOptOut,          // STOP: opted out of the channel, one confirmation
  kOptOutAll,       // STOPALL: opted out of the organization, one confirmation
  kAlreadyOptedOut, // STOP/STOPALL again: recorded, nothing sent
  kOptIn,           // START/UNSTOP/YES (opted out): opted back in
  kHelp,            // HELP/INFO: help text, subscribed or not
  kKeyword,         // a keyword matched
  kDefaultReply,    // nothing matched; the organization's default reply
  kNoReply,         // nothing matched and the organization has no default reply
  kSuppressed,      // the member is opted out; their text is kept, nothing is sent
  kFlowStarted,     // a keyword started a flow
  kFlowAnswer,      // taken by the member's flow as a valid answer
  kFlowInvalid,     // taken by the member's flow: not a valid answer, re-prompted or branched
  kInbox,           // the conversation is handed off: the message went to the inbox
  kCheckIn,         // an event's check-in code
  kInvalidSender,   // a sender that is not a phone number: cannot be answered
  kUnknownChannel,  // the channel was removed since the message arrived
  kError,           // set aside after processing it failed (quarantine)
};

std::string_view OutcomeName(Outcome outcome);
/// Every outcome's name, in enum order (metrics create their series from it).
std::vector<std::string_view> OutcomeNames();

enum class ConsentKind { kOptIn, kOptOut };
enum class ConsentScope { kChannel, kOrganization };

struct ConsentChange {
  ConsentKind kind = ConsentKind::kOptIn;
  ConsentScope scope = ConsentScope::kChannel;
  std::string keyword;   // the word as folded ("stop", "join")
  std::string language;
};

enum class ReplyKind {
  kReply,       // an ordinary answer: never sent to an opted-out member
  kCompliance,  // STOP confirmation, HELP: sent to an opted-out member too, but not past an
                // opt-out that comes after it was queued
};

struct Reply {
  std::string body;
  ReplyKind kind = ReplyKind::kReply;
};

/// What one inbound message causes. Pure data; the caller makes it durable.
struct Decision {
  Outcome outcome = Outcome::kNoReply;
  std::optional<ConsentChange> consent;
  std::optional<Reply> reply;
  bool join = false;                    // mark the member joined
  std::optional<std::string> language;  // new language for the member
};

/// Routes one inbound `body` from a member on `channel` (pure, thread-safe):
/// compliance words first (whole message; STOP beats everything, HELP always answers), then
/// opt-in keywords (which re-subscribe an opted-out member: texting JOIN is explicit consent),
/// then, for members who have not opted out, other keywords by first word and the
/// organization's default reply. An opted-out member gets nothing else.
Decision Route(std::string_view body, const MemberState& member,
               const workspace::Organization& organization, const Channel& channel,
               const workspace::Snapshot& snapshot);

/// The compliance part of Route alone: STOP/STOPALL/START/HELP, and YES from an opted-out
/// member. nullopt when `body` is none of them (a flow or a keyword may take it).
std::optional<Decision> RouteCompliance(std::string_view body, const MemberState& member,
                                        const workspace::Organization& organization,
                                        const Channel& channel);

/// The part of Route after compliance: keywords (an opt-in keyword re-subscribes), suppression
/// of opted-out members, and the default reply. `keyword` is what FindKeywordFor found.
Decision RouteKeyword(const workspace::Keyword* keyword, const MemberState& member,
                      const workspace::Organization& organization, const Channel& channel);

/// Applies `decision` to `member` so the next message in the same batch sees the new state.
void Apply(const Decision& decision, ChannelId channel, MemberState& member);

}  // namespace chorus::routing

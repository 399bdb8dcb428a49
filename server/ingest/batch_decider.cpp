#include "ingest/batch_decider.hpp"

#include <set>

#include "core/segments.hpp"

namespace chorus::ingest {
namespace {

using routing::Outcome;

bool IsOptOutConfirmation(Outcome outcome) {
  return outcome == Outcome::kOptOut || outcome == Outcome::kOptOutAll;
}

OutboundDraft Draft(const PendingInbound& msg, const MemberRecord& member,
                    const routing::Reply& reply) {
  OutboundDraft d;
  d.organization_id = msg.organization_id;
  d.channel_id = msg.channel_id;
  d.member_id = member.id;
  d.recipient = msg.sender;
  d.body = reply.body;
  d.kind = reply.kind;
  const SegmentCount count = CountSegments(reply.body);
  d.segments = count.segments;
  d.ucs2 = count.encoding == TextEncoding::kUcs2;
  d.body_hash = BodyHash(reply.body);
  d.inbound_id = msg.id;
  return d;
}

// The loop guard stops two automatons answering each other forever. Compliance answers are
// exempt: the opt-out confirmation goes out once per opt-out anyway, and HELP must always be
// answered (CTIA); an automaton does not loop on the exact word HELP.
void GuardLoop(OutboundDraft& draft, MemberRecord& member, const workspace::Organization& org) {
  int& sent = member.recent_sends[draft.body_hash];
  if (draft.kind != routing::ReplyKind::kCompliance && sent >= org.loop_guard_max) {
    draft.cancelled = true;
    draft.cancel_reason = "loop_guard";
    return;
  }
  ++sent;
}

// A STOP later in the same batch stops replies planned for earlier messages, exactly as it
// cancels queued messages already in the outbox.
void CancelEarlierDrafts(BatchEffects& effects, MemberId member, ChannelId channel, bool all) {
  for (OutboundDraft& draft : effects.outbound) {
    if (draft.member_id != member || draft.cancelled) continue;
    if (!all && draft.channel_id != channel) continue;
    draft.cancelled = true;
    draft.cancel_reason = "opted_out";
  }
}

void CollectMemberChanges(const BatchContext& context,
                          const std::unordered_map<std::string, MemberRecord>& members,
                          const std::set<std::string>& consent_changed, BatchEffects& effects) {
  for (const auto& [key, now] : members) {
    const MemberRecord& before = context.members.at(key);
    if (now.state.language != before.state.language || now.state.joined != before.state.joined) {
      MemberUpdate u;
      u.member_id = now.id;
      if (now.state.language != before.state.language) u.language = now.state.language;
      u.join = now.state.joined && !before.state.joined;
      effects.member_updates.push_back(std::move(u));
    }
    if (consent_changed.count(key)) {
      OptOutState s;
      s.member_id = now.id;
      s.all = now.state.opted_out_all;
      s.channels.assign(now.state.opted_out_channels.begin(), now.state.opted_out_channels.end());
      effects.opt_outs.push_back(std::move(s));
    }
  }
}

}  // namespace

std::uint32_t BodyHash(std::string_view body) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

BatchEffects DecideBatch(const BatchContext& context, const workspace::Snapshot& snapshot) {
  BatchEffects effects;
  auto members = context.members;  // threaded through the batch
  std::set<std::string> consent_changed;
  std::unordered_map<MemberId, OrganizationId> org_of;

  for (const PendingInbound& msg : context.messages) {
    ProcessedMark mark{msg.organization_id, msg.id, std::nullopt, ""};
    const Channel* channel = snapshot.ChannelById(msg.channel_id);
    const workspace::Organization* org = snapshot.OrganizationById(msg.organization_id);
    const std::string key = MemberKeyString(msg.organization_id, msg.sender);
    auto member = members.find(key);
    if (channel == nullptr || org == nullptr) {
      mark.outcome = "unknown_channel";  // removed since the message arrived; kept, not answered
    } else if (!msg.sender_is_e164 || member == members.end()) {
      mark.outcome = "invalid_sender";  // an alphanumeric or malformed sender cannot be answered
    } else {
      MemberRecord& m = member->second;
      org_of[m.id] = msg.organization_id;
      routing::Decision decision = routing::Route(msg.body, m.state, *org, *channel, snapshot);
      routing::Apply(decision, channel->id, m.state);
      if (decision.consent) {
        // Only a new opt-out cancels: a repeated STOP must not cancel the one confirmation
        // the first STOP queued (scenario 3: exactly one confirmation is sent).
        if (decision.consent->kind == routing::ConsentKind::kOptOut &&
            IsOptOutConfirmation(decision.outcome)) {
          CancelEarlierDrafts(effects, m.id, channel->id,
                              decision.consent->scope == routing::ConsentScope::kOrganization);
        }
        effects.consents.push_back(
            ConsentRecord{msg.organization_id, m.id, channel->id, *decision.consent, msg.id});
        consent_changed.insert(key);
      }
      if (decision.reply) {
        OutboundDraft draft = Draft(msg, m, *decision.reply);
        GuardLoop(draft, m, *org);
        effects.outbound.push_back(std::move(draft));
      }
      mark.member_id = m.id;
      mark.outcome = std::string(routing::OutcomeName(decision.outcome));
    }
    effects.processed.push_back(std::move(mark));
  }

  CollectMemberChanges(context, members, consent_changed, effects);
  for (auto& u : effects.member_updates) u.organization_id = org_of[u.member_id];
  for (auto& s : effects.opt_outs) s.organization_id = org_of[s.member_id];
  return effects;
}

}  // namespace chorus::ingest

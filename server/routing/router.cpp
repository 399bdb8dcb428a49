#include "routing/router.hpp"

#include "core/text.hpp"

namespace chorus::routing {
namespace {

using compliance::Intent;
using workspace::TextKind;

// English compliance words are used by speakers of every language (carriers tell everyone to
// "Reply STOP"), so only a non-English word says which language the member uses.
std::optional<std::string> LanguageSignal(const compliance::Match& match) {
  if (match.language.empty() || match.language == "en") return std::nullopt;
  return match.language;
}

std::string ReplyLanguage(const compliance::Match& match, const MemberState& member,
                          const workspace::Organization& org) {
  if (auto signal = LanguageSignal(match)) return *signal;
  if (!member.language.empty()) return member.language;
  return org.default_language;
}

void SetReply(Decision& d, const std::string& text, ReplyKind kind) {
  if (!text.empty()) d.reply = Reply{text, kind};
}

Decision OptOut(const compliance::Match& match, const std::string& folded,
                const MemberState& member, const workspace::Organization& org,
                ChannelId channel) {
  const bool all = match.intent == Intent::kOptOutAll;
  Decision d;
  d.consent = ConsentChange{ConsentKind::kOptOut,
                            all ? ConsentScope::kOrganization : ConsentScope::kChannel, folded,
                            match.language};
  d.language = LanguageSignal(match);
  const bool already = all ? member.opted_out_all : member.OptedOutOf(channel);
  if (already) {
    // The opt-out is recorded again (it is what the member said) but the one confirmation
    // was already sent: CTIA and 47 CFR 64.1200(a)(12) allow a single confirmation.
    d.outcome = Outcome::kAlreadyOptedOut;
    return d;
  }
  d.outcome = all ? Outcome::kOptOutAll : Outcome::kOptOut;
  SetReply(d, org.Text(all ? TextKind::kOptOutAll : TextKind::kOptOut,
                       ReplyLanguage(match, member, org)),
           ReplyKind::kCompliance);
  return d;
}

Decision OptIn(const compliance::Match& match, const std::string& folded,
               const MemberState& member, const workspace::Organization& org) {
  Decision d;
  d.outcome = Outcome::kOptIn;
  d.consent = ConsentChange{ConsentKind::kOptIn, ConsentScope::kChannel, folded, match.language};
  d.language = LanguageSignal(match);
  d.join = true;
  SetReply(d, org.Text(TextKind::kOptIn, ReplyLanguage(match, member, org)), ReplyKind::kReply);
  return d;
}

Decision Help(const compliance::Match& match, const MemberState& member,
              const workspace::Organization& org) {
  Decision d;
  d.outcome = Outcome::kHelp;
  d.language = LanguageSignal(match);
  SetReply(d, org.Text(TextKind::kHelp, ReplyLanguage(match, member, org)),
           ReplyKind::kCompliance);
  return d;
}

}  // namespace

Decision RouteKeyword(const workspace::Keyword* keyword, const MemberState& member,
                      const workspace::Organization& org, const Channel& channel) {
  Decision d;
  if (keyword != nullptr && keyword->opt_in) {
    d.outcome = Outcome::kKeyword;
    d.consent = ConsentChange{ConsentKind::kOptIn, ConsentScope::kChannel, keyword->word,
                              keyword->language};
    d.join = true;
    // An empty language means "unknown"; it must not erase the one the member has.
    if (!keyword->language.empty()) d.language = keyword->language;
    // An ordinary reply: the same transaction lifts any opt-out, and a STOP right after JOIN
    // must still stop the welcome.
    SetReply(d, keyword->reply, ReplyKind::kReply);
    return d;
  }
  if (member.OptedOutOf(channel.id)) {
    d.outcome = Outcome::kSuppressed;
    return d;
  }
  if (keyword != nullptr) {
    d.outcome = Outcome::kKeyword;
    if (!keyword->language.empty() && member.language.empty()) d.language = keyword->language;
    SetReply(d, keyword->reply, ReplyKind::kReply);
    return d;
  }
  const std::string& fallback = org.Text(
      TextKind::kDefaultReply, member.language.empty() ? org.default_language : member.language);
  d.outcome = fallback.empty() ? Outcome::kNoReply : Outcome::kDefaultReply;
  SetReply(d, fallback, ReplyKind::kReply);
  return d;
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOptOut: return "opt_out";
    case Outcome::kOptOutAll: return "opt_out_all";
    case Outcome::kAlreadyOptedOut: return "already_opted_out";
    case Outcome::kOptIn: return "opt_in";
    case Outcome::kHelp: return "help";
    case Outcome::kKeyword: return "keyword";
    case Outcome::kDefaultReply: return "default_reply";
    case Outcome::kNoReply: return "no_reply";
    case Outcome::kSuppressed: return "suppressed";
    case Outcome::kFlowStarted: return "flow_started";
    case Outcome::kFlowAnswer: return "flow_answer";
    case Outcome::kFlowInvalid: return "flow_invalid";
    case Outcome::kInbox: return "inbox";
    case Outcome::kCheckIn: return "check_in";
    case Outcome::kInvalidSender: return "invalid_sender";
    case Outcome::kUnknownChannel: return "unknown_channel";
    case Outcome::kError: return "error";
  }
  return "no_reply";
}

std::vector<std::string_view> OutcomeNames() {
  std::vector<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Outcome::kError); ++i) {
    names.push_back(OutcomeName(static_cast<Outcome>(i)));
  }
  return names;
}

Decision Route(std::string_view body, const MemberState& member,
               const workspace::Organization& organization, const Channel& channel,
               const workspace::Snapshot& snapshot) {
  if (auto compliance = RouteCompliance(body, member, organization, channel)) return *compliance;
  return RouteKeyword(snapshot.FindKeywordFor(channel, FoldForMatch(body)), member, organization,
                      channel);
}

std::optional<Decision> RouteCompliance(std::string_view body, const MemberState& member,
                                        const workspace::Organization& organization,
                                        const Channel& channel) {
  const compliance::Match match = organization.words.Classify(body);
  if (match.intent == Intent::kNone) return std::nullopt;
  const std::string folded = FoldForMatch(body);
  switch (match.intent) {
    case Intent::kOptOut:
    case Intent::kOptOutAll:
      return OptOut(match, folded, member, organization, channel.id);
    case Intent::kOptIn:
      return OptIn(match, folded, member, organization);
    case Intent::kYes:
      // YES re-subscribes only someone who opted out; otherwise it is an ordinary answer
      // (an RSVP, a keyword) and is routed like any text.
      if (member.OptedOutOf(channel.id)) return OptIn(match, folded, member, organization);
      break;
    case Intent::kHelp:
      return Help(match, member, organization);
    case Intent::kNone:
      break;
  }
  return std::nullopt;
}

void Apply(const Decision& decision, ChannelId channel, MemberState& member) {
  if (decision.language) member.language = *decision.language;
  if (decision.join) member.joined = true;
  if (!decision.consent) return;
  const ConsentChange& c = *decision.consent;
  if (c.kind == ConsentKind::kOptOut) {
    if (c.scope == ConsentScope::kOrganization) member.opted_out_all = true;
    else member.opted_out_channels.insert(channel);
    return;
  }
  // Opting in on a channel lifts that channel's opt-out and an organization-wide one; opt-outs
  // of other channels stay (the member asked this sender, not every sender).
  member.opted_out_all = false;
  member.opted_out_channels.erase(channel);
}

}  // namespace chorus::routing

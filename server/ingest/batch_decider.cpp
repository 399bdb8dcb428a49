#include "ingest/batch_decider.hpp"

#include <algorithm>
#include <set>

#include "core/phone_number.hpp"
#include "core/segments.hpp"
#include "core/text.hpp"
#include "ingest/member_edit.hpp"

namespace chorus::ingest {
namespace {

using routing::Outcome;

bool IsOptOutConfirmation(Outcome outcome) {
  return outcome == Outcome::kOptOut || outcome == Outcome::kOptOutAll;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

// Where a member's session is within the batch: its index in BatchEffects::sessions.
struct SessionSlot {
  std::size_t write = 0;
};

// The folded message is the keyword and nothing else: "join", or "join pune" for JOIN PUNE.
bool IsWholeKeyword(std::string_view folded, const workspace::Keyword& keyword) {
  const std::string_view word = FirstWord(folded);
  const std::string_view rest =
      folded.size() > word.size() ? folded.substr(folded.find(' ') + 1) : std::string_view();
  if (keyword.qualifier.empty()) return rest.empty() || folded == word;
  return FirstWord(rest) == keyword.qualifier && rest.find(' ') == std::string_view::npos;
}

class Decider {
 public:
  Decider(const BatchContext& context, const workspace::Snapshot& snapshot)
      : context_(context), snapshot_(snapshot), members_(context.members) {}

  BatchEffects Run() {
    for (const MemberEvent& event : context_.events) Handle(event);
    CollectMemberChanges();
    return std::move(fx_);
  }

 private:
  void Handle(const MemberEvent& event) {
    ProcessedMark mark{event.kind,      event.organization_id, event.id,
                       event.member_id, Outcome::kNoReply,     EventOutcome::kRouted};
    auto member = members_.find(event.member_id);
    const workspace::Organization* org = snapshot_.OrganizationById(event.organization_id);
    if (member == members_.end() || org == nullptr) {
      mark.outcome = Outcome::kUnknownChannel;
      mark.event_outcome = EventOutcome::kNoSession;
    } else if (event.kind == EventKind::kInbound) {
      mark.outcome = Inbound(event, member->second, *org);
    } else if (event.kind == EventKind::kFlowStart) {
      mark.event_outcome = FlowStart(event, member->second, *org);
    } else if (event.kind == EventKind::kOrganizerReply) {
      mark.event_outcome = OrganizerReply(event, member->second, *org);
    } else if (event.kind == EventKind::kOrganizerOptOut) {
      mark.event_outcome = OrganizerOptOut(member->second);
    } else if (event.kind == EventKind::kOrganizerUpdate) {
      mark.event_outcome = OrganizerUpdate(event, member->second);
    } else {
      mark.event_outcome = SessionEvent(event, member->second, *org);
    }
    fx_.processed.push_back(mark);
  }

  // ---- inbound messages ----

  Outcome Inbound(const MemberEvent& msg, MemberRecord& m, const workspace::Organization& org) {
    const Channel* channel = snapshot_.ChannelById(msg.channel_id);
    if (channel == nullptr) return Outcome::kUnknownChannel;
    if (auto decision = routing::RouteCompliance(msg.body, m.state, org, *channel)) {
      Apply(*decision, msg, m, org, *channel);
      return decision->outcome;
    }
    if (m.open_conversation != 0) {
      InboxWrite w{m.organization_id,   m.id, channel->id, std::nullopt, InboxWrite::Kind::kMessage,
                   m.open_conversation, {},   msg.id};
      fx_.inbox.push_back(w);
      return Outcome::kInbox;
    }
    const std::string folded = FoldForMatch(msg.body);
    const workspace::Keyword* keyword = snapshot_.FindKeywordFor(*channel, folded);
    const auto broadcast = TakeBroadcastReply(m);
    if (auto taken = ToSession(msg, m, org, *channel, keyword, folded)) return *taken;
    if (keyword == nullptr && broadcast && !broadcast->flow.empty() &&
        broadcast->channel == channel->id && !m.state.OptedOutOf(channel->id)) {
      if (auto answered = ToReplyFlow(msg, m, org, *broadcast)) return *answered;
    }
    if (keyword == nullptr && !m.state.OptedOutOf(channel->id)) {
      if (auto checked = CheckIn(msg, m, org, *channel, folded)) return *checked;
    }
    routing::Decision decision = routing::RouteKeyword(keyword, m.state, org, *channel);
    Apply(decision, msg, m, org, *channel);
    if (keyword != nullptr && decision.outcome == Outcome::kKeyword) {
      if (!keyword->chapter.empty()) JoinChapter(m, keyword->chapter);
      if (!keyword->flow.empty()) {
        StartFlow(m, org, channel->id, keyword->flow, std::nullopt, msg.id);
        return Outcome::kFlowStarted;
      }
    }
    return decision.outcome;
  }

  // A message after a broadcast, inside its reply window, is a reply to it (counted once).
  std::optional<MemberRecord::BroadcastReply> TakeBroadcastReply(MemberRecord& m) {
    auto reply = m.broadcast_reply;
    if (reply) fx_.broadcast_replies.emplace_back(m.organization_id, reply->message);
    m.broadcast_reply.reset();
    return reply;
  }

  // The broadcast asked the question its reply flow begins with ("Reply YES to RSVP"): the
  // flow starts already waiting there and takes this message as the answer.
  std::optional<Outcome> ToReplyFlow(const MemberEvent& msg, MemberRecord& m,
                                     const workspace::Organization& org,
                                     const MemberRecord::BroadcastReply& broadcast) {
    const flows::Flow* flow = Catalog(org).ActiveFlow(broadcast.flow);
    if (flow == nullptr) return std::nullopt;
    auto session = flows::AwaitingEntry(*flow, broadcast.channel);
    if (!session) {
      StartFlow(m, org, broadcast.channel, broadcast.flow, std::nullopt, msg.id);
      return Outcome::kFlowStarted;
    }
    m.sessions.push_back(*session);
    Audit(m, "flow.started", "flow=" + flow->slug + " version=" + std::to_string(flow->version) +
                                 " reply_to_broadcast");
    flows::Input input;
    input.kind = flows::Input::Kind::kText;
    input.text = msg.body;
    const flows::Outcome outcome = RunFlow(m, org, m.sessions.back(), input, msg.id);
    if (outcome == flows::Outcome::kInvalid || outcome == flows::Outcome::kGaveUp) {
      return Outcome::kFlowInvalid;
    }
    return Outcome::kFlowAnswer;
  }

  // The member's active flow on this channel takes the message, unless a keyword interrupts:
  // only a message that is the keyword and nothing else ("JOIN", "JOIN PUNE"), and only in a
  // flow that lets keywords interrupt. "Join the march on Friday" is an answer or a story.
  std::optional<Outcome> ToSession(const MemberEvent& msg, MemberRecord& m,
                                   const workspace::Organization& org, const Channel& channel,
                                   const workspace::Keyword* keyword, const std::string& folded) {
    flows::Session* session = ActiveSession(m, channel.id);
    if (session == nullptr) return std::nullopt;
    const flows::Flow* flow = Catalog(org).FlowVersion(session->flow, session->version);
    if (flow == nullptr) return std::nullopt;
    if (keyword != nullptr && flow->keywords_interrupt && IsWholeKeyword(folded, *keyword)) {
      return std::nullopt;
    }
    flows::Input input;
    input.kind = flows::Input::Kind::kText;
    input.text = msg.body;
    const flows::Outcome outcome = RunFlow(m, org, *session, input, msg.id);
    if (outcome == flows::Outcome::kNotWaiting) return std::nullopt;
    if (outcome == flows::Outcome::kInvalid || outcome == flows::Outcome::kGaveUp) {
      return Outcome::kFlowInvalid;
    }
    return Outcome::kFlowAnswer;
  }

  std::optional<Outcome> CheckIn(const MemberEvent& msg, MemberRecord& m,
                                 const workspace::Organization& org, const Channel& channel,
                                 const std::string& folded) {
    const std::string code = CheckInCode(folded);
    if (code.empty()) return std::nullopt;
    const workspace::Event* event = Catalog(org).EventWithCode(code, context_.now);
    if (event == nullptr) return std::nullopt;
    flows::ActionRecord action{flows::ActionKind::kCheckIn, event->slug, event->id, "here"};
    fx_.actions.push_back(
        ActionWrite{m.organization_id, m.id, std::nullopt, channel.id, action, msg.id});
    Send(m, org, channel.id, CheckedInText(m, org, *event), routing::ReplyKind::kReply, msg.id);
    return Outcome::kCheckIn;
  }

  std::string CheckedInText(const MemberRecord& m, const workspace::Organization& org,
                            const workspace::Event& event) const {
    static const std::string kBuiltIn =
        "{{org.name}}: you are checked in to {{event.title}}. Thank you for coming!";
    const std::string& text = event.checked_in_text.empty()
                                  ? kBuiltIn
                                  : flows::Pick(event.checked_in_text, Language(m, org),
                                                org.default_language);
    flows::Context ctx{&Catalog(org), org.name, org.default_language, context_.now};
    return flows::RenderFor(ctx, m.view, [&event] { return &event; }, text);
  }

  void Apply(const routing::Decision& decision, const MemberEvent& msg, MemberRecord& m,
             const workspace::Organization& org, const Channel& channel) {
    routing::Apply(decision, channel.id, m.state);
    m.view.language = m.state.language;
    if (decision.consent) {
      const bool opted_out = decision.consent->kind == routing::ConsentKind::kOptOut;
      const bool all = decision.consent->scope == routing::ConsentScope::kOrganization;
      // Only a new opt-out cancels: a repeated STOP must not cancel the one confirmation
      // the first STOP queued (scenario 3: exactly one confirmation is sent).
      if (opted_out && IsOptOutConfirmation(decision.outcome)) {
        CancelEarlierDrafts(m.id, channel.id, all);
      }
      // STOP ends the member's flow on that channel (STOPALL: everywhere).
      if (opted_out) {
        std::optional<ChannelId> scope;
        if (!all) scope = channel.id;
        EndSessions(m, scope);
        CloseHandOff(m, scope);
      }
      fx_.consents.push_back(
          ConsentRecord{m.organization_id, m.id, channel.id, *decision.consent, msg.id});
      consent_changed_.insert(m.id);
    }
    if (decision.reply)
      Send(m, org, channel.id, decision.reply->body, decision.reply->kind, msg.id);
  }

  // ---- timers, webhook results, flow starts ----

  EventOutcome SessionEvent(const MemberEvent& event, MemberRecord& m,
                            const workspace::Organization& org) {
    flows::Session* session = SessionById(m, event.session_id);
    if (session == nullptr) return EventOutcome::kNoSession;
    flows::Input input;
    input.kind = event.kind == EventKind::kTimer ? flows::Input::Kind::kTimer
                                                 : flows::Input::Kind::kWebhookResult;
    input.token = event.token;
    input.timer = event.timer;
    input.ok = event.ok;
    const flows::Outcome outcome = RunFlow(m, org, *session, input, 0);
    return outcome == flows::Outcome::kStale ? EventOutcome::kStale : EventOutcome::kFired;
  }

  EventOutcome FlowStart(const MemberEvent& event, MemberRecord& m,
                         const workspace::Organization& org) {
    ChannelId channel = event.channel_id;
    if (channel == 0 || m.state.OptedOutOf(channel)) return EventOutcome::kSuppressed;
    if (Catalog(org).ActiveFlow(event.flow) == nullptr) return EventOutcome::kUnknownFlow;
    StartFlow(m, org, channel, event.flow, event.event_id, 0);
    return EventOutcome::kStarted;
  }

  // An organizer's text from the inbox, in its place among the member's own messages: a STOP
  // processed before it suppresses it, one after it cancels it in the outbox. A person wrote
  // it, so the loop guard (against automatons) does not apply.
  EventOutcome OrganizerReply(const MemberEvent& event, MemberRecord& m,
                              const workspace::Organization& org) {
    if (snapshot_.ChannelById(event.channel_id) == nullptr) return EventOutcome::kNoSession;
    if (m.state.OptedOutOf(event.channel_id)) return EventOutcome::kSuppressed;
    Send(m, org, event.channel_id, event.body, routing::ReplyKind::kReply, 0, /*guard=*/false);
    return EventOutcome::kSent;
  }

  // An organizer records, on the member's behalf (they asked by phone, at the door), that they
  // want no more texts from the organization: as STOPALL does, without a confirmation text
  // (the member did not text us). Replies and flow texts not yet sent are cancelled.
  EventOutcome OrganizerOptOut(MemberRecord& m) {
    if (m.state.opted_out_all) return EventOutcome::kOptedOut;
    routing::Decision d;
    d.consent = routing::ConsentChange{routing::ConsentKind::kOptOut,
                                       routing::ConsentScope::kOrganization, "", ""};
    routing::Apply(d, 0, m.state);
    CancelEarlierDrafts(m.id, 0, /*all=*/true);
    EndSessions(m, std::nullopt);
    CloseHandOff(m, std::nullopt);
    ConsentRecord record{m.organization_id, m.id, 0, *d.consent, 0};
    record.source = "api";
    fx_.consents.push_back(std::move(record));
    consent_changed_.insert(m.id);
    return EventOutcome::kOptedOut;
  }

  // An organizer's edit of fields and tags, seen by the member's next message and flow step.
  static EventOutcome OrganizerUpdate(const MemberEvent& event, MemberRecord& m) {
    const auto edit = DecodeMemberEdit(event.body);
    if (!edit) return EventOutcome::kInvalid;
    for (const auto& [name, value] : edit->fields) m.view.fields[name] = value;
    for (const auto& tag : edit->add_tags) m.view.tags.insert(tag);
    for (const auto& tag : edit->remove_tags) m.view.tags.erase(tag);
    return EventOutcome::kUpdated;
  }

  // ---- sessions ----

  const workspace::OrganizationCatalog& Catalog(const workspace::Organization& org) const {
    static const workspace::OrganizationCatalog kEmpty;
    const workspace::OrganizationCatalog* catalog = snapshot_.Catalog(org.id);
    return catalog ? *catalog : kEmpty;
  }

  flows::Session* ActiveSession(MemberRecord& m, ChannelId channel) {
    for (flows::Session& s : m.sessions) {
      if (s.active && s.channel_id == channel) return &s;
    }
    return nullptr;
  }

  flows::Session* SessionById(MemberRecord& m, std::int64_t id) {
    for (flows::Session& s : m.sessions) {
      if (s.id == id && id != 0) return &s;
    }
    return nullptr;
  }

  // The index of `session` in fx_.sessions, added on first touch.
  std::size_t Slot(MemberRecord& m, const flows::Session& session) {
    const auto key = std::make_pair(m.id, &session - m.sessions.data());
    auto it = slots_.find(key);
    if (it != slots_.end()) return it->second;
    fx_.sessions.push_back(SessionWrite{m.organization_id, m.id, session, false});
    slots_[key] = fx_.sessions.size() - 1;
    return fx_.sessions.size() - 1;
  }

  void EndSessions(MemberRecord& m, std::optional<ChannelId> channel) {
    for (flows::Session& s : m.sessions) {
      if (!s.active || (channel && s.channel_id != *channel)) continue;
      s.active = false;
      s.step.clear();
      const std::size_t slot = Slot(m, s);
      CancelTimers(slot);
      FileUnfinishedStory(m, slot, s);
      fx_.sessions[slot].session = s;
      Audit(m, "flow.ended", "flow=" + s.flow + " reason=opt_out");
    }
  }

  // A story the member was telling when its flow ended early (STOP, another flow started): it
  // is filed as told so far and not shared, so what a member wrote is never lost.
  void FileUnfinishedStory(MemberRecord& m, std::size_t slot, flows::Session& s) {
    if (s.story_text.empty()) return;
    fx_.inbox.push_back(InboxWrite{m.organization_id, m.id, s.channel_id, slot,
                                   InboxWrite::Kind::kStory, 0,
                                   flows::StoryRecord{s.story_text, s.story_place, false}, 0});
    s.story_text.clear();
    s.story_place.clear();
    s.story_phase = 0;
  }

  // STOP also closes a handed-off conversation on that channel (STOPALL: any): the member
  // asked for no more messages, so no organizer should be waiting to answer them.
  void CloseHandOff(MemberRecord& m, std::optional<ChannelId> channel) {
    if (m.open_conversation == 0) return;
    if (channel && m.conversation_channel != *channel) return;
    fx_.inbox.push_back(InboxWrite{m.organization_id, m.id, m.conversation_channel,
                                   std::nullopt, InboxWrite::Kind::kClose, m.open_conversation,
                                   {}, 0});
    m.open_conversation = 0;
    m.conversation_channel = 0;
  }

  void StartFlow(MemberRecord& m, const workspace::Organization& org, ChannelId channel,
                 const std::string& slug, std::optional<std::int64_t> event_id, InboundId inbound) {
    const flows::Flow* flow = Catalog(org).ActiveFlow(slug);
    if (flow == nullptr) {
      Audit(m, "flow.error", "flow=" + slug + " reason=not_active");
      return;
    }
    if (flows::Session* current = ActiveSession(m, channel)) {
      current->active = false;
      current->step.clear();
      const std::size_t slot = Slot(m, *current);
      CancelTimers(slot);
      FileUnfinishedStory(m, slot, *current);
      fx_.sessions[slot].session = *current;
      Audit(m, "flow.interrupted", "flow=" + current->flow);
    }
    // Growing the vector moves sessions: slots are keyed by index, so they stay valid.
    m.sessions.push_back(flows::NewSession(*flow, channel));
    Audit(m, "flow.started", "flow=" + slug + " version=" + std::to_string(flow->version));
    flows::Input input;
    input.kind = flows::Input::Kind::kStart;
    input.event_id = event_id;
    RunFlow(m, org, m.sessions.back(), input, inbound);
  }

  flows::Outcome RunFlow(MemberRecord& m, const workspace::Organization& org,
                         flows::Session& session, const flows::Input& input, InboundId inbound) {
    flows::Context ctx{&Catalog(org), org.name, org.default_language, context_.now};
    flows::Effects effects;
    m.view.language = m.state.language;
    // Postal codes and dates are read for the member's country: their number's.
    if (m.view.country.empty()) m.view.country = PhoneNumber::FromE164Unchecked(m.phone).Region();
    const flows::Outcome outcome = flows::Advance(ctx, session, m.view, input, effects);
    if (outcome == flows::Outcome::kStale || outcome == flows::Outcome::kNotWaiting) {
      return outcome;
    }
    const std::size_t slot = Slot(m, session);
    ApplyFlowEffects(m, org, slot, session, effects, inbound);
    fx_.sessions[slot].session = session;
    if (!session.active) Audit(m, "flow.ended", "flow=" + session.flow);
    return outcome;
  }

  void ApplyFlowEffects(MemberRecord& m, const workspace::Organization& org, std::size_t slot,
                        const flows::Session& session, const flows::Effects& effects,
                        InboundId inbound) {
    const ChannelId channel = session.channel_id;
    if (effects.language) m.state.language = *effects.language;
    for (const std::string& text : effects.sends) {
      Send(m, org, channel, text, routing::ReplyKind::kReply, inbound);
    }
    if (effects.cancel_timers) CancelTimers(slot);
    for (const auto& timer : effects.timers) {
      fx_.timers.push_back(
          TimerWrite{m.organization_id, m.id, slot, channel, timer, TimeZone(m, org)});
    }
    for (const auto& action : effects.actions) {
      fx_.actions.push_back(ActionWrite{m.organization_id, m.id, slot, channel, action, inbound});
    }
    for (const auto& answer : effects.answers) {
      fx_.answers.push_back(
          AnswerWrite{m.organization_id, m.id, channel, session.flow, session.version, answer});
    }
    for (const auto& story : effects.stories) {
      fx_.inbox.push_back(InboxWrite{m.organization_id, m.id, channel, slot,
                                     InboxWrite::Kind::kStory, 0, story, inbound});
    }
    if (effects.hand_off) {
      fx_.inbox.push_back(InboxWrite{
          m.organization_id, m.id, channel, slot, InboxWrite::Kind::kHandOff, 0, {}, inbound});
      m.open_conversation = -1;  // opened by this batch: later messages join it
      m.conversation_channel = channel;
    }
    for (const auto& call : effects.webhooks) {
      fx_.webhook_calls.push_back(WebhookCallWrite{m.organization_id, m.id, slot, channel, call,
                                                   Payload(m, session, call)});
    }
    for (const auto& error : effects.errors) Audit(m, "flow.error", error);
    for (const auto& c : effects.chapters_joined) Audit(m, "chapter.joined", "chapter=" + c);
  }

  // Timers of this session written earlier in the batch are dropped; stored ones are cancelled.
  void CancelTimers(std::size_t slot) {
    fx_.timers.erase(std::remove_if(fx_.timers.begin(), fx_.timers.end(),
                                    [slot](const TimerWrite& t) { return t.session == slot; }),
                     fx_.timers.end());
    fx_.sessions[slot].cancel_stored_timers = true;
  }

  std::string Payload(const MemberRecord& m, const flows::Session& s,
                      const flows::WebhookRequest& call) const {
    std::string out = "{\"member_id\":" + std::to_string(m.id) + ",\"flow\":\"" +
                      JsonEscape(s.flow) + "\",\"version\":" + std::to_string(s.version) +
                      ",\"step\":\"" + JsonEscape(call.step) + "\",\"language\":\"" +
                      JsonEscape(m.state.language) + "\",\"fields\":{";
    bool first = true;
    for (const auto& [name, value] : m.view.fields) {
      out += (first ? "\"" : ",\"") + JsonEscape(name) + "\":\"" + JsonEscape(value) + "\"";
      first = false;
    }
    out += "},\"tags\":[";
    first = true;
    for (const auto& tag : m.view.tags) {
      out += (first ? "\"" : ",\"") + JsonEscape(tag) + "\"";
      first = false;
    }
    return out + "]}";
  }

  std::string TimeZone(const MemberRecord& m, const workspace::Organization& org) const {
    auto it = m.view.fields.find("time_zone");
    if (it != m.view.fields.end() && !it->second.empty()) return it->second;
    const workspace::OrganizationCatalog* catalog = snapshot_.Catalog(org.id);
    std::string zone = catalog ? catalog->TimeZoneFor(m.view.chapters) : "";
    return zone.empty() ? org.time_zone : zone;
  }

  void JoinChapter(MemberRecord& m, const std::string& slug) {
    if (m.view.chapters.insert(slug).second) Audit(m, "chapter.joined", "chapter=" + slug);
  }

  // ---- messages ----

  void Send(MemberRecord& m, const workspace::Organization& org, ChannelId channel,
            const std::string& body, routing::ReplyKind kind, InboundId inbound,
            bool guard = true) {
    if (body.empty()) return;
    OutboundDraft d;
    d.organization_id = m.organization_id;
    d.channel_id = channel;
    d.member_id = m.id;
    d.recipient = m.phone;
    d.body = body;
    d.kind = kind;
    const SegmentCount count = CountSegments(body);
    d.segments = count.segments;
    d.ucs2 = count.encoding == TextEncoding::kUcs2;
    d.body_hash = BodyHash(body);
    d.inbound_id = inbound;
    if (kind != routing::ReplyKind::kCompliance && m.state.OptedOutOf(channel)) {
      d.cancelled = true;
      d.cancel_reason = "opted_out";
    } else if (guard) {
      GuardLoop(d, m, org);
    }
    fx_.outbound.push_back(std::move(d));
  }

  // The loop guard stops two automatons answering each other forever. Compliance answers are
  // exempt: the opt-out confirmation goes out once per opt-out anyway, and HELP must always be
  // answered (CTIA); an automaton does not loop on the exact word HELP.
  static void GuardLoop(OutboundDraft& draft, MemberRecord& member,
                        const workspace::Organization& org) {
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
  void CancelEarlierDrafts(MemberId member, ChannelId channel, bool all) {
    for (OutboundDraft& draft : fx_.outbound) {
      if (draft.member_id != member || draft.cancelled) continue;
      if (!all && draft.channel_id != channel) continue;
      draft.cancelled = true;
      draft.cancel_reason = "opted_out";
    }
  }

  std::string Language(const MemberRecord& m, const workspace::Organization& org) const {
    return m.state.language.empty() ? org.default_language : m.state.language;
  }

  void Audit(const MemberRecord& m, std::string action, std::string detail) {
    fx_.audit.push_back(AuditWrite{m.organization_id, m.id, std::move(action), std::move(detail)});
  }

  // ---- the members' final state ----

  void CollectMemberChanges() {
    for (const auto& [id, now] : members_) {
      const MemberRecord& before = context_.members.at(id);
      MemberUpdate u;
      u.organization_id = now.organization_id;
      u.member_id = id;
      if (now.state.language != before.state.language) u.language = now.state.language;
      u.join = now.state.joined && !before.state.joined;
      for (const auto& [name, value] : now.view.fields) {
        auto was = before.view.fields.find(name);
        if (was == before.view.fields.end() || was->second != value) u.fields[name] = value;
      }
      Difference(now.view.tags, before.view.tags, u.tags_added);
      Difference(before.view.tags, now.view.tags, u.tags_removed);
      Difference(now.view.chapters, before.view.chapters, u.chapters_joined);
      Difference(before.view.chapters, now.view.chapters, u.chapters_left);
      if (u.language || u.join || !u.fields.empty() || !u.tags_added.empty() ||
          !u.tags_removed.empty() || !u.chapters_joined.empty() || !u.chapters_left.empty()) {
        fx_.member_updates.push_back(std::move(u));
      }
      if (consent_changed_.count(id)) {
        OptOutState s;
        s.organization_id = now.organization_id;
        s.member_id = id;
        s.all = now.state.opted_out_all;
        s.channels.assign(now.state.opted_out_channels.begin(), now.state.opted_out_channels.end());
        fx_.opt_outs.push_back(std::move(s));
      }
    }
  }

  static void Difference(const std::set<std::string>& a, const std::set<std::string>& b,
                         std::set<std::string>& out) {
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  }

  const BatchContext& context_;
  const workspace::Snapshot& snapshot_;
  std::unordered_map<MemberId, MemberRecord> members_;  // threaded through the batch
  std::set<MemberId> consent_changed_;
  std::map<std::pair<MemberId, std::ptrdiff_t>, std::size_t> slots_;
  BatchEffects fx_;
};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
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

std::string CheckInCode(std::string_view folded) {
  const std::string ascii = AsciiDigits(folded);
  std::string_view text = ascii;
  // "Here" (and "check in") in the fourteen built-in languages, folded; the code alone counts
  // too. docs/FLOWS.md lists them.
  static constexpr std::string_view kHere[] = {
      "here", "check in", "checkin", "check-in", "aqui", "presente", "ici", "hier", "здесь",
      "sini", "disini", "dito", "hapa", "यहाँ", "यहां", "এখানে", "இங்கே", "هنا", "یہاں"};
  for (std::string_view word : kHere) {
    if (text.size() > word.size() + 1 && text.substr(0, word.size()) == word &&
        text[word.size()] == ' ') {
      text = text.substr(word.size() + 1);
      break;
    }
  }
  if (text.size() < 3 || text.size() > 8 || !AllDigits(text)) return "";
  return std::string(text);
}

BatchEffects DecideBatch(const BatchContext& context, const workspace::Snapshot& snapshot) {
  return Decider(context, snapshot).Run();
}

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kInbound: return "inbound";
    case EventKind::kTimer: return "timer";
    case EventKind::kWebhookResult: return "webhook_result";
    case EventKind::kFlowStart: return "flow_start";
    case EventKind::kOrganizerReply: return "organizer_reply";
    case EventKind::kOrganizerOptOut: return "organizer_opt_out";
    case EventKind::kOrganizerUpdate: return "organizer_update";
  }
  return "inbound";
}

std::vector<std::pair<std::string, std::vector<std::string>>> EventOutcomeNames() {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::vector<std::string> inbound, other;
  for (std::string_view name : routing::OutcomeNames()) inbound.emplace_back(name);
  for (int i = 0; i <= static_cast<int>(EventOutcome::kInvalid); ++i) {
    other.emplace_back(EventOutcomeName(static_cast<EventOutcome>(i)));
  }
  out.emplace_back("inbound", inbound);
  for (EventKind kind : {EventKind::kTimer, EventKind::kWebhookResult, EventKind::kFlowStart,
                         EventKind::kOrganizerReply, EventKind::kOrganizerOptOut,
                         EventKind::kOrganizerUpdate}) {
    out.emplace_back(std::string(EventKindName(kind)), other);
  }
  return out;
}

std::string_view EventOutcomeName(EventOutcome outcome) {
  switch (outcome) {
    case EventOutcome::kRouted:
      return "routed";
    case EventOutcome::kFired:
      return "fired";
    case EventOutcome::kStale:
      return "stale";
    case EventOutcome::kNoSession:
      return "no_session";
    case EventOutcome::kStarted:
      return "started";
    case EventOutcome::kSuppressed:
      return "suppressed";
    case EventOutcome::kUnknownFlow:
      return "unknown_flow";
    case EventOutcome::kSent:
      return "sent";
    case EventOutcome::kOptedOut:
      return "opted_out";
    case EventOutcome::kUpdated:
      return "updated";
    case EventOutcome::kInvalid:
      return "invalid";
  }
  return "routed";
}

}  // namespace chorus::ingest

#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "ingest/processing_store.hpp"

namespace chorus::fakes {

/// The database behind any number of FakeProcessingStore handles (one per worker thread, as in
/// production). Follows PgProcessingStore: a batch loads each member's pending events (inbound
/// messages and due member events, up to kEventsPerMember of each kind) in time order, calls
/// `decide` and writes the effects; an event is processed exactly once. Unlike PostgreSQL it
/// does not make a second batch for the same member wait: it counts the overlap, so a test can
/// assert the processor never asks for one. `decide` runs outside the fake's lock, as it runs
/// outside any other member's transaction. Time is the fake's own clock (Advance). Thread-safe;
/// a recursive lock lets WaitUntil predicates call the accessors.
/// tests/store/contract/processing_contract.hpp holds it to what PostgreSQL does.
class FakeProcessingDatabase {
 public:
  static constexpr std::size_t kEventsPerMember = 64;

  struct Inbound {
    InboundId id = 0;
    OrganizationId organization_id = 0;
    ChannelId channel_id = 0;
    MemberId member_id = 0;
    std::string body;
    std::chrono::milliseconds received_at{0};
    bool processed = false;
    std::string outcome;
  };

  struct Event {
    ingest::MemberEvent event;  // kind, ids, session, token, timer, ok, flow
    std::chrono::milliseconds due_at{0};
    std::optional<std::chrono::milliseconds> claimed_until;
    bool processed = false;
    std::string outcome;
  };

  struct Outbound {
    ingest::OutboundDraft draft;
    std::string status;      // "queued" or "cancelled"
    std::string error_code;  // cancel reason
    std::chrono::milliseconds created_at{0};
  };

  struct StoredSession {
    MemberId member_id = 0;
    flows::Session session;
  };

  /// The organization's loop-guard window (PostgreSQL reads it from the organization; default
  /// 3600 s as there): recent sends count only messages created inside it.
  void SetLoopGuardWindow(OrganizationId organization, std::chrono::seconds window) {
    std::lock_guard lock(mutex_);
    windows_[organization] = window;
  }

  /// A chapter members can join (PostgreSQL joins chapters by slug; unknown slugs are skipped).
  void AddChapter(OrganizationId organization, std::string slug) {
    std::lock_guard lock(mutex_);
    chapters_.insert({organization, std::move(slug)});
  }

  /// The member with `phone`, created on first use (as the inbox creates them).
  MemberId AddMember(OrganizationId organization, const std::string& phone) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, m] : members_) {
      if (m.organization_id == organization && m.phone == phone) return id;
    }
    const MemberId id = next_member_id_++;
    Record(organization, id, phone);
    return id;
  }

  /// Replaces the consent state of `member`.
  void SetState(const ingest::MemberKey& key, routing::MemberState state) {
    std::lock_guard lock(mutex_);
    Record(key.organization_id, key.member_id, "").state = std::move(state);
  }

  /// Stores an unprocessed inbound message from `member` (created when unknown) received at
  /// the fake clock's now.
  InboundId AddInbound(OrganizationId organization, ChannelId channel, MemberId member,
                       std::string body) {
    std::lock_guard lock(mutex_);
    Record(organization, member, "");
    Inbound in;
    in.id = next_inbound_id_++;
    in.organization_id = organization;
    in.channel_id = channel;
    in.member_id = member;
    in.body = std::move(body);
    in.received_at = now_;
    inbound_.push_back(std::move(in));
    changed_.notify_all();
    return inbound_.back().id;
  }

  /// Stores a member event due `due_in` after now (a timer, a webhook result, a flow start).
  std::int64_t AddEvent(ingest::MemberEvent event, std::chrono::milliseconds due_in) {
    std::lock_guard lock(mutex_);
    Record(event.organization_id, event.member_id, "");
    event.id = next_event_id_++;
    Event e;
    e.event = std::move(event);
    e.due_at = now_ + due_in;
    events_.push_back(std::move(e));
    changed_.notify_all();
    return events_.back().event.id;
  }

  void Advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
    changed_.notify_all();
  }

  /// The next `n` ProcessBatch calls fail with `code` (an outage: nothing is written).
  void FailNext(int n, ErrorCode code = ErrorCode::kUnavailable) {
    std::lock_guard lock(mutex_);
    fail_next_ = n;
    fail_code_ = code;
  }

  /// Every batch that includes `key` fails with `code` (a poison event: its data is refused).
  void FailBatchesWith(const ingest::MemberKey& key, ErrorCode code = ErrorCode::kInvalidArgument) {
    std::lock_guard lock(mutex_);
    poison_[key] = code;
  }

  /// While held, ProcessBatch calls wait as they start (a slow transaction); Release lets them go.
  void Hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void Release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  /// ClaimDue calls so far.
  int claims() const {
    std::lock_guard lock(mutex_);
    return claims_;
  }

  /// Waits (up to `timeout`) until `predicate` holds; it runs under the lock after every change.
  bool WaitUntil(const std::function<bool()>& predicate,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, predicate);
  }

  /// Every inbound message and every due event is processed.
  bool AllProcessed() const {
    std::lock_guard lock(mutex_);
    return std::all_of(inbound_.begin(), inbound_.end(),
                       [](const Inbound& in) { return in.processed; }) &&
           std::all_of(events_.begin(), events_.end(),
                       [this](const Event& e) { return e.processed || e.due_at > now_; });
  }

  Inbound inbound(InboundId id) const {
    std::lock_guard lock(mutex_);
    for (const auto& in : inbound_) {
      if (in.id == id) return in;
    }
    return {};
  }

  Event event(std::int64_t id) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : events_) {
      if (e.event.id == id) return e;
    }
    return {};
  }

  /// Keys of every ProcessBatch call, in call order (failed calls included).
  std::vector<std::vector<ingest::MemberKey>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  /// The ids of `key`'s inbound messages in the order batches processed them.
  std::vector<InboundId> processing_order(const ingest::MemberKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = order_.find(key);
    return it == order_.end() ? std::vector<InboundId>{} : it->second;
  }

  /// ProcessBatch calls that began while another batch held one of their members.
  int overlaps() const {
    std::lock_guard lock(mutex_);
    return overlaps_;
  }

  /// Events a batch marked processed although they already were (exactly-once violated).
  int double_processed() const {
    std::lock_guard lock(mutex_);
    return double_processed_;
  }

  std::vector<ingest::MemberKey> quarantined() const {
    std::lock_guard lock(mutex_);
    return quarantined_;
  }

  /// `older_than` of every FindUnprocessed call, in order.
  std::vector<std::chrono::milliseconds> sweeps() const {
    std::lock_guard lock(mutex_);
    return sweeps_;
  }

  std::vector<Outbound> outbound() const {
    std::lock_guard lock(mutex_);
    return outbound_;
  }

  std::vector<ingest::ConsentRecord> consents() const {
    std::lock_guard lock(mutex_);
    return consents_;
  }

  std::optional<ingest::MemberRecord> member(const ingest::MemberKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = members_.find(key.member_id);
    if (it == members_.end()) return std::nullopt;
    ingest::MemberRecord record = it->second;
    record.sessions = ActiveSessions(key.member_id);
    return record;
  }

  /// Every session ever written, active or not, by id.
  std::map<std::int64_t, StoredSession> sessions() const {
    std::lock_guard lock(mutex_);
    return sessions_;
  }
  std::vector<ingest::ActionWrite> actions() const {
    std::lock_guard lock(mutex_);
    return actions_;
  }
  std::vector<ingest::InboxWrite> inbox() const {
    std::lock_guard lock(mutex_);
    return inbox_;
  }
  std::vector<ingest::WebhookCallWrite> webhook_calls() const {
    std::lock_guard lock(mutex_);
    return webhook_calls_;
  }
  std::vector<ingest::AuditWrite> audit() const {
    std::lock_guard lock(mutex_);
    return audit_;
  }

  Result<ingest::BatchResult> ProcessBatch(const std::vector<ingest::MemberKey>& keys,
                                           const ingest::ProcessingStore::Decide& decide) {
    std::set<ingest::MemberKey> held;
    ingest::BatchContext context;
    ingest::BatchResult result;
    {
      std::unique_lock lock(mutex_);
      batches_.push_back(keys);
      changed_.notify_all();
      changed_.wait(lock, [this] { return !held_; });
      if (fail_next_ > 0) {
        --fail_next_;
        return MakeError(fail_code_, "fake: injected outage");
      }
      for (const auto& key : keys) {
        auto poison = poison_.find(key);
        if (poison != poison_.end()) return MakeError(poison->second, "fake: refused data");
      }
      held.insert(keys.begin(), keys.end());
      for (const auto& key : held) {
        if (active_[key]++ > 0) ++overlaps_;
      }
      result.more = LoadEvents(held, context);
      context.now = TimePoint(now_);
      for (const auto& key : held) {
        auto it = members_.find(key.member_id);
        if (it == members_.end()) continue;
        ingest::MemberRecord record = it->second;
        record.recent_sends = RecentSends(key.organization_id, key.member_id);
        record.sessions = ActiveSessions(key.member_id);
        context.members.emplace(key.member_id, std::move(record));
      }
    }

    std::optional<ingest::BatchEffects> effects;
    if (!context.events.empty()) effects = decide(context);

    std::lock_guard lock(mutex_);
    for (const auto& key : held) --active_[key];
    changed_.notify_all();
    if (!effects) return result;
    Write(context, *effects, result);
    return result;
  }

  Result<void> Quarantine(const ingest::MemberKey& key) {
    std::lock_guard lock(mutex_);
    quarantined_.push_back(key);
    for (auto& in : inbound_) {
      if (!in.processed && in.member_id == key.member_id) {
        in.processed = true;
        in.outcome = "error";
      }
    }
    for (auto& e : events_) {
      if (!e.processed && e.event.member_id == key.member_id && e.due_at <= now_) {
        e.processed = true;
        e.outcome = "error";
      }
    }
    changed_.notify_all();
    return Ok();
  }

  Result<std::vector<ingest::MemberKey>> FindUnprocessed(std::chrono::milliseconds older_than,
                                                         std::size_t limit) {
    std::lock_guard lock(mutex_);
    sweeps_.push_back(older_than);
    changed_.notify_all();
    std::set<ingest::MemberKey> seen;
    std::vector<ingest::MemberKey> keys;
    auto add = [&](OrganizationId org, MemberId member) {
      if (seen.size() < limit && seen.insert({org, member}).second) keys.push_back({org, member});
    };
    for (const auto& in : inbound_) {
      if (!in.processed && now_ - in.received_at >= older_than) {
        add(in.organization_id, in.member_id);
      }
    }
    for (const auto& e : events_) {
      if (!e.processed && now_ - e.due_at >= older_than) {
        add(e.event.organization_id, e.event.member_id);
      }
    }
    return keys;
  }

  Result<std::vector<ingest::MemberKey>> ClaimDue(std::size_t limit,
                                                  std::chrono::milliseconds lease) {
    std::lock_guard lock(mutex_);
    ++claims_;
    changed_.notify_all();
    std::vector<Event*> due;
    for (auto& e : events_) {
      const bool claimed = e.claimed_until && *e.claimed_until >= now_;
      if (!e.processed && e.due_at <= now_ && !claimed) due.push_back(&e);
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const Event* a, const Event* b) { return a->due_at < b->due_at; });
    if (due.size() > limit) due.resize(limit);
    std::set<ingest::MemberKey> keys;
    for (Event* e : due) {
      e->claimed_until = now_ + lease;
      keys.insert({e->event.organization_id, e->event.member_id});
    }
    return std::vector<ingest::MemberKey>(keys.begin(), keys.end());
  }

 private:
  ingest::MemberRecord& Record(OrganizationId organization, MemberId id, std::string phone) {
    auto [it, created] = members_.try_emplace(id);
    if (created) {
      it->second.id = id;
      it->second.organization_id = organization;
      it->second.phone = phone.empty() ? "+1555" + std::to_string(7000000 + id) : phone;
    }
    return it->second;
  }

  // In time order per member (inbound by arrival, events by due time; inbound first on a tie),
  // members in key order; returns the members with more pending than the batch holds.
  std::vector<ingest::MemberKey> LoadEvents(const std::set<ingest::MemberKey>& held,
                                            ingest::BatchContext& context) const {
    std::vector<ingest::MemberKey> more;
    for (const auto& key : held) {
      std::vector<std::pair<std::pair<std::chrono::milliseconds, int>, ingest::MemberEvent>> rows;
      std::size_t inbound = 0, events = 0;
      for (const auto& in : inbound_) {  // stored in id order
        if (in.processed || in.member_id != key.member_id || inbound == kEventsPerMember) continue;
        ++inbound;
        ingest::MemberEvent e;
        e.kind = ingest::EventKind::kInbound;
        e.id = in.id;
        e.organization_id = in.organization_id;
        e.member_id = in.member_id;
        e.channel_id = in.channel_id;
        e.body = in.body;
        rows.push_back({{in.received_at, 0}, e});
      }
      std::vector<const Event*> due;
      for (const auto& e : events_) {
        if (!e.processed && e.event.member_id == key.member_id && e.due_at <= now_) {
          due.push_back(&e);
        }
      }
      std::stable_sort(due.begin(), due.end(),
                       [](const Event* a, const Event* b) { return a->due_at < b->due_at; });
      for (const Event* e : due) {
        if (events == kEventsPerMember) break;
        ++events;
        rows.push_back({{e->due_at, 1}, e->event});
      }
      std::stable_sort(rows.begin(), rows.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& row : rows) context.events.push_back(std::move(row.second));
      // As PostgreSQL: a full load of either kind may leave more behind.
      if (inbound == kEventsPerMember || events == kEventsPerMember) more.push_back(key);
    }
    return more;
  }

  std::vector<flows::Session> ActiveSessions(MemberId member) const {
    std::vector<flows::Session> out;
    for (const auto& [id, s] : sessions_) {
      if (s.member_id == member && s.session.active) out.push_back(s.session);
    }
    return out;
  }

  std::unordered_map<std::uint32_t, int> RecentSends(OrganizationId organization,
                                                     MemberId member) const {
    auto window = windows_.find(organization);
    const std::chrono::milliseconds within =
        window == windows_.end() ? std::chrono::seconds(3600) : window->second;
    std::unordered_map<std::uint32_t, int> sends;
    for (const auto& out : outbound_) {
      if (out.draft.member_id != member || out.status == "cancelled") continue;
      if (now_ - out.created_at >= within) continue;
      ++sends[out.draft.body_hash];
    }
    return sends;
  }

  void Write(const ingest::BatchContext& context, const ingest::BatchEffects& effects,
             ingest::BatchResult& result) {
    WriteMembers(effects);
    WriteConsent(context, effects);
    const std::vector<std::int64_t> ids = WriteSessions(effects);
    WriteTimers(effects, ids);
    for (auto a : effects.actions) {
      if (a.session) a.session = static_cast<std::size_t>(ids.at(*a.session));
      WriteAction(a);
    }
    WriteInbox(effects);
    for (auto c : effects.webhook_calls) {
      c.session = static_cast<std::size_t>(ids.at(c.session));
      webhook_calls_.push_back(c);
    }
    result.webhook_calls = !effects.webhook_calls.empty();
    audit_.insert(audit_.end(), effects.audit.begin(), effects.audit.end());
    std::set<ChannelId> queued;
    for (const auto& draft : effects.outbound) {
      outbound_.push_back(
          {draft, draft.cancelled ? "cancelled" : "queued", draft.cancel_reason, now_});
      if (!draft.cancelled) queued.insert(draft.channel_id);
    }
    result.outbound_channels.assign(queued.begin(), queued.end());
    MarkProcessed(effects);
  }

  void WriteMembers(const ingest::BatchEffects& effects) {
    for (const auto& u : effects.member_updates) {
      ingest::MemberRecord& m = members_.at(u.member_id);
      if (u.language) m.state.language = *u.language, m.view.language = *u.language;
      if (u.join) m.state.joined = true;
      for (const auto& [name, value] : u.fields) m.view.fields[name] = value;
      for (const auto& tag : u.tags_added) m.view.tags.insert(tag);
      for (const auto& tag : u.tags_removed) m.view.tags.erase(tag);
      for (const auto& slug : u.chapters_joined) {
        if (chapters_.count({u.organization_id, slug})) m.view.chapters.insert(slug);
      }
      for (const auto& slug : u.chapters_left) m.view.chapters.erase(slug);
    }
  }

  void WriteConsent(const ingest::BatchContext& context, const ingest::BatchEffects& effects) {
    consents_.insert(consents_.end(), effects.consents.begin(), effects.consents.end());
    for (const auto& after : effects.opt_outs) {
      routing::MemberState& state = members_.at(after.member_id).state;
      const routing::MemberState& before = context.members.at(after.member_id).state;
      state.opted_out_all = after.all;
      state.opted_out_channels = {after.channels.begin(), after.channels.end()};
      // Like kCancelQueued: a new opt-out stops what is already queued for the member.
      for (auto& out : outbound_) {
        if (out.draft.member_id != after.member_id || out.status != "queued") continue;
        const bool all = after.all && !before.opted_out_all;
        const bool channel = state.opted_out_channels.count(out.draft.channel_id) &&
                             !before.opted_out_channels.count(out.draft.channel_id);
        if (all || channel) {
          out.status = "cancelled";
          out.error_code = "opted_out";
        }
      }
    }
  }

  // Returns the id of each session of the batch (new ones get the next ids), and enforces the
  // schema's rule: at most one active session per member and channel.
  std::vector<std::int64_t> WriteSessions(const ingest::BatchEffects& effects) {
    std::vector<std::int64_t> ids;
    for (const auto& w : effects.sessions) {
      const std::int64_t id = w.session.id != 0 ? w.session.id : next_session_id_++;
      ids.push_back(id);
      StoredSession stored{w.member_id, w.session};
      stored.session.id = id;
      sessions_[id] = stored;
    }
    std::set<std::pair<MemberId, ChannelId>> active;
    for (const auto& [id, s] : sessions_) {
      if (s.session.active && !active.insert({s.member_id, s.session.channel_id}).second) {
        ++duplicate_sessions_;
      }
    }
    return ids;
  }

  void WriteTimers(const ingest::BatchEffects& effects, const std::vector<std::int64_t>& ids) {
    for (std::size_t i = 0; i < effects.sessions.size(); ++i) {
      if (!effects.sessions[i].cancel_stored_timers) continue;
      for (auto& e : events_) {
        if (!e.processed && e.event.kind == ingest::EventKind::kTimer &&
            e.event.session_id == ids[i]) {
          e.processed = true;
          e.outcome = "cancelled";
        }
      }
    }
    for (const auto& t : effects.timers) {
      Event e;
      e.event.kind = ingest::EventKind::kTimer;
      e.event.id = next_event_id_++;
      e.event.organization_id = t.organization_id;
      e.event.member_id = t.member_id;
      e.event.channel_id = t.channel_id;
      e.event.session_id = ids.at(t.session);
      e.event.token = t.request.token;
      e.event.timer = t.request.kind;
      // The fake has no time zones: a local time of day is taken as UTC.
      e.due_at = t.request.until_minute ? NextMinuteOfDay(*t.request.until_minute)
                                        : now_ + t.request.after;
      events_.push_back(std::move(e));
    }
  }

  std::chrono::milliseconds NextMinuteOfDay(int minute) const {
    using std::chrono::milliseconds;
    const milliseconds day = std::chrono::hours(24);
    milliseconds at = (now_ / day) * day + std::chrono::minutes(minute);
    return at <= now_ ? at + day : at;
  }

  // As the schema's actions_one_per_event: one RSVP and one check-in per member and event; a
  // later one changes the value.
  void WriteAction(const ingest::ActionWrite& a) {
    const auto kind = a.action.kind;
    if (a.action.event_id &&
        (kind == flows::ActionKind::kRsvp || kind == flows::ActionKind::kCheckIn)) {
      for (auto& stored : actions_) {
        if (stored.member_id == a.member_id && stored.action.kind == kind &&
            stored.action.event_id == a.action.event_id) {
          stored.action.value = a.action.value;
          return;
        }
      }
    }
    actions_.push_back(a);
  }

  void WriteInbox(const ingest::BatchEffects& effects) {
    for (const auto& w : effects.inbox) {
      inbox_.push_back(w);
      if (w.kind == ingest::InboxWrite::Kind::kClose) {
        ingest::MemberRecord& m = members_.at(w.member_id);
        m.open_conversation = 0;
        m.conversation_channel = 0;
      }
      if (w.kind == ingest::InboxWrite::Kind::kHandOff) {
        ingest::MemberRecord& m = members_.at(w.member_id);
        if (m.open_conversation == 0) {
          m.open_conversation = next_conversation_id_++;
          m.conversation_channel = w.channel_id;
        }
      }
    }
  }

  void MarkProcessed(const ingest::BatchEffects& effects) {
    for (const auto& mark : effects.processed) {
      if (mark.kind == ingest::EventKind::kInbound) {
        for (auto& in : inbound_) {
          if (in.id != mark.id) continue;
          if (in.processed) ++double_processed_;
          in.processed = true;
          in.outcome = routing::OutcomeName(mark.outcome);
          order_[{in.organization_id, in.member_id}].push_back(in.id);
        }
        continue;
      }
      for (auto& e : events_) {
        if (e.event.id != mark.id) continue;
        if (e.processed) ++double_processed_;
        e.processed = true;
        e.outcome = ingest::EventOutcomeName(mark.event_outcome);
      }
    }
  }

  mutable std::recursive_mutex mutex_;
  std::condition_variable_any changed_;
  std::chrono::milliseconds now_{0};
  std::map<OrganizationId, std::chrono::milliseconds> windows_;
  std::set<std::pair<OrganizationId, std::string>> chapters_;
  InboundId next_inbound_id_ = 1;
  std::int64_t next_event_id_ = 1;
  std::int64_t next_session_id_ = 1;
  std::int64_t next_conversation_id_ = 1;
  MemberId next_member_id_ = 100;
  std::vector<Inbound> inbound_;
  std::vector<Event> events_;
  std::map<MemberId, ingest::MemberRecord> members_;
  std::map<std::int64_t, StoredSession> sessions_;
  std::vector<Outbound> outbound_;
  std::vector<ingest::ConsentRecord> consents_;
  std::vector<ingest::ActionWrite> actions_;
  std::vector<ingest::InboxWrite> inbox_;
  std::vector<ingest::WebhookCallWrite> webhook_calls_;
  std::vector<ingest::AuditWrite> audit_;
  bool held_ = false;
  int claims_ = 0;
  int fail_next_ = 0;
  ErrorCode fail_code_ = ErrorCode::kUnavailable;
  std::map<ingest::MemberKey, ErrorCode> poison_;
  std::map<ingest::MemberKey, int> active_;
  int overlaps_ = 0;
  int double_processed_ = 0;
  int duplicate_sessions_ = 0;
  std::map<ingest::MemberKey, std::vector<InboundId>> order_;
  std::vector<std::vector<ingest::MemberKey>> batches_;
  std::vector<ingest::MemberKey> quarantined_;
  std::vector<std::chrono::milliseconds> sweeps_;

 public:
  /// Writes that left two active sessions for one member and channel (the schema refuses them).
  int duplicate_sessions() const {
    std::lock_guard lock(mutex_);
    return duplicate_sessions_;
  }
};

/// One worker's (or the sweeper's) connection to a FakeProcessingDatabase.
class FakeProcessingStore final : public ingest::ProcessingStore {
 public:
  explicit FakeProcessingStore(FakeProcessingDatabase& db) : db_(db) {}

  Result<ingest::BatchResult> ProcessBatch(const std::vector<ingest::MemberKey>& keys,
                                           const Decide& decide) override {
    return db_.ProcessBatch(keys, decide);
  }
  Result<void> Quarantine(const ingest::MemberKey& key) override { return db_.Quarantine(key); }
  Result<std::vector<ingest::MemberKey>> FindUnprocessed(std::chrono::milliseconds older_than,
                                                         std::size_t limit) override {
    return db_.FindUnprocessed(older_than, limit);
  }
  Result<std::vector<ingest::MemberKey>> ClaimDue(std::size_t limit,
                                                  std::chrono::milliseconds lease) override {
    return db_.ClaimDue(limit, lease);
  }

 private:
  FakeProcessingDatabase& db_;
};

inline std::vector<std::unique_ptr<ingest::ProcessingStore>> FakeProcessingWorkers(
    FakeProcessingDatabase& db, int n) {
  std::vector<std::unique_ptr<ingest::ProcessingStore>> workers;
  for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<FakeProcessingStore>(db));
  return workers;
}

}  // namespace chorus::fakes

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
/// production). Follows PgProcessingStore: a batch loads every unprocessed message of its
/// members in id order, creates members for E.164 senders, calls `decide` and writes the
/// effects; a message is processed exactly once. Unlike PostgreSQL it does not make a second
/// batch for the same member wait: it counts the overlap, so a test can assert the processor
/// never asks for one. `decide` runs outside the fake's lock, as it runs outside any other
/// member's transaction. Thread-safe; a recursive lock lets WaitUntil predicates call the
/// accessors. tests/store/contract/processing_contract.hpp holds it to what PostgreSQL does.
class FakeProcessingDatabase {
 public:
  struct Inbound {
    ingest::PendingInbound message;
    std::chrono::milliseconds received_at{0};
    bool processed = false;
    std::string outcome;
    std::optional<MemberId> member_id;
  };

  struct Outbound {
    ingest::OutboundDraft draft;
    std::string status;      // "queued" or "cancelled"
    std::string error_code;  // cancel reason
    std::chrono::milliseconds created_at{0};
  };

  /// The organization's loop-guard window (PostgreSQL reads it from the organization; default
  /// 3600 s as there): recent sends count only messages created inside it.
  void SetLoopGuardWindow(OrganizationId organization, std::chrono::seconds window) {
    std::lock_guard lock(mutex_);
    windows_[organization] = window;
  }

  /// Stores an unprocessed inbound message received at the fake clock's now.
  InboundId AddInbound(OrganizationId organization, ChannelId channel, std::string sender,
                       std::string body, bool sender_is_e164 = true) {
    std::lock_guard lock(mutex_);
    Inbound in;
    in.message.id = next_inbound_id_++;
    in.message.organization_id = organization;
    in.message.channel_id = channel;
    in.message.sender = std::move(sender);
    in.message.sender_is_e164 = sender_is_e164;
    in.message.body = std::move(body);
    in.received_at = now_;
    inbound_.push_back(std::move(in));
    changed_.notify_all();
    return inbound_.back().message.id;
  }

  /// Creates (or replaces) the member for `key` with `state`; returns their id.
  MemberId SetMember(const ingest::MemberKey& key, routing::MemberState state) {
    std::lock_guard lock(mutex_);
    ingest::MemberRecord& record = MemberFor(key);
    record.state = std::move(state);
    return record.id;
  }

  void Advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }

  /// The next `n` ProcessBatch calls fail with `code` (an outage: nothing is written).
  void FailNext(int n, ErrorCode code = ErrorCode::kUnavailable) {
    std::lock_guard lock(mutex_);
    fail_next_ = n;
    fail_code_ = code;
  }

  /// Every batch that includes `key` fails with `code` (a poison message: its data is refused).
  void FailBatchesWith(const ingest::MemberKey& key, ErrorCode code = ErrorCode::kInvalidArgument) {
    std::lock_guard lock(mutex_);
    poison_[KeyString(key)] = code;
  }

  /// Waits (up to `timeout`) until `predicate` holds; it runs under the lock after every change.
  bool WaitUntil(const std::function<bool()>& predicate,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, predicate);
  }

  bool AllProcessed() const {
    std::lock_guard lock(mutex_);
    return std::all_of(inbound_.begin(), inbound_.end(),
                       [](const Inbound& in) { return in.processed; });
  }

  Inbound inbound(InboundId id) const {
    std::lock_guard lock(mutex_);
    for (const auto& in : inbound_) {
      if (in.message.id == id) return in;
    }
    return {};
  }

  /// Keys of every ProcessBatch call, in call order (failed calls included).
  std::vector<std::vector<ingest::MemberKey>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  /// The ids of `key`'s messages in the order batches processed them.
  std::vector<InboundId> processing_order(const ingest::MemberKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = order_.find(KeyString(key));
    return it == order_.end() ? std::vector<InboundId>{} : it->second;
  }

  /// ProcessBatch calls that began while another batch held one of their members.
  int overlaps() const {
    std::lock_guard lock(mutex_);
    return overlaps_;
  }

  /// Messages a batch marked processed although they already were (exactly-once violated).
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
    auto it = members_.find(KeyString(key));
    if (it == members_.end()) return std::nullopt;
    return it->second;
  }

  Result<std::vector<ChannelId>> ProcessBatch(const std::vector<ingest::MemberKey>& keys,
                                              const ingest::ProcessingStore::Decide& decide) {
    std::set<std::string> held;
    ingest::BatchContext context;
    {
      std::lock_guard lock(mutex_);
      batches_.push_back(keys);
      changed_.notify_all();
      if (fail_next_ > 0) {
        --fail_next_;
        return MakeError(fail_code_, "fake: injected outage");
      }
      for (const auto& key : keys) {
        auto poison = poison_.find(KeyString(key));
        if (poison != poison_.end()) return MakeError(poison->second, "fake: refused data");
      }
      for (const auto& key : keys) held.insert(KeyString(key));
      for (const auto& key : held) {
        if (active_[key]++ > 0) ++overlaps_;
      }
      for (const auto& in : inbound_) {  // stored in id order
        const std::string key = KeyString(in.message.organization_id, in.message.sender);
        if (!in.processed && held.count(key)) context.messages.push_back(in.message);
      }
      for (const auto& message : context.messages) {
        if (!message.sender_is_e164) continue;
        const ingest::MemberKey key{message.organization_id, message.sender};
        ingest::MemberRecord record = MemberFor(key);
        record.recent_sends = RecentSends(message.organization_id, record.id);
        context.members.emplace(KeyString(key), std::move(record));
      }
    }

    std::optional<ingest::BatchEffects> effects;
    if (!context.messages.empty()) effects = decide(context);

    std::lock_guard lock(mutex_);
    for (const auto& key : held) --active_[key];
    changed_.notify_all();
    if (!effects) return std::vector<ChannelId>{};
    return Write(context, *effects);
  }

  Result<void> Quarantine(const ingest::MemberKey& key) {
    std::lock_guard lock(mutex_);
    quarantined_.push_back(key);
    for (auto& in : inbound_) {
      if (!in.processed &&
          KeyString(in.message.organization_id, in.message.sender) == KeyString(key)) {
        in.processed = true;
        in.outcome = "error";
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
    std::vector<ingest::MemberKey> keys;
    std::set<std::string> seen;
    for (const auto& in : inbound_) {
      if (in.processed || now_ - in.received_at < older_than) continue;
      if (seen.size() >= limit) break;
      if (seen.insert(KeyString(in.message.organization_id, in.message.sender)).second) {
        keys.push_back({in.message.organization_id, in.message.sender});
      }
    }
    return keys;
  }

 private:
  static std::string KeyString(OrganizationId organization, const std::string& sender) {
    return ingest::MemberKeyString(organization, sender);
  }
  static std::string KeyString(const ingest::MemberKey& key) {
    return KeyString(key.organization_id, key.sender);
  }

  ingest::MemberRecord& MemberFor(const ingest::MemberKey& key) {
    auto [it, created] = members_.try_emplace(KeyString(key));
    if (created) it->second.id = next_member_id_++;
    return it->second;
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

  std::vector<ChannelId> Write(const ingest::BatchContext& context,
                               const ingest::BatchEffects& effects) {
    std::map<MemberId, std::string> key_of;
    for (const auto& [key, record] : context.members) key_of[record.id] = key;
    for (const auto& u : effects.member_updates) {
      routing::MemberState& state = members_.at(key_of.at(u.member_id)).state;
      if (u.language) state.language = *u.language;
      if (u.join) state.joined = true;
    }
    consents_.insert(consents_.end(), effects.consents.begin(), effects.consents.end());
    for (const auto& after : effects.opt_outs) {
      routing::MemberState& state = members_.at(key_of.at(after.member_id)).state;
      const routing::MemberState before = state;
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
    std::set<ChannelId> queued;
    for (const auto& draft : effects.outbound) {
      outbound_.push_back(
          {draft, draft.cancelled ? "cancelled" : "queued", draft.cancel_reason, now_});
      if (!draft.cancelled) queued.insert(draft.channel_id);
    }
    for (const auto& mark : effects.processed) {
      for (auto& in : inbound_) {
        if (in.message.id != mark.inbound_id) continue;
        if (in.processed) ++double_processed_;
        in.processed = true;
        in.outcome = mark.outcome;
        in.member_id = mark.member_id;
        order_[KeyString(in.message.organization_id, in.message.sender)].push_back(in.message.id);
      }
    }
    return std::vector<ChannelId>(queued.begin(), queued.end());
  }

  mutable std::recursive_mutex mutex_;
  std::condition_variable_any changed_;
  std::chrono::milliseconds now_{0};
  std::map<OrganizationId, std::chrono::milliseconds> windows_;
  InboundId next_inbound_id_ = 1;
  MemberId next_member_id_ = 100;
  std::vector<Inbound> inbound_;
  std::map<std::string, ingest::MemberRecord> members_;
  std::vector<Outbound> outbound_;
  std::vector<ingest::ConsentRecord> consents_;
  int fail_next_ = 0;
  ErrorCode fail_code_ = ErrorCode::kUnavailable;
  std::map<std::string, ErrorCode> poison_;
  std::map<std::string, int> active_;
  int overlaps_ = 0;
  int double_processed_ = 0;
  std::map<std::string, std::vector<InboundId>> order_;
  std::vector<std::vector<ingest::MemberKey>> batches_;
  std::vector<ingest::MemberKey> quarantined_;
  std::vector<std::chrono::milliseconds> sweeps_;
};

/// One worker's (or the sweeper's) connection to a FakeProcessingDatabase.
class FakeProcessingStore final : public ingest::ProcessingStore {
 public:
  explicit FakeProcessingStore(FakeProcessingDatabase& db) : db_(db) {}

  Result<std::vector<ChannelId>> ProcessBatch(const std::vector<ingest::MemberKey>& keys,
                                              const Decide& decide) override {
    return db_.ProcessBatch(keys, decide);
  }
  Result<void> Quarantine(const ingest::MemberKey& key) override { return db_.Quarantine(key); }
  Result<std::vector<ingest::MemberKey>> FindUnprocessed(std::chrono::milliseconds older_than,
                                                         std::size_t limit) override {
    return db_.FindUnprocessed(older_than, limit);
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

#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/delivery_status.hpp"
#include "core/result.hpp"
#include "dispatch/outbox_store.hpp"

namespace chorus::fakes {

/// The outbox behind any number of FakeOutboxStore handles. Follows the OutboxStore contract
/// (tests/store/contract/outbox_contract.hpp runs against both): Claim takes due queued
/// messages of a channel (priority, then id) that are the head of their member's queue, skips
/// those to opted-out members (a compliance message only by a newer opt-out: 'cancelled', or
/// 'unknown' when an earlier attempt may have reached the carrier), leases the rest (status
/// 'sending', attempts + 1), so no message is ever claimed twice while leased; results are
/// fenced by attempt; a carrier opt-out records an opt-out and cancels what is queued for the
/// member on that channel. Time is a fake clock that only Advance() moves.
/// Thread-safe; a recursive lock lets WaitUntil predicates call the accessors.
class FakeOutboxDatabase {
 public:
  using Seconds = std::chrono::seconds;

  struct NewMessage {
    OrganizationId organization_id = 1;
    ChannelId channel_id = 10;
    MemberId member_id = 1;
    std::string recipient = "+15550100001";
    std::string body = "hello";
    int segments = 1;
    bool compliance = false;
    int priority = 0;
    int attempts = 0;  // attempts already made
    bool outcome_unknown = false;
  };

  struct Message {
    dispatch::ClaimedMessage fields;  // attempt: attempts made so far
    bool compliance = false;
    int priority = 0;
    DeliveryStatus status = DeliveryStatus::kQueued;
    Seconds next_attempt_at{0};
    Seconds lease_until{0};
    std::string lease_owner;
    std::string carrier_message_id;
    std::string error_code;
    std::string error_message;
    std::int64_t created = 0;  // sequence, to order opt-outs against messages
    bool outcome_unknown = false;
  };

  struct ClaimCall {
    ChannelId channel = 0;
    int limit = 0;
    std::string owner;
    Seconds lease{0};
    std::vector<OutboundId> returned;
  };

  struct OptOut {
    OrganizationId organization_id = 0;
    MemberId member_id = 0;
    std::optional<ChannelId> channel_id;  // nullopt: the whole organization
    std::int64_t created = 0;
  };

  OutboundId Enqueue(NewMessage m) {
    std::lock_guard lock(mutex_);
    Message message;
    message.fields.id = next_id_++;
    message.fields.organization_id = m.organization_id;
    message.fields.channel_id = m.channel_id;
    message.fields.member_id = m.member_id;
    message.fields.recipient = std::move(m.recipient);
    message.fields.body = std::move(m.body);
    message.fields.segments = m.segments;
    message.fields.attempt = m.attempts;
    message.outcome_unknown = m.outcome_unknown;
    message.fields.created_at = std::chrono::system_clock::time_point(now_);
    message.compliance = m.compliance;
    message.priority = m.priority;
    message.next_attempt_at = now_;
    message.created = sequence_++;
    const OutboundId id = message.fields.id;
    messages_.emplace(id, std::move(message));
    changed_.notify_all();
    return id;
  }

  void AddOptOut(OrganizationId organization, MemberId member, std::optional<ChannelId> channel) {
    std::lock_guard lock(mutex_);
    opt_outs_.push_back({organization, member, channel, sequence_++});
  }

  void Advance(Seconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }

  /// Every lease taken so far has run out (without moving the clock).
  void ExpireLeases() {
    std::lock_guard lock(mutex_);
    for (auto& [id, m] : messages_) {
      if (m.status == DeliveryStatus::kSending) m.lease_until = now_ - Seconds(1);
    }
  }
  /// Every scheduled retry is due now (without moving the clock).
  void MakeRetriesDue() {
    std::lock_guard lock(mutex_);
    for (auto& [id, m] : messages_) {
      if (m.status == DeliveryStatus::kQueued) m.next_attempt_at = std::min(m.next_attempt_at, now_);
    }
  }
  /// Opt-outs recorded because the carrier refused a member (source "carrier").
  int CarrierOptOutEvents(MemberId member) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count(carrier_opt_out_events_.begin(),
                                        carrier_opt_out_events_.end(), member));
  }

  void FailNextClaims(int n, ErrorCode code = ErrorCode::kUnavailable) {
    std::lock_guard lock(mutex_);
    fail_claims_ = n;
    fail_code_ = code;
  }
  void FailNextRecords(int n, ErrorCode code = ErrorCode::kUnavailable) {
    std::lock_guard lock(mutex_);
    fail_records_ = n;
    fail_code_ = code;
  }

  bool WaitUntil(const std::function<bool()>& predicate,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, predicate);
  }

  Message message(OutboundId id) const {
    std::lock_guard lock(mutex_);
    return messages_.at(id);
  }
  DeliveryStatus status(OutboundId id) const { return message(id).status; }
  std::size_t CountWithStatus(DeliveryStatus status) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(messages_.begin(), messages_.end(),
                      [&](const auto& m) { return m.second.status == status; }));
  }
  std::vector<ClaimCall> claim_calls() const {
    std::lock_guard lock(mutex_);
    return claim_calls_;
  }
  /// Every record RecordResults received, applied or fenced off, in order.
  std::vector<dispatch::SendRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }
  /// Records ignored because their lease was lost (attempt or status no longer matched).
  int fenced() const {
    std::lock_guard lock(mutex_);
    return fenced_;
  }
  int due_calls() const {
    std::lock_guard lock(mutex_);
    return due_calls_;
  }
  std::vector<OptOut> opt_outs() const {
    std::lock_guard lock(mutex_);
    return opt_outs_;
  }

  Result<dispatch::ClaimBatch> Claim(ChannelId channel, int limit, std::string_view owner,
                                     Seconds lease) {
    std::lock_guard lock(mutex_);
    ClaimCall call{channel, limit, std::string(owner), lease, {}};
    if (fail_claims_ > 0) {
      --fail_claims_;
      claim_calls_.push_back(std::move(call));
      changed_.notify_all();
      return MakeError(fail_code_, "fake: injected claim failure");
    }
    std::vector<Message*> due;
    for (auto& [id, m] : messages_) {
      if (m.fields.channel_id == channel && m.status == DeliveryStatus::kQueued &&
          m.next_attempt_at <= now_ && IsHead(m)) {
        due.push_back(&m);
      }
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const Message* a, const Message* b) { return a->priority < b->priority; });
    if (static_cast<int>(due.size()) > limit) due.resize(std::max(0, limit));
    dispatch::ClaimBatch claimed;
    claimed.examined = static_cast<int>(due.size());
    for (Message* m : due) {
      const bool blocked = Blocked(*m);
      if (blocked && !m->outcome_unknown) {
        m->status = DeliveryStatus::kCancelled;
        m->error_code = "opted_out";
        continue;
      }
      // Blocked but perhaps already at the carrier: leased, for a lookup only.
      if (blocked) m->error_code = "opted_out";
      m->fields.lookup_only = blocked;
      m->fields.outcome_unknown = m->outcome_unknown;
      m->status = DeliveryStatus::kSending;
      m->fields.attempt += 1;
      m->lease_owner = std::string(owner);
      m->lease_until = now_ + lease;
      claimed.messages.push_back(m->fields);
      call.returned.push_back(m->fields.id);
    }
    claim_calls_.push_back(std::move(call));
    changed_.notify_all();
    return claimed;
  }

  Result<void> RecordResults(const std::vector<dispatch::SendRecord>& records) {
    std::lock_guard lock(mutex_);
    if (fail_records_ > 0) {
      --fail_records_;
      changed_.notify_all();
      return MakeError(fail_code_, "fake: injected record failure");
    }
    for (const auto& r : records) {
      records_.push_back(r);
      auto it = messages_.find(r.id);
      if (it == messages_.end() || it->second.status != DeliveryStatus::kSending ||
          it->second.fields.attempt != r.attempt) {
        ++fenced_;
        continue;
      }
      Message& m = it->second;
      m.lease_owner.clear();
      m.error_code = r.error_code;
      m.error_message = r.error_message;
      switch (r.action) {
        case dispatch::SendAction::kAccepted:
          m.status = r.status;
          m.carrier_message_id = r.carrier_message_id;
          m.error_code.clear();
          m.error_message.clear();
          m.outcome_unknown = false;
          break;
        case dispatch::SendAction::kRetry:
          m.status = DeliveryStatus::kQueued;
          m.next_attempt_at = now_ + r.retry_in;
          m.outcome_unknown = m.outcome_unknown || r.outcome_unknown;
          break;
        case dispatch::SendAction::kFailed:
          m.status = DeliveryStatus::kFailed;
          break;
        case dispatch::SendAction::kCancelled:
          m.status = DeliveryStatus::kCancelled;
          m.outcome_unknown = false;  // the carrier said it never had it
          break;
        case dispatch::SendAction::kUnknown:
          m.status = DeliveryStatus::kUnknown;
          break;
        case dispatch::SendAction::kOptedOutAtCarrier:
          m.status = DeliveryStatus::kFailed;
          carrier_opt_out_events_.push_back(m.fields.member_id);
          // One opt-out per member and channel, as the schema's unique key keeps it.
          if (std::none_of(opt_outs_.begin(), opt_outs_.end(), [&](const OptOut& o) {
                return o.organization_id == m.fields.organization_id &&
                       o.member_id == m.fields.member_id && o.channel_id == m.fields.channel_id;
              })) {
            opt_outs_.push_back(
                {m.fields.organization_id, m.fields.member_id, m.fields.channel_id, sequence_++});
          }
          for (auto& [id, other] : messages_) {
            if (other.fields.member_id == m.fields.member_id &&
                other.fields.channel_id == m.fields.channel_id &&
                other.status == DeliveryStatus::kQueued && !other.outcome_unknown) {
              other.status = DeliveryStatus::kCancelled;
              other.error_code = "opted_out";
            }
          }
          break;
      }
    }
    changed_.notify_all();
    return Ok();
  }

  Result<std::vector<std::pair<ChannelId, std::int64_t>>> DueChannels() {
    std::lock_guard lock(mutex_);
    ++due_calls_;
    std::map<ChannelId, std::int64_t> due;
    for (const auto& [id, m] : messages_) {
      if (m.status == DeliveryStatus::kQueued && m.next_attempt_at <= now_)
        ++due[m.fields.channel_id];
    }
    changed_.notify_all();
    return std::vector<std::pair<ChannelId, std::int64_t>>(due.begin(), due.end());
  }

  Result<std::int64_t> RecoverExpiredLeases() {
    std::lock_guard lock(mutex_);
    std::int64_t recovered = 0;
    for (auto& [id, m] : messages_) {
      if (m.status == DeliveryStatus::kSending && m.lease_until < now_) {
        m.status = DeliveryStatus::kQueued;
        m.lease_owner.clear();
        m.next_attempt_at = now_;
        m.error_code = "lease_expired";
        m.outcome_unknown = true;
        ++recovered;
      }
    }
    changed_.notify_all();
    return recovered;
  }

  Result<std::int64_t> RecoverOwnLeases(std::string_view owner) {
    std::lock_guard lock(mutex_);
    std::int64_t recovered = 0;
    for (auto& [id, m] : messages_) {
      if (m.status == DeliveryStatus::kSending && m.lease_owner == owner) {
        m.status = DeliveryStatus::kQueued;
        m.lease_owner.clear();
        m.next_attempt_at = now_;
        m.error_code = "lease_recovered";
        m.outcome_unknown = true;
        ++recovered;
      }
    }
    changed_.notify_all();
    return recovered;
  }

 private:
  // The head-of-line rule of the contract: nothing in flight for the member on any channel,
  // nothing queued before it on its channel with equal or better priority.
  bool IsHead(const Message& m) const {
    for (const auto& [id, p] : messages_) {
      if (id == m.fields.id || p.fields.organization_id != m.fields.organization_id ||
          p.fields.member_id != m.fields.member_id) {
        continue;
      }
      if (p.status == DeliveryStatus::kSending) return false;
      if (p.status == DeliveryStatus::kQueued && p.fields.channel_id == m.fields.channel_id &&
          std::make_pair(p.priority, id) < std::make_pair(m.priority, m.fields.id)) {
        return false;
      }
    }
    return true;
  }

  bool Blocked(const Message& m) const {
    return std::any_of(opt_outs_.begin(), opt_outs_.end(), [&](const OptOut& o) {
      return o.organization_id == m.fields.organization_id && o.member_id == m.fields.member_id &&
             (!o.channel_id || *o.channel_id == m.fields.channel_id) &&
             (!m.compliance || o.created > m.created);
    });
  }

  mutable std::recursive_mutex mutex_;
  std::condition_variable_any changed_;
  Seconds now_{0};
  OutboundId next_id_ = 1;
  std::int64_t sequence_ = 0;
  std::map<OutboundId, Message> messages_;  // by id: claim order within a priority
  std::vector<OptOut> opt_outs_;
  std::vector<MemberId> carrier_opt_out_events_;
  std::vector<ClaimCall> claim_calls_;
  std::vector<dispatch::SendRecord> records_;
  int fenced_ = 0;
  int due_calls_ = 0;
  int fail_claims_ = 0;
  int fail_records_ = 0;
  ErrorCode fail_code_ = ErrorCode::kUnavailable;
};

/// One thread's connection to a FakeOutboxDatabase.
class FakeOutboxStore final : public dispatch::OutboxStore {
 public:
  explicit FakeOutboxStore(FakeOutboxDatabase& db) : db_(db) {}

  Result<dispatch::ClaimBatch> Claim(ChannelId channel, int limit, std::string_view owner,
                                     std::chrono::seconds lease,
                                     double /*segments_per_second*/ = 0) override {
    return db_.Claim(channel, limit, owner, lease);
  }
  Result<void> RecordResults(const std::vector<dispatch::SendRecord>& records) override {
    return db_.RecordResults(records);
  }
  Result<std::vector<std::pair<ChannelId, std::int64_t>>> DueChannels() override {
    return db_.DueChannels();
  }
  Result<std::int64_t> RecoverExpiredLeases() override { return db_.RecoverExpiredLeases(); }
  Result<std::int64_t> RecoverOwnLeases(std::string_view owner) override {
    return db_.RecoverOwnLeases(owner);
  }

 private:
  FakeOutboxDatabase& db_;
};

}  // namespace chorus::fakes

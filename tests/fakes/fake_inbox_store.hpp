#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "core/delivery_status.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "ingest/inbox_store.hpp"

namespace chorus::fakes {

/// The database behind any number of FakeInboxStore handles (one per writer thread, as in
/// production). Enforces the schema's uniqueness: inbound per (organization, channel, carrier
/// message id), status reports per (organization, channel, carrier message id, raw status); a
/// refused batch stores nothing (one transaction). Reports move the sent messages it knows
/// (AddSent) forward only, the best status of a batch first. A new inbound message from an E.164
/// sender gets the sender's member (created on first sight, per organization and number).
/// Thread-safe.
/// tests/store/contract/inbox_contract.hpp holds it to what PostgreSQL does.
class FakeInboxDatabase {
 public:
  struct Sent {
    OrganizationId organization_id = 0;
    ChannelId channel_id = 0;
    std::string carrier_message_id;
    DeliveryStatus status = DeliveryStatus::kAccepted;
    std::string error_code;
  };

  /// A message the carrier took under `carrier_message_id`, for reports to move.
  OutboundId AddSent(OrganizationId organization, ChannelId channel, std::string carrier_message_id,
                     DeliveryStatus status) {
    std::lock_guard lock(mutex_);
    sent_.push_back({organization, channel, std::move(carrier_message_id), status, {}});
    return static_cast<OutboundId>(sent_.size());
  }
  Sent sent(OutboundId id) const {
    std::lock_guard lock(mutex_);
    return sent_.at(static_cast<std::size_t>(id - 1));
  }

  /// The next `n` StoreBatch calls fail with `code` and store nothing.
  void FailNext(int n, ErrorCode code) {
    std::lock_guard lock(mutex_);
    fail_next_ = n;
    fail_code_ = code;
  }

  /// Every batch holding an inbound or status item with this carrier message id is refused
  /// with `code` (as PostgreSQL refuses a whole statement for one bad row).
  void RefuseCarrierMessageId(std::string carrier_message_id,
                              ErrorCode code = ErrorCode::kInvalidArgument) {
    std::lock_guard lock(mutex_);
    refused_[std::move(carrier_message_id)] = code;
  }

  /// While closed, StoreBatch calls wait inside the store (a slow commit). Open() lets them go.
  void Close() {
    std::lock_guard lock(mutex_);
    gate_open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      gate_open_ = true;
    }
    changed_.notify_all();
  }

  /// Waits until `n` StoreBatch calls have started (they may be held at the gate).
  bool WaitForCalls(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
  }

  /// Every StoreBatch call, in order, with its items (failed calls included).
  std::vector<std::vector<ingest::WebhookItem>> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<ingest::InboundItem> inbound() const {
    std::lock_guard lock(mutex_);
    return inbound_;
  }
  std::vector<ingest::StatusItem> statuses() const {
    std::lock_guard lock(mutex_);
    return statuses_;
  }

  /// The member created for `phone` in `organization` (0 when none).
  MemberId member(OrganizationId organization, const std::string& phone) const {
    std::lock_guard lock(mutex_);
    auto it = members_.find({organization, phone});
    return it == members_.end() ? 0 : it->second;
  }

  Result<ingest::StoredBatch> StoreBatch(const std::vector<ingest::WebhookItem>& items) {
    std::unique_lock lock(mutex_);
    calls_.push_back(items);
    changed_.notify_all();
    changed_.wait(lock, [&] { return gate_open_; });
    if (fail_next_ > 0) {
      --fail_next_;
      return MakeError(fail_code_, "fake: injected failure");
    }
    for (const auto& item : items) {
      auto it = refused_.find(CarrierMessageId(item));
      if (it != refused_.end()) return MakeError(it->second, "fake: refused row");
    }
    // Decide everything first so a refused batch could not have stored half of itself.
    std::vector<bool> fresh(items.size(), false);
    auto inbound_keys = inbound_keys_;
    auto status_keys = status_keys_;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (const auto* in = std::get_if<ingest::InboundItem>(&items[i])) {
        fresh[i] = inbound_keys.emplace(in->organization_id, in->channel_id, in->carrier_message_id)
                       .second;
      } else {
        const auto& st = std::get<ingest::StatusItem>(items[i]);
        fresh[i] =
            status_keys
                .emplace(st.organization_id, st.channel_id, st.carrier_message_id, st.raw_status)
                .second;
      }
    }
    inbound_keys_ = std::move(inbound_keys);
    status_keys_ = std::move(status_keys);
    MoveSentForward(items);
    ingest::StoredBatch out{fresh, std::vector<MemberId>(items.size(), 0)};
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (const auto* in = std::get_if<ingest::InboundItem>(&items[i])) {
        // PostgreSQL creates the member of every E.164 sender of the batch, repeats included.
        const MemberId member = in->sender_is_e164 ? MemberFor(*in) : 0;
        if (!fresh[i]) continue;
        out.members[i] = member;
        inbound_.push_back(*in);
      } else if (fresh[i]) {
        statuses_.push_back(std::get<ingest::StatusItem>(items[i]));
      }
    }
    return out;
  }

 private:
  // Every report of the batch counts, new or not (a repeat moves nothing it did not move).
  void MoveSentForward(const std::vector<ingest::WebhookItem>& items) {
    std::map<std::tuple<OrganizationId, ChannelId, std::string>, const ingest::StatusItem*> best;
    for (const auto& item : items) {
      const auto* st = std::get_if<ingest::StatusItem>(&item);
      if (st == nullptr) continue;
      auto& slot = best[{st->organization_id, st->channel_id, st->carrier_message_id}];
      if (slot == nullptr || StatusRank(st->status) > StatusRank(slot->status)) slot = st;
    }
    for (auto& sent : sent_) {
      auto it = best.find({sent.organization_id, sent.channel_id, sent.carrier_message_id});
      if (it == best.end() || StatusRank(it->second->status) <= StatusRank(sent.status)) continue;
      sent.status = it->second->status;
      if (!it->second->error_code.empty()) sent.error_code = it->second->error_code;
    }
  }

  MemberId MemberFor(const ingest::InboundItem& in) {
    auto [it, created] = members_.try_emplace({in.organization_id, in.sender}, next_member_);
    if (created) ++next_member_;
    return it->second;
  }

  static const std::string& CarrierMessageId(const ingest::WebhookItem& item) {
    return std::visit([](const auto& i) -> const std::string& { return i.carrier_message_id; },
                      item);
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool gate_open_ = true;
  int fail_next_ = 0;
  ErrorCode fail_code_ = ErrorCode::kUnavailable;
  std::map<std::string, ErrorCode> refused_;
  std::set<std::tuple<OrganizationId, ChannelId, std::string>> inbound_keys_;
  std::set<std::tuple<OrganizationId, ChannelId, std::string, std::string>> status_keys_;
  std::vector<ingest::InboundItem> inbound_;
  std::vector<ingest::StatusItem> statuses_;
  std::vector<std::vector<ingest::WebhookItem>> calls_;
  std::vector<Sent> sent_;
  std::map<std::pair<OrganizationId, std::string>, MemberId> members_;
  MemberId next_member_ = 1000;
};

/// One writer's connection to a FakeInboxDatabase.
class FakeInboxStore final : public ingest::InboxStore {
 public:
  explicit FakeInboxStore(FakeInboxDatabase& db) : db_(db) {}
  Result<ingest::StoredBatch> StoreBatch(const std::vector<ingest::WebhookItem>& items) override {
    return db_.StoreBatch(items);
  }

 private:
  FakeInboxDatabase& db_;
};

inline std::vector<std::unique_ptr<ingest::InboxStore>> FakeInboxWriters(FakeInboxDatabase& db,
                                                                         int n) {
  std::vector<std::unique_ptr<ingest::InboxStore>> writers;
  for (int i = 0; i < n; ++i) writers.push_back(std::make_unique<FakeInboxStore>(db));
  return writers;
}

}  // namespace chorus::fakes

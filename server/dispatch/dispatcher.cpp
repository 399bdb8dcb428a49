#include "dispatch/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace chorus::dispatch {
namespace {

// The result names of on_send, in SendResultNames() order.
constexpr std::string_view kResultNames[] = {"accepted", "retry",     "failed",
                                             "opted_out", "cancelled", "unknown",
                                             "found",    "lookup_not_found", "lookup_failed"};

std::string_view ResultName(SendAction action) {
  switch (action) {
    case SendAction::kAccepted: return kResultNames[0];
    case SendAction::kRetry: return kResultNames[1];
    case SendAction::kFailed: return kResultNames[2];
    case SendAction::kOptedOutAtCarrier: return kResultNames[3];
    case SendAction::kCancelled: return kResultNames[4];
    case SendAction::kUnknown: return kResultNames[5];
  }
  return kResultNames[2];
}

// A lookup's answer (carriers::LookupOutcome::found, in its enum order).
std::string_view LookupName(int found) { return kResultNames[6 + found]; }

constexpr std::size_t kMaxRecordBatch = 512;
constexpr std::chrono::seconds kLookupSlack{5};

}  // namespace

std::span<const std::string_view> SendResultNames() { return kResultNames; }

Dispatcher::Dispatcher(std::unique_ptr<OutboxStore> claimer, std::unique_ptr<OutboxStore> recorder,
                       transport::Transport& transport, const carriers::Registry& carriers,
                       SnapshotSource snapshot, DispatcherOptions options)
    : claimer_(std::move(claimer)),
      recorder_(std::move(recorder)),
      transport_(transport),
      carriers_(carriers),
      snapshot_(std::move(snapshot)),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() { Stop(std::chrono::milliseconds(0)); }

void Dispatcher::Start() {
  // A node restarted under the same id takes back what its previous run left in flight, before
  // it claims anything: those messages need not wait for their leases to expire.
  auto recovered = claimer_->RecoverOwnLeases(options_.node_id);
  if (!recovered.ok()) {
    spdlog::warn("dispatch.recover_own_leases_failed code={} (left to lease expiry)",
                 ErrorCodeName(recovered.error().code));
  } else if (*recovered > 0) {
    spdlog::warn("dispatch.recovered_own_leases count={}", *recovered);
  }
  claim_thread_ = std::thread([this] { ClaimLoop(); });
  record_thread_ = std::thread([this] { RecordLoop(); });
}

void Dispatcher::Notify(const std::vector<ChannelId>& channels) {
  {
    std::lock_guard lock(mutex_);
    for (ChannelId c : channels) {
      pending_.insert(c);
      dirty_.insert(c);
    }
    notified_ = true;
  }
  wake_.notify_one();
}

void Dispatcher::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !claim_thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (claim_thread_.joinable()) claim_thread_.join();
  {
    std::unique_lock lock(mutex_);
    drained_.wait_for(lock, deadline, [this] { return in_flight_ == 0; });
    if (in_flight_ > 0) {
      spdlog::warn("dispatch.stop_with_sends_in_flight count={} (recovered after the lease)",
                   in_flight_);
    }
    recorder_stopping_ = true;
  }
  results_ready_.notify_all();
  if (record_thread_.joinable()) record_thread_.join();
}

void Dispatcher::ClaimLoop() {
  auto next_wake = SteadyClock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, next_wake, [this] { return stopping_ || notified_; });
    if (stopping_) return;
    notified_ = false;
    lock.unlock();
    next_wake = ClaimRound(SteadyClock::now());
    lock.lock();
  }
}

void Dispatcher::Poll(SteadyClock::time_point now) {
  if (now >= next_recover_) {
    next_recover_ = now + options_.recover_interval;
    auto recovered = claimer_->RecoverExpiredLeases();
    if (recovered.ok() && *recovered > 0) {
      spdlog::warn("dispatch.recovered_expired_leases count={}", *recovered);
      next_poll_ = now;
    }
  }
  if (now < next_poll_) return;
  next_poll_ = now + options_.poll_interval;
  auto due = claimer_->DueChannels();
  if (!due.ok()) return;
  std::int64_t depth = 0;
  std::lock_guard lock(mutex_);
  for (const auto& [channel, count] : due.value()) {
    pending_.insert(channel);
    depth += count;
  }
  if (options_.on_depth) options_.on_depth(depth);
}

Dispatcher::SteadyClock::time_point Dispatcher::ClaimRound(SteadyClock::time_point now) {
  Poll(now);
  std::vector<ChannelId> channels;
  {
    std::lock_guard lock(mutex_);
    channels.assign(pending_.begin(), pending_.end());
    for (ChannelId c : channels) dirty_.erase(c);
  }
  SteadyClock::time_point next_wake = std::min(next_poll_, next_recover_);
  const workspace::SnapshotPtr snapshot = snapshot_();
  for (ChannelId id : channels) {
    const Channel* channel = snapshot->ChannelById(id);
    const ChannelState state =
        channel == nullptr ? ChannelState::kDrained : ClaimChannel(*channel, now, next_wake);
    if (state == ChannelState::kMore) next_wake = now;  // go again at once
    if (state != ChannelState::kDrained) continue;
    std::lock_guard lock(mutex_);
    if (!dirty_.count(id)) pending_.erase(id);
  }
  return next_wake;
}

Dispatcher::ChannelState Dispatcher::ClaimChannel(const Channel& channel,
                                                  SteadyClock::time_point now,
                                                  SteadyClock::time_point& next_wake) {
  const double rate = channel.segments_per_second;
  auto [it, created] = buckets_.try_emplace(channel.id, rate, rate, now);
  if (!created) it->second.SetRate(rate, rate);
  TokenBucket& bucket = it->second;

  const int available = bucket.Available(now);
  if (available == 0) {
    next_wake = std::min(next_wake, now + bucket.TimeUntilAvailable(now));
    return ChannelState::kWaiting;
  }
  std::size_t capacity = 0;
  {
    std::lock_guard lock(mutex_);
    capacity = options_.max_in_flight - std::min(options_.max_in_flight, in_flight_);
    // Each channel with due work gets an equal share of the sends in flight: a channel with
    // 100,000 messages queued (a timer burst, a broadcast) cannot take every slot and make
    // the replies of another channel wait behind it in the HTTP client's queue.
    const std::size_t share = std::max<std::size_t>(
        1, options_.max_in_flight / std::max<std::size_t>(1, pending_.size()));
    const std::size_t mine = in_flight_by_channel_[channel.id];
    capacity = std::min(capacity, share > mine ? share - mine : 0);
  }
  if (capacity == 0) return ChannelState::kWaiting;  // a finishing send wakes us
  const int limit = std::min({available, static_cast<int>(capacity), options_.max_claim});
  auto claimed = claimer_->Claim(channel.id, limit, options_.node_id, options_.lease,
                                 options_.shared_throughput ? rate : 0);
  if (!claimed.ok()) {
    spdlog::warn("dispatch.claim_failed channel={} code={}", channel.id,
                 ErrorCodeName(claimed.error().code));
    next_wake = std::min(next_wake, now + std::chrono::seconds(1));
    return ChannelState::kWaiting;
  }
  if (claimed->throttled_for.count() > 0) {
    // Other nodes drew the channel's tokens: come back when one is due.
    next_wake = std::min(next_wake, now + claimed->throttled_for);
    return ChannelState::kWaiting;
  }
  const carriers::Carrier* carrier = carriers_.Find(channel.carrier);
  for (ClaimedMessage& message : claimed->messages) {
    if (!message.lookup_only) bucket.Take(message.segments, now);  // a lookup sends nothing
    StartSend(channel, carrier, std::move(message));
  }
  const int asked = claimed->limited_to > 0 ? claimed->limited_to : limit;
  return claimed->examined == asked ? ChannelState::kMore : ChannelState::kDrained;
}

void Dispatcher::StartSend(const Channel& channel, const carriers::Carrier* carrier,
                           ClaimedMessage message) {
  {
    std::lock_guard lock(mutex_);
    ++in_flight_;
    ++in_flight_by_channel_[channel.id];
  }
  if (carrier == nullptr) {
    // A channel of a carrier this build does not speak (a newer node wrote it, or the adapter
    // was removed): fail the message with the reason rather than guess.
    carriers::SendOutcome outcome;
    outcome.result = carriers::SendResult::kPermanentFailure;
    outcome.error_code = "carrier_not_registered";
    outcome.error_message = "no carrier adapter for this channel's carrier";
    spdlog::error("dispatch.carrier_not_registered outbound={} channel={}", message.id,
                  channel.id);
    Finish(ToRecord(message, outcome));
    return;
  }
  carriers::SendRequest request;
  request.outbound_id = message.id;
  request.to = message.recipient;
  request.body = message.body;
  request.status_callback_url =
      carriers::WebhookUrl(options_.public_base_url, carrier->kind(), channel.slug, "status");
  if (message.outcome_unknown || message.lookup_only) {
    // An earlier attempt may have reached the carrier: ask it first, where it can be asked.
    // A message cannot be at the carrier before it was queued; the slack covers clock skew.
    const auto since = message.created_at - kLookupSlack;
    if (auto lookup = carrier->BuildLookup(channel, request, since)) {
      const auto started = SteadyClock::now();
      transport_.Send(std::move(*lookup),
                      [this, channel, carrier, message = std::move(message), request, since,
                       started](transport::HttpResponseSpec response) mutable {
                        OnLookup(channel, *carrier, std::move(message), std::move(request), since,
                                 response, started);
                      });
      return;
    }
  }
  if (message.lookup_only) {
    // Opted out since, and the carrier cannot be asked: not sent again, outcome unknown.
    carriers::SendOutcome outcome;
    outcome.result = carriers::SendResult::kPermanentFailure;
    outcome.error_code = "opted_out";
    SendRecord record = ToRecord(message, outcome);
    record.action = SendAction::kUnknown;
    Finish(std::move(record));
    return;
  }
  Send(channel, *carrier, std::move(message), request);
}

void Dispatcher::Send(const Channel& channel, const carriers::Carrier& carrier,
                      ClaimedMessage message, const carriers::SendRequest& request) {
  const auto started = SteadyClock::now();
  transport_.Send(carrier.BuildSend(channel, request),
                  [this, channel, carrier = &carrier, message = std::move(message), started](
                      transport::HttpResponseSpec response) {
                    OnAnswer(channel, *carrier, message, response, started);
                  });
}

void Dispatcher::OnLookup(const Channel& channel, const carriers::Carrier& carrier,
                          ClaimedMessage message, carriers::SendRequest request,
                          std::chrono::system_clock::time_point since,
                          const transport::HttpResponseSpec& response,
                          SteadyClock::time_point started) {
  const carriers::LookupOutcome found = carrier.ParseLookup(request, since, response);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  if (options_.on_send) {
    options_.on_send(carrier.kind(), LookupName(static_cast<int>(found.found)), seconds);
  }
  if (message.lookup_only) {
    Finish(Settled(message, found));
    return;
  }
  if (found.found == carriers::LookupOutcome::Found::kNo) {
    Send(channel, carrier, std::move(message), request);  // the send the carrier never had
    return;
  }
  carriers::SendOutcome outcome;
  if (found.found == carriers::LookupOutcome::Found::kYes) {
    // The carrier has it: record it as accepted, and send nothing.
    outcome.result = carriers::SendResult::kAccepted;
    outcome.carrier_message_id = found.carrier_message_id;
    outcome.status = found.status;
    spdlog::info("dispatch.found_at_carrier outbound={} channel={} attempt={}", message.id,
                 channel.id, message.attempt);
  } else {
    outcome.result = carriers::SendResult::kRetry;
    outcome.error_code = "lookup_failed";
    outcome.error_message = "could not ask the carrier whether it already has the message";
  }
  SendRecord record = ToRecord(message, outcome);
  record.outcome_unknown = true;  // still, unless it was found (then accepted clears it)
  Finish(std::move(record));
}

// A lookup-only message (the member opted out since a doubtful attempt) is settled by what the
// carrier says: it has it (accepted, with its id), never had it (cancelled), or cannot tell.
SendRecord Dispatcher::Settled(const ClaimedMessage& message,
                               const carriers::LookupOutcome& found) const {
  carriers::SendOutcome outcome;
  outcome.result = carriers::SendResult::kPermanentFailure;
  outcome.error_code = "opted_out";
  SendRecord record = ToRecord(message, outcome);
  switch (found.found) {
    case carriers::LookupOutcome::Found::kYes:
      record.action = SendAction::kAccepted;
      record.carrier_message_id = found.carrier_message_id;
      record.status = found.status;
      record.error_code.clear();
      break;
    case carriers::LookupOutcome::Found::kNo:
      record.action = SendAction::kCancelled;
      break;
    case carriers::LookupOutcome::Found::kUnknown:
      record.action = SendAction::kUnknown;
      break;
  }
  return record;
}

void Dispatcher::OnAnswer(const Channel& channel, const carriers::Carrier& carrier,
                          const ClaimedMessage& message,
                          const transport::HttpResponseSpec& response,
                          SteadyClock::time_point started) {
  const carriers::SendOutcome outcome = carrier.ParseSend(response);
  SendRecord record = ToRecord(message, outcome);
  // No answer, after the request went out: the carrier may have taken it.
  record.outcome_unknown = response.status == 0 && response.request_sent;
  if (options_.on_send) {
    options_.on_send(carrier.kind(), ResultName(record.action),
                     std::chrono::duration<double>(SteadyClock::now() - started).count());
  }
  if (record.action != SendAction::kAccepted) {
    spdlog::info("dispatch.send_not_accepted outbound={} channel={} attempt={} result={} code={}",
                 message.id, channel.id, message.attempt, ResultName(record.action),
                 record.error_code);
  }
  Finish(std::move(record));
}

void Dispatcher::Finish(SendRecord record) {
  {
    std::lock_guard lock(mutex_);
    if (--in_flight_by_channel_[record.channel_id] == 0) {
      in_flight_by_channel_.erase(record.channel_id);
    }
    results_.push_back(std::move(record));
    --in_flight_;
    notified_ = true;
  }
  results_ready_.notify_one();
  drained_.notify_all();
  wake_.notify_one();
}

SendRecord Dispatcher::ToRecord(const ClaimedMessage& message,
                                const carriers::SendOutcome& outcome) const {
  SendRecord r;
  r.id = message.id;
  r.organization_id = message.organization_id;
  r.channel_id = message.channel_id;
  r.member_id = message.member_id;
  r.attempt = message.attempt;
  r.error_code = outcome.error_code;
  r.error_message = outcome.error_message;
  switch (outcome.result) {
    case carriers::SendResult::kAccepted:
      r.action = SendAction::kAccepted;
      r.carrier_message_id = outcome.carrier_message_id;
      r.status = outcome.status;
      break;
    case carriers::SendResult::kRetry:
      if (auto delay = options_.retry.NextDelay(message.attempt, message.id, outcome.retry_after)) {
        r.action = SendAction::kRetry;
        r.retry_in = *delay;
      } else {
        r.action = SendAction::kFailed;
        r.error_message = "gave up after " + std::to_string(message.attempt) + " attempts: " +
                          outcome.error_message;
      }
      break;
    case carriers::SendResult::kPermanentFailure:
      r.action = SendAction::kFailed;
      break;
    case carriers::SendResult::kRecipientOptedOut:
      r.action = SendAction::kOptedOutAtCarrier;
      break;
  }
  return r;
}

void Dispatcher::RecordLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    results_ready_.wait(lock, [this] { return recorder_stopping_ || !results_.empty(); });
    if (results_.empty()) return;  // stopping and drained
    std::vector<SendRecord> batch;
    while (!results_.empty() && batch.size() < kMaxRecordBatch) {
      batch.push_back(std::move(results_.front()));
      results_.pop_front();
    }
    lock.unlock();
    auto recorded = recorder_->RecordResults(batch);
    lock.lock();
    if (recorded.ok()) continue;
    spdlog::warn("dispatch.record_failed count={} code={}", batch.size(),
                 ErrorCodeName(recorded.error().code));
    if (recorder_stopping_) {
      // Leases expire and the messages are sent again: see README, delivery guarantee.
      spdlog::error("dispatch.results_lost_on_shutdown count={}", batch.size());
      continue;
    }
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) results_.push_front(std::move(*it));
    results_ready_.wait_for(lock, std::chrono::milliseconds(500));
  }
}

}  // namespace chorus::dispatch

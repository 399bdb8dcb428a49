#include "dispatch/webhook_caller.hpp"

#include <spdlog/spdlog.h>

#include "core/hmac.hpp"

namespace chorus::dispatch {

WebhookCaller::WebhookCaller(std::unique_ptr<WebhookCallStore> store,
                             transport::Transport& transport, SnapshotSource snapshot,
                             const Clock& clock, WebhookCallerOptions options)
    : store_(std::move(store)),
      transport_(transport),
      snapshot_(std::move(snapshot)),
      clock_(clock),
      options_(std::move(options)) {}

WebhookCaller::~WebhookCaller() { Stop(); }

void WebhookCaller::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void WebhookCaller::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

void WebhookCaller::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  // Calls still in flight keep their claim: after the lease another node (or the next start)
  // makes them again; the receiver deduplicates by X-Chorus-Call-Id.
}

std::string WebhookCaller::Signature(std::string_view secret, std::int64_t timestamp,
                                     std::string_view body) {
  std::string signed_text = std::to_string(timestamp);
  signed_text += '.';
  signed_text.append(body);
  return "v1=" + HmacSha256Hex(secret, signed_text);
}

void WebhookCaller::Loop() {
  // The loop wakes often while calls are in flight, to finish the ones past their deadline.
  constexpr std::chrono::milliseconds kTick{20};
  auto next_claim = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto wait = in_flight_.empty() ? options_.poll : kTick;
      wake_.wait_for(lock, wait, [this] { return stopping_ || notified_ || !done_.empty(); });
      if (stopping_) return;
      if (notified_) next_claim = std::chrono::steady_clock::now();
      notified_ = false;
    }
    FinishDone();
    FinishExpired();
    if (std::chrono::steady_clock::now() >= next_claim) {
      ClaimAndSend();
      next_claim = std::chrono::steady_clock::now() + options_.poll;
    }
  }
}

void WebhookCaller::ClaimAndSend() {
  if (in_flight_.size() >= options_.max_in_flight) return;
  auto claimed = store_->Claim(options_.max_in_flight - in_flight_.size(), options_.lease);
  if (!claimed.ok()) {
    spdlog::warn("webhook_calls.claim_failed code={}", ErrorCodeName(claimed.error().code));
    return;
  }
  for (const WebhookCall& call : *claimed) {
    if (in_flight_.count(call.id)) continue;
    Send(call);
  }
}

void WebhookCaller::Send(const WebhookCall& call) {
  workspace::SnapshotPtr snapshot = snapshot_();
  const workspace::Organization* org = snapshot->OrganizationById(call.organization_id);
  auto secret = org ? org->webhook_secrets.find(call.secret_name)
                    : std::map<std::string, std::string>::const_iterator{};
  if (org == nullptr || secret == org->webhook_secrets.end()) {
    // Validation refuses a step naming an unknown secret; this is a secret removed since.
    spdlog::warn("webhook_calls.no_secret organization={} call={}", call.organization_id, call.id);
    Finish(call, 0, false);
    return;
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  transport::HttpRequestSpec request;
  request.method = "POST";
  request.url = call.url;
  request.body = call.payload;
  request.headers = {
      {"Content-Type", "application/json"},
      {"X-Chorus-Timestamp", std::to_string(now)},
      {"X-Chorus-Call-Id", std::to_string(call.organization_id) + "-" + std::to_string(call.id)},
      {"X-Chorus-Signature", Signature(secret->second, now, call.payload)}};
  in_flight_[call.id] = InFlight{call, std::chrono::steady_clock::now() + call.timeout};
  transport_.Send(std::move(request), [this, id = call.id](transport::HttpResponseSpec response) {
    {
      std::lock_guard lock(mutex_);
      done_.push_back(Done{id, response.status});
    }
    wake_.notify_one();
  });
}

void WebhookCaller::FinishDone() {
  std::deque<Done> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(done_);
  }
  for (const Done& d : done) {
    auto it = in_flight_.find(d.id);
    if (it == in_flight_.end()) continue;  // finished already: it timed out
    const WebhookCall call = it->second.call;
    in_flight_.erase(it);
    Finish(call, d.status, d.status >= 200 && d.status < 300);
  }
}

void WebhookCaller::FinishExpired() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    const WebhookCall call = it->second.call;
    it = in_flight_.erase(it);
    Finish(call, 0, false);  // timed out: the flow takes its failure branch
  }
}

void WebhookCaller::Finish(const WebhookCall& call, int status, bool ok) {
  auto finished = store_->Finish(call, status, ok);
  if (!finished.ok()) {
    // The claim expires and the call is made again: never a result lost.
    spdlog::warn("webhook_calls.finish_failed call={} code={}", call.id,
                 ErrorCodeName(finished.error().code));
    return;
  }
  spdlog::debug("webhook_calls.finished call={} status={} ok={}", call.id, status, ok);
  if (*finished && options_.on_result) options_.on_result(call.organization_id, call.member_id);
}

}  // namespace chorus::dispatch

#include "dispatch/webhook_caller.hpp"

#include <spdlog/spdlog.h>

#include "core/hmac.hpp"

namespace chorus::dispatch {

namespace {

constexpr std::string_view kResults[] = {"ok", "failed", "timed_out", "no_secret"};

}  // namespace

std::span<const std::string_view> WebhookCaller::ResultNames() { return kResults; }

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
  bool more = false;  // the last claim was cut short: more calls are waiting
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto wait = in_flight_.empty() ? options_.poll : kTick;
      wake_.wait_for(lock, wait, [this] { return stopping_ || notified_ || !done_.empty(); });
      if (stopping_) return;
      if (notified_) next_claim = std::chrono::steady_clock::now();
      notified_ = false;
    }
    Results results;
    CollectDone(results);
    CollectExpired(results);
    Finish(results);
    // Calls that waited for room go out as soon as there is room, not at the next poll: a
    // burst of 1,000 calls a second would otherwise drain at max_in_flight per poll.
    const auto now = std::chrono::steady_clock::now();
    if (more && !results.empty()) next_claim = now;
    if (now >= next_claim) {
      more = ClaimAndSend();
      next_claim = more ? now : now + options_.poll;
    }
  }
}

bool WebhookCaller::ClaimAndSend() {
  if (in_flight_.size() >= options_.max_in_flight) return true;  // full: more may wait
  const std::size_t room = options_.max_in_flight - in_flight_.size();
  auto claimed = store_->Claim(room, options_.lease);
  if (!claimed.ok()) {
    spdlog::warn("webhook_calls.claim_failed code={}", ErrorCodeName(claimed.error().code));
    return false;
  }
  for (const WebhookCall& call : *claimed) {
    if (in_flight_.count(call.id)) continue;
    Send(call);
  }
  return claimed->size() == room;
}

void WebhookCaller::Send(const WebhookCall& call) {
  workspace::SnapshotPtr snapshot = snapshot_();
  const workspace::Organization* org = snapshot->OrganizationById(call.organization_id);
  auto secret = org ? org->webhook_secrets.find(call.secret_name)
                    : std::map<std::string, std::string>::const_iterator{};
  if (org == nullptr || secret == org->webhook_secrets.end()) {
    // Validation refuses a step naming an unknown secret; this is a secret removed since.
    spdlog::warn("webhook_calls.no_secret organization={} call={}", call.organization_id, call.id);
    if (options_.on_call) options_.on_call("no_secret");
    Finish({WebhookResult{call, 0, false}});
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

// Answers that came back; results are recorded together, in one transaction per loop turn.
void WebhookCaller::CollectDone(Results& results) {
  std::deque<Done> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(done_);
  }
  for (const Done& d : done) {
    auto it = in_flight_.find(d.id);
    if (it == in_flight_.end()) continue;  // finished already: it timed out
    const bool ok = d.status >= 200 && d.status < 300;
    results.push_back(WebhookResult{it->second.call, d.status, ok});
    in_flight_.erase(it);
    if (options_.on_call) options_.on_call(ok ? "ok" : "failed");
  }
}

// Calls past their step's timeout are failures, whatever answer may still come.
void WebhookCaller::CollectExpired(Results& results) {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    results.push_back(WebhookResult{it->second.call, 0, false});
    it = in_flight_.erase(it);
    if (options_.on_call) options_.on_call("timed_out");
  }
}

void WebhookCaller::Finish(const Results& results) {
  if (results.empty()) return;
  auto finished = store_->Finish(results);
  if (!finished.ok()) {
    // The claims expire and the calls are made again: never a result lost.
    spdlog::warn("webhook_calls.finish_failed calls={} code={}", results.size(),
                 ErrorCodeName(finished.error().code));
    return;
  }
  for (std::size_t i = 0; i < results.size() && i < finished->size(); ++i) {
    const WebhookResult& r = results[i];
    spdlog::debug("webhook_calls.finished call={} status={} ok={}", r.call.id, r.http_status, r.ok);
    if ((*finished)[i] && options_.on_result) {
      options_.on_result(r.call.organization_id, r.call.member_id);
    }
  }
}

}  // namespace chorus::dispatch

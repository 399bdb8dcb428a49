#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "transport/transport.hpp"
#include "workspace/workspace.hpp"

namespace chorus::dispatch {

/// An HTTP call a flow's webhook step asked for.
struct WebhookCall {
  OrganizationId organization_id = 0;
  std::int64_t id = 0;
  MemberId member_id = 0;
  std::string url;
  std::string secret_name;
  std::chrono::milliseconds timeout{5000};
  std::string payload;  // JSON
};

/// How a call ended: `ok` for a 2xx answer in time; `http_status` 0 when none came.
struct WebhookResult {
  WebhookCall call;
  int http_status = 0;
  bool ok = false;
};

/// Where webhook calls wait. One instance per thread.
class WebhookCallStore {
 public:
  virtual ~WebhookCallStore() = default;
  /// Claims up to `limit` pending calls for `lease` (SKIP LOCKED: nodes share them).
  virtual Result<std::vector<WebhookCall>> Claim(std::size_t limit,
                                                 std::chrono::milliseconds lease) = 0;
  /// Records `results` in one transaction, each with the member event that hands it to its
  /// flow. A call finished already (by another node after its lease expired) stays as it was.
  /// Returns, per result, whether it was recorded now.
  virtual Result<std::vector<bool>> Finish(const std::vector<WebhookResult>& results) = 0;
};

struct WebhookCallerOptions {
  std::chrono::milliseconds poll{500};  // pending calls are looked for this often (and on Notify)
  std::chrono::milliseconds lease{60000};
  std::size_t max_in_flight = 256;
  /// A result was recorded for this member (hint processing). Called on the caller's thread.
  std::function<void(OrganizationId, MemberId)> on_result;
  /// How each call ended, one of ResultNames() (metrics). Called on the caller's thread.
  std::function<void(std::string_view)> on_call;
};

/// Makes flows' webhook calls off the I/O threads and off the member's transaction: a POST with
/// the JSON payload, signed `X-Chorus-Signature: v1=HEX(HMAC-SHA256(secret, timestamp "." body))`
/// with `X-Chorus-Timestamp` (Unix seconds) and `X-Chorus-Call-Id` (the receiver's
/// idempotency key: a call is retried after a crash). A 2xx answer within the step's timeout is
/// success; anything else, including no answer in time, is failure. Each result goes back to
/// the member's flow as a member event.
class WebhookCaller {
 public:
  using SnapshotSource = std::function<workspace::SnapshotPtr()>;

  WebhookCaller(std::unique_ptr<WebhookCallStore> store, transport::Transport& transport,
                SnapshotSource snapshot, const Clock& clock, WebhookCallerOptions options);
  ~WebhookCaller();
  WebhookCaller(const WebhookCaller&) = delete;
  WebhookCaller& operator=(const WebhookCaller&) = delete;

  void Start();
  /// New calls were queued. Thread-safe.
  void Notify();
  void Stop();

  /// How a call can end: "ok" (2xx), "failed" (another answer, or none), "timed_out" (no answer
  /// within the step's timeout), "no_secret" (its signing secret was removed; not sent).
  static std::span<const std::string_view> ResultNames();

  /// The signature header value of `body` sent at `timestamp` (Unix seconds) with `secret`.
  static std::string Signature(std::string_view secret, std::int64_t timestamp,
                               std::string_view body);

 private:
  struct InFlight {
    WebhookCall call;
    std::chrono::steady_clock::time_point deadline;
  };
  struct Done {
    std::int64_t id = 0;
    int status = 0;
  };
  using Results = std::vector<WebhookResult>;

  void Loop();
  /// Claims what there is room for and sends it; true when the claim filled the room (more
  /// calls may be waiting).
  bool ClaimAndSend();
  void Send(const WebhookCall& call);
  void CollectDone(Results& results);
  void CollectExpired(Results& results);
  void Finish(const Results& results);

  std::unique_ptr<WebhookCallStore> store_;
  transport::Transport& transport_;
  SnapshotSource snapshot_;
  const Clock& clock_;
  WebhookCallerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::map<std::int64_t, InFlight> in_flight_;  // by call id; touched on the loop thread only
  std::deque<Done> done_;                       // guarded by mutex_ (I/O threads push)
  std::thread thread_;
};

}  // namespace chorus::dispatch

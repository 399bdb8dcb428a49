#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "fakes/received_message.hpp"

namespace chorus::fakes {

struct FakeTwilioOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::string account_sid;  // sends to other accounts get 404 like Twilio's
  std::string auth_token;   // checks Basic auth; signs status callbacks
  /// After accepting a message, post these statuses to its StatusCallback, in order, signed
  /// with X-Twilio-Signature like Twilio. Empty: no callbacks.
  std::vector<std::string> callback_statuses = {"sent", "delivered"};
  int io_threads = 1;
  /// ErrorCode sent with an "undelivered" or "failed" callback (Twilio's 30003: unreachable
  /// handset).
  std::string callback_error_code = "30003";
  /// A callback answered 5xx or not at all is posted again, up to this many attempts in all,
  /// the first retry after callback_retry_delay, doubling.
  int callback_attempts = 4;
  std::chrono::milliseconds callback_retry_delay{250};
  std::chrono::milliseconds callback_timeout{5000};
  /// Wait this long after answering before the first callback (Twilio's come a little after
  /// its answer). 0: at once, racing the sender's handling of the answer.
  std::chrono::milliseconds callback_delay{0};
  /// Wait this long before answering each send (a slow carrier): sends are then in flight
  /// long enough for a test to race them with a STOP or a crash.
  std::chrono::milliseconds answer_delay{0};
};


/// A fake Twilio speaking Twilio's wire format: POST
/// /2010-04-01/Accounts/{AccountSid}/Messages.json (form body, Basic auth) answered like Twilio
/// (201 and the Message resource JSON with a fresh SM sid, or an error JSON
/// {code, message, more_info, status}), then signed status callbacks; GET Messages.json lists
/// the account's messages filtered by To and From, newest first; GET Messages/{Sid}.json
/// answers one message with its latest status (404 for a SID it never gave). Thread-safe.
class FakeTwilio {
 public:
  explicit FakeTwilio(FakeTwilioOptions options);
  ~FakeTwilio();

  /// Listens and starts its own I/O threads.
  Result<void> Start();
  void Stop();
  std::uint16_t port() const;
  std::string api_base() const;  // "http://127.0.0.1:PORT"

  /// GET Messages.json (the Messages list, filtered by To and From) calls so far: the lookups
  /// Chorus makes before resending a message whose first send may have reached Twilio.
  std::size_t LookupCount() const;
  /// GET Messages/{Sid}.json calls so far (status queries, answered or refused).
  std::size_t StatusQueryCount() const;
  /// Twilio's own record of message `sid` moves to `status` (with `error_code`), without a
  /// callback: what a status query answers after a callback was lost on its way.
  void SetStatus(const std::string& sid, const std::string& status,
                 const std::string& error_code = "");

  /// Every request to Messages.json so far (accepted and refused).
  std::vector<ReceivedMessage> Messages() const;
  std::vector<ReceivedMessage> MessagesTo(const std::string& to) const;
  /// How many messages were accepted (answered 201) so far.
  std::size_t AcceptedCount() const;
  /// Waits until at least `count` messages were accepted; false on timeout.
  bool WaitForAccepted(std::size_t count, std::chrono::milliseconds timeout) const;

  /// The next `times` sends to `to` get `http_status` with Twilio error `twilio_code` (e.g. 400
  /// and 21211, 400 and 21610, 429 and 20429, 500 and 0 for a bare 500).
  void FailNext(const std::string& to, int http_status, int twilio_code, int times = 1);

  /// Messages accepted for `to` from now on get these callbacks instead of
  /// options.callback_statuses, with `error_code` as ErrorCode on "undelivered"/"failed".
  /// `before_answer`: the callbacks are posted (and answered) before the 201 is sent, as when
  /// Twilio's callback beats its own API response.
  void SetCallbackStatuses(const std::string& to, std::vector<std::string> statuses,
                           std::string error_code = "30003", bool before_answer = false);

  /// The next `times` sends to `to` are held without an answer until ReleaseHeld(): a test
  /// can put a send "in flight" and act (stop the database, SIGTERM the sender) while it is.
  void HoldNext(const std::string& to, int times = 1);
  /// Lets every held send proceed (answered as it would have been). Thread-safe.
  void ReleaseHeld();
  /// Sends being held right now.
  std::size_t HeldCount() const;

  /// Called (on an I/O thread) for every accepted message; the benchmark timestamps replies.
  void SetOnAccepted(std::function<void(const ReceivedMessage&)> callback);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::fakes

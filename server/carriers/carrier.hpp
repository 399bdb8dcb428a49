#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "carriers/webhook.hpp"
#include "core/channel.hpp"
#include "core/delivery_status.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "transport/transport.hpp"

namespace chorus::carriers {

/// A message to hand to a carrier.
struct SendRequest {
  OutboundId outbound_id = 0;
  std::string to;    // E.164
  std::string body;  // UTF-8
  std::string status_callback_url;  // where the carrier should post delivery status
};

enum class SendResult {
  kAccepted,            // the carrier took it; carrier_message_id is set
  kRetry,               // transient (429, 5xx, timeout, network): try again later
  kPermanentFailure,    // invalid number, bad request, auth failure: do not retry
  kRecipientOptedOut,   // the carrier blocks this recipient for this sender (Twilio 21610)
};

struct SendOutcome {
  SendResult result = SendResult::kRetry;
  std::string carrier_message_id;
  DeliveryStatus status = DeliveryStatus::kAccepted;  // with kAccepted: the carrier's status
  std::string error_code;     // carrier's code ("21211", "http_503", "timeout"); safe to log
  std::string error_message;  // short, no personal data, no credentials
  std::optional<std::chrono::seconds> retry_after;
};

/// Whether the carrier already holds a message whose earlier send may have reached it (its
/// lease expired, or the request timed out): asked before sending it again.
struct LookupOutcome {
  enum class Found { kYes, kNo, kUnknown };
  Found found = Found::kUnknown;     // kUnknown: the lookup failed; decide later
  std::string carrier_message_id;    // with kYes
  DeliveryStatus status = DeliveryStatus::kAccepted;
};

/// What the carrier says about a message it took, asked when the message's final status never
/// arrived (dispatch::Reconciler; docs/CARRIERS.md, "Reconciliation").
struct StatusQueryOutcome {
  enum class Found { kYes, kNo, kUnknown };
  /// kYes: the carrier reported a status we know; kNo: it does not know the id (answered 404);
  /// kUnknown: the query failed (no answer, an error, an answer we cannot read): ask later.
  Found found = Found::kUnknown;
  DeliveryStatus status = DeliveryStatus::kAccepted;  // with kYes
  std::string raw_status;  // with kYes: the carrier's own word ("delivered", "delivery_failed")
  std::string error_code;  // the carrier's error code (digits), may be empty; safe to log
};

/// The carrier port: everything Chorus knows about one carrier, behind one object. An adapter
/// lives in one folder (server/carriers/KIND/) and is registered by one line in
/// app/carriers.cpp; nothing else names it. Adapters do no I/O: webhooks come in as
/// WebhookRequest, sends go out as HttpRequestSpec, so they are pure, stateless and
/// thread-safe (docs/CARRIERS.md, "Adding a carrier").
class Carrier {
 public:
  virtual ~Carrier() = default;

  /// The carrier's kind: its folder name, the {carrier} of its webhook URLs, the `carrier` of
  /// a channel in the workspace file, the label of its metrics. [a-z0-9]+.
  virtual std::string_view kind() const = 0;

  // ---- channel settings ---------------------------------------------------------------------

  /// The settings a channel of this carrier takes; secret ones go to Channel::secrets.
  virtual std::vector<ChannelSettingSpec> Settings() const = 0;
  /// Checks a channel's settings and secrets (present, well formed) and fills defaults.
  /// kInvalidArgument naming the setting first ("account_sid: must be ..."); never quotes a
  /// secret.
  virtual Result<void> ValidateChannel(Channel& channel) const = 0;

  // ---- webhooks in --------------------------------------------------------------------------

  /// The webhook kinds this carrier posts to, and how.
  virtual std::span<const WebhookShape> Webhooks() const = 0;
  /// Authenticates and parses a webhook of `kind` for `channel`. A request whose signature
  /// header is missing or malformed is refused before its body is decoded. kPermissionDenied:
  /// not an authentic webhook for this channel (nothing may be stored); kInvalidArgument: an
  /// authentic one that cannot be read (a field missing, malformed or repeated), with a
  /// message naming the field but never its value.
  virtual Result<WebhookContent> ReadWebhook(const Channel& channel, std::string_view kind,
                                             const WebhookRequest& request) const = 0;
  /// The answer once the content is durable. `replies`: text to return in the answer itself,
  /// for carriers that take the reply synchronously (USSD sessions); empty otherwise.
  virtual WebhookAnswer Answer(std::string_view kind, const WebhookContent& content,
                               std::span<const std::string> replies) const = 0;
  /// True when webhooks of `kind` expect the reply in the HTTP answer (USSD); false for
  /// carriers whose replies are separate sends.
  virtual bool RepliesInAnswer(std::string_view kind) const {
    (void)kind;
    return false;
  }
  /// A channel with fresh random credentials: a webhook naming an unknown channel is checked
  /// against it, so it costs the same time and gets the same answer as a bad signature.
  virtual Channel DecoyChannel() const = 0;

  // ---- sends out ----------------------------------------------------------------------------

  /// The request that sends `message` from `channel`. Credentials come from channel.secrets.
  virtual transport::HttpRequestSpec BuildSend(const Channel& channel,
                                               const SendRequest& message) const = 0;
  /// Classifies the carrier's answer (or the lack of one).
  virtual SendOutcome ParseSend(const transport::HttpResponseSpec& response) const = 0;

  /// The request that asks whether the carrier already took `message` (sent from `channel`
  /// on or after `since`), or nullopt when the carrier offers no such lookup: then a send
  /// whose outcome is unknown is sent again (docs/CARRIERS.md lists what remains per carrier).
  virtual std::optional<transport::HttpRequestSpec> BuildLookup(
      const Channel& channel, const SendRequest& message,
      std::chrono::system_clock::time_point since) const {
    (void)channel, (void)message, (void)since;
    return std::nullopt;
  }
  virtual LookupOutcome ParseLookup(const SendRequest& message,
                                    std::chrono::system_clock::time_point since,
                                    const transport::HttpResponseSpec& response) const {
    (void)message, (void)since, (void)response;
    return {};
  }

  /// True when the carrier can be asked for the status of a message it took: then
  /// BuildStatusQuery answers a request for each of its message ids. The reconciler asks only
  /// such carriers' channels.
  virtual bool HasStatusQuery() const { return false; }
  /// The request that asks the carrier for the current status of the message it gave
  /// `carrier_message_id`, sent from `channel`; nullopt when the carrier has no such query or
  /// the id cannot be one of its ids (then nothing is asked).
  virtual std::optional<transport::HttpRequestSpec> BuildStatusQuery(
      const Channel& channel, std::string_view carrier_message_id) const {
    (void)channel, (void)carrier_message_id;
    return std::nullopt;
  }
  /// Reads the answer to a status query; never fails: an answer it cannot read is kUnknown.
  virtual StatusQueryOutcome ParseStatusQuery(const transport::HttpResponseSpec& response) const {
    (void)response;
    return {};
  }

  // ---- development ----------------------------------------------------------------------------

  /// An inbound message from `from` saying `text` as this carrier would post it to `url`,
  /// authenticated with the channel's credentials; for `chorus sim`. nullopt when Chorus
  /// cannot sign for the carrier (Telnyx signs with a private key only Telnyx holds).
  virtual std::optional<transport::HttpRequestSpec> BuildTestInbound(
      const Channel& channel, const std::string& url, const std::string& from,
      const std::string& text) const {
    (void)channel, (void)url, (void)from, (void)text;
    return std::nullopt;
  }
};

}  // namespace chorus::carriers

#pragma once

#include "carriers/carrier.hpp"

namespace chorus::carriers::twilio {

/// Twilio Programmable Messaging (docs/CARRIERS.md, "Twilio").
///
/// Channel settings: account_sid (required, "AC" + 32 hex), api_base (default
/// https://api.twilio.com); secret: auth_token.
///
/// Webhooks: POST form bodies to /webhooks/twilio/{channel}/inbound (the number's "A message
/// comes in" URL) and /status (the StatusCallback given with each send), signed with
/// X-Twilio-Signature over the URL Twilio requested; the AccountSid must be the channel's.
/// Inbound is answered with empty TwiML; replies are separate sends.
///
/// Sending: POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth
/// (account_sid:auth_token), form body To/From/Body/StatusCallback. Error mapping: 21610 ->
/// kRecipientOptedOut; 21211, 21214, 21217, 21401, 21407, 21408, 21421, 21612, 21614, 21635,
/// 21606, 21608 and other 4xx -> kPermanentFailure; 429, 20429, 5xx, no response and timeouts ->
/// kRetry (honouring Retry-After).
///
/// Lookup before a resend: the Messages list filtered by To and From (docs/CARRIERS.md).
/// Status query (reconciliation): the Message resource, GET .../Messages/{MessageSid}.json.
class TwilioCarrier final : public Carrier {
 public:
  std::string_view kind() const override { return "twilio"; }
  std::vector<ChannelSettingSpec> Settings() const override;
  Result<void> ValidateChannel(Channel& channel) const override;

  std::span<const WebhookShape> Webhooks() const override;
  Result<WebhookContent> ReadWebhook(const Channel& channel, std::string_view kind,
                                     const WebhookRequest& request) const override;
  WebhookAnswer Answer(std::string_view kind, const WebhookContent& content,
                       std::span<const std::string> replies) const override;
  Channel DecoyChannel() const override;

  transport::HttpRequestSpec BuildSend(const Channel& channel,
                                       const SendRequest& message) const override;
  SendOutcome ParseSend(const transport::HttpResponseSpec& response) const override;

  /// GET .../Messages.json?To=&From=&PageSize=50: the recipient's latest messages from this
  /// sender. ParseLookup finds ours by body among those created on or after `since`.
  std::optional<transport::HttpRequestSpec> BuildLookup(
      const Channel& channel, const SendRequest& message,
      std::chrono::system_clock::time_point since) const override;
  LookupOutcome ParseLookup(const SendRequest& message,
                            std::chrono::system_clock::time_point since,
                            const transport::HttpResponseSpec& response) const override;

  /// GET .../Messages/{MessageSid}.json (Basic auth): the message's `status`, mapped as the
  /// status callback's MessageStatus is, and its `error_code`. nullopt for an id that is not a
  /// message SID. 404 -> kNo; any other answer but a 200 with a mapped status -> kUnknown.
  bool HasStatusQuery() const override { return true; }
  std::optional<transport::HttpRequestSpec> BuildStatusQuery(
      const Channel& channel, std::string_view carrier_message_id) const override;
  StatusQueryOutcome ParseStatusQuery(const transport::HttpResponseSpec& response) const override;

  std::optional<transport::HttpRequestSpec> BuildTestInbound(
      const Channel& channel, const std::string& url, const std::string& from,
      const std::string& text) const override;
};

}  // namespace chorus::carriers::twilio

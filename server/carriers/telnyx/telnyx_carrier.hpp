#pragma once

#include "carriers/carrier.hpp"

namespace chorus::carriers::telnyx {

/// Telnyx Messaging API v2 (docs/CARRIERS.md, "Telnyx").
///
/// Channel settings: public_key (required: the account's Ed25519 webhook key, Base64),
/// messaging_profile_id (optional), api_base (default https://api.telnyx.com); secret: api_key.
///
/// Webhooks: JSON events POSTed to /webhooks/telnyx/{channel}/inbound (the messaging profile's
/// webhook URL) and /status (the webhook_url given with each send); both accept any message
/// event. Signed with Ed25519 over "{telnyx-timestamp}|{raw body}", refused when the timestamp
/// is more than 5 minutes from now. Answered 200 with an empty body.
///
/// Sending: POST {api_base}/v2/messages, Bearer api_key, JSON from/to/text/webhook_url (and
/// messaging_profile_id when set). 40300 (HTTP 409, the recipient texted STOP) ->
/// kRecipientOptedOut; 429, 10011 and 5xx, no answer and timeouts -> kRetry; other 4xx ->
/// kPermanentFailure.
///
/// Status query (reconciliation): GET {api_base}/v2/messages/{id}, Bearer api_key.
class TelnyxCarrier final : public Carrier {
 public:
  std::string_view kind() const override { return "telnyx"; }
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

  /// GET /v2/messages/{id}: the first recipient's `data.to[0].status`, mapped as the delivery
  /// webhooks' is (MapStatus), and `data.errors[0].code`. nullopt for an id that cannot be a
  /// Telnyx message id. 404 -> kNo; any other answer but a 200 with a mapped status ->
  /// kUnknown.
  bool HasStatusQuery() const override { return true; }
  std::optional<transport::HttpRequestSpec> BuildStatusQuery(
      const Channel& channel, std::string_view carrier_message_id) const override;
  StatusQueryOutcome ParseStatusQuery(const transport::HttpResponseSpec& response) const override;
};

}  // namespace chorus::carriers::telnyx

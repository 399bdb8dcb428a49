#pragma once

#include "carriers/carrier.hpp"

namespace chorus::carriers::twilio {

/// Sends with POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth
/// (account_sid:auth_token), form body To/From/Body/StatusCallback. Channel settings:
/// "api_base" (default https://api.twilio.com), "account_sid"; secrets: "auth_token".
/// Error mapping: 21610 -> kRecipientOptedOut; 21211, 21214, 21217, 21401, 21407, 21408, 21421,
/// 21612, 21614, 21635, 21606, 21608 and other 4xx -> kPermanentFailure; 429, 20429,
/// 5xx, no response and timeouts -> kRetry (honouring Retry-After).
class TwilioCarrier final : public Carrier {
 public:
  HttpRequestSpec BuildSend(const Channel& channel, const SendRequest& message) const override;
  SendOutcome ParseSend(const HttpResponseSpec& response) const override;
};

}  // namespace chorus::carriers::twilio

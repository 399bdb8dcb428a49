#pragma once

#include <functional>
#include <string>

#include "http/router.hpp"
#include "ingest/inbox.hpp"
#include "workspace/workspace.hpp"

namespace chorus::http {

struct TwilioRouteDeps {
  std::function<workspace::SnapshotPtr()> snapshot;
  ingest::Inbox* inbox = nullptr;
  /// Scheme, host and port Twilio uses to reach us (CHORUS_PUBLIC_BASE_URL): signatures cover
  /// the URL as Twilio requested it, which differs from what we see behind a proxy.
  std::string public_base_url;
};

/// POST /webhooks/twilio/{channel}/inbound and /status. Order of checks: unknown channel 404,
/// wrong content type 415, undecodable form 400, missing or wrong X-Twilio-Signature 403
/// (nothing stored), missing fields 400, then the item is made durable and only then answered:
/// 200 (an empty TwiML <Response/> for inbound) or 503 with Retry-After when it could not be
/// stored, so Twilio retries. A repeat of a stored message is answered 200 and stored once.
void AddTwilioRoutes(Router& router, TwilioRouteDeps deps);

}  // namespace chorus::http

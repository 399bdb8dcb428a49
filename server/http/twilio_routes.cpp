#include "http/twilio_routes.hpp"

#include <spdlog/spdlog.h>

#include "carriers/form.hpp"
#include "carriers/twilio/twilio_signature.hpp"
#include "carriers/twilio/twilio_webhook.hpp"
#include "core/phone_number.hpp"
#include "http/await_callback.hpp"
#include "http/json_error.hpp"

namespace chorus::http {
namespace {

namespace twilio = carriers::twilio;
namespace http_ = beast::http;

struct Checked {
  const Channel* channel = nullptr;
  carriers::FormParams params;
  workspace::SnapshotPtr snapshot;  // keeps `channel` alive
};

// Everything before the item may be stored: the answer is an error response or the params.
std::variant<Response, Checked> Check(const TwilioRouteDeps& deps, const Request& req,
                                      const RequestContext& ctx) {
  Checked out;
  out.snapshot = deps.snapshot();
  out.channel = out.snapshot->ChannelBySlug(ctx.path_params.at(0));
  if (out.channel == nullptr || out.channel->carrier != CarrierKind::kTwilio) {
    return JsonError(404, "not_found", "no Twilio channel with this name", ctx.request_id);
  }
  const auto type = req[http_::field::content_type];
  if (type.substr(0, 33) != "application/x-www-form-urlencoded") {
    return JsonError(415, "unsupported_media_type", "expected application/x-www-form-urlencoded",
                     ctx.request_id);
  }
  auto params = carriers::ParseForm(req.body());
  if (!params.ok()) return ErrorResponse(params.error(), ctx.request_id);
  const auto signature = req["X-Twilio-Signature"];
  const auto token = out.channel->secrets.find("auth_token");
  if (signature.empty() || token == out.channel->secrets.end() ||
      !twilio::ValidateSignature(token->second, deps.public_base_url + ctx.target, *params,
                                 signature)) {
    spdlog::warn("twilio.signature_rejected request_id={} channel={} present={}", ctx.request_id,
                 out.channel->id, !signature.empty());
    return JsonError(403, "signature_invalid", "missing or invalid X-Twilio-Signature",
                     ctx.request_id);
  }
  out.params = std::move(params).value();
  return out;
}

ingest::InboundItem ToItem(const Channel& channel, twilio::InboundWebhook&& in) {
  ingest::InboundItem item;
  item.organization_id = channel.organization_id;
  item.channel_id = channel.id;
  item.carrier_message_id = std::move(in.message_sid);
  auto phone = PhoneNumber::Parse(in.from, channel.country);
  item.sender_is_e164 = phone.ok();
  item.sender = phone.ok() ? phone->e164() : std::move(in.from);
  item.recipient = std::move(in.to);
  item.body = std::move(in.body);
  item.num_media = in.num_media;
  return item;
}

asio::awaitable<Result<bool>> Store(ingest::Inbox& inbox, ingest::WebhookItem item) {
  return AwaitCallback<Result<bool>>(
      [&inbox, item = std::move(item)](std::function<void(Result<bool>)> done) mutable {
        inbox.Submit(std::move(item), std::move(done));
      });
}

// Not stored: an outage asks the carrier to retry (503); data the database refused is the
// caller's error, and a retry would not help.
Response NotStored(const Error& error, const RequestContext& ctx) {
  spdlog::warn("webhook.not_stored request_id={} code={}", ctx.request_id,
               ErrorCodeName(error.code));
  if (error.code != ErrorCode::kUnavailable && error.code != ErrorCode::kTimeout &&
      error.code != ErrorCode::kConflict) {
    return ErrorResponse(error, ctx.request_id);
  }
  Response res =
      JsonError(503, "unavailable", "the message could not be stored; retry later", ctx.request_id);
  res.set(http_::field::retry_after, "5");
  return res;
}

asio::awaitable<Response> Inbound(const TwilioRouteDeps& deps, const Request& req,
                                  RequestContext& ctx) {
  auto checked = Check(deps, req, ctx);
  if (auto* error = std::get_if<Response>(&checked)) co_return std::move(*error);
  auto& ok = std::get<Checked>(checked);
  auto parsed = twilio::ParseInbound(ok.params);
  if (!parsed.ok()) co_return ErrorResponse(parsed.error(), ctx.request_id);
  auto stored = co_await Store(*deps.inbox, ToItem(*ok.channel, std::move(parsed).value()));
  if (!stored.ok()) co_return NotStored(stored.error(), ctx);
  spdlog::debug("twilio.inbound_stored request_id={} channel={} new={}", ctx.request_id,
                ok.channel->id, *stored);
  Response res{http_::status::ok, req.version()};
  res.set(http_::field::content_type, "text/xml");
  res.body() = std::string(twilio::EmptyTwiml());
  co_return res;
}

asio::awaitable<Response> Status(const TwilioRouteDeps& deps, const Request& req,
                                 RequestContext& ctx) {
  auto checked = Check(deps, req, ctx);
  if (auto* error = std::get_if<Response>(&checked)) co_return std::move(*error);
  auto& ok = std::get<Checked>(checked);
  auto parsed = twilio::ParseStatus(ok.params);
  if (!parsed.ok()) co_return ErrorResponse(parsed.error(), ctx.request_id);
  ingest::StatusItem item;
  item.organization_id = ok.channel->organization_id;
  item.channel_id = ok.channel->id;
  item.carrier_message_id = std::move(parsed->message_sid);
  item.status = parsed->status;
  item.raw_status = std::move(parsed->raw_status);
  item.error_code = std::move(parsed->error_code);
  auto stored = co_await Store(*deps.inbox, std::move(item));
  if (!stored.ok()) co_return NotStored(stored.error(), ctx);
  Response res{http_::status::ok, req.version()};
  res.set(http_::field::content_type, "text/plain");
  co_return res;
}

}  // namespace

void AddTwilioRoutes(Router& router, TwilioRouteDeps deps) {
  auto shared = std::make_shared<const TwilioRouteDeps>(std::move(deps));
  router.Add(
      Verb::post, "/webhooks/twilio/{channel}/inbound",
      [shared](const Request& req, RequestContext& ctx) { return Inbound(*shared, req, ctx); });
  router.Add(
      Verb::post, "/webhooks/twilio/{channel}/status",
      [shared](const Request& req, RequestContext& ctx) { return Status(*shared, req, ctx); });
}

}  // namespace chorus::http

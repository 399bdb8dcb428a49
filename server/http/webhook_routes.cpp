#include "http/webhook_routes.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/beast/core/string.hpp>
#include <map>
#include <memory>

#include "core/phone_number.hpp"
#include "http/await_callback.hpp"
#include "http/json_error.hpp"
#include "observability/log_sampler.hpp"

namespace chorus::http {
namespace {

namespace http_ = beast::http;

enum class Rejection { kUnauthenticated, kMalformed, kUnsupportedMediaType, kNotStored };
constexpr std::array<std::string_view, 4> kRejectionNames = {
    "unauthenticated", "malformed", "unsupported_media_type", "not_stored"};

// Per carrier and rejection: the counter (created up front) and the log sampler.
struct RejectionSeries {
  observability::Counter* counter = nullptr;
  std::unique_ptr<observability::LogSampler> sampler =
      std::make_unique<observability::LogSampler>();
};

struct CarrierRoute {
  const carriers::Carrier* carrier = nullptr;
  std::map<std::string, std::string, std::less<>> patterns;  // kind -> route label
  Channel decoy;  // fresh random credentials, drawn once at start-up
  std::array<RejectionSeries, 4> rejections;
};

struct Routes {
  WebhookRouteDeps deps;
  std::map<std::string, CarrierRoute, std::less<>> carriers;
};

std::string_view MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return type;
}

void Reject(CarrierRoute& route, Rejection why, const RequestContext& ctx,
            std::string_view detail = {}) {
  RejectionSeries& series = route.rejections[static_cast<std::size_t>(why)];
  if (series.counter) series.counter->Inc();
  auto decision = series.sampler->Sample();
  if (!decision.log) return;
  // The request id and the carrier's kind only: the slug in the path may be an attacker's text.
  spdlog::warn("webhook.rejected carrier={} reason={} request_id={} detail=\"{}\" "
               "suppressed_since_last={}",
               route.carrier->kind(), kRejectionNames[static_cast<std::size_t>(why)],
               ctx.request_id, detail, decision.suppressed);
}

// Identical for a bad signature, a forgery and an unknown channel: nothing tells them apart.
Response NotAuthenticated(const RequestContext& ctx) {
  return JsonError(403, "signature_invalid", "the webhook could not be authenticated",
                   ctx.request_id);
}

const carriers::WebhookShape* FindShape(const carriers::Carrier& carrier, std::string_view kind) {
  for (const auto& shape : carrier.Webhooks()) {
    if (shape.kind == kind) return &shape;
  }
  return nullptr;
}

std::vector<ingest::WebhookItem> ToItems(const Channel& channel,
                                         carriers::WebhookContent&& content) {
  std::vector<ingest::WebhookItem> items;
  for (auto& in : content.messages) {
    ingest::InboundItem item;
    item.organization_id = channel.organization_id;
    item.channel_id = channel.id;
    item.carrier_message_id = std::move(in.carrier_message_id);
    auto phone = PhoneNumber::Parse(in.from, channel.country);
    item.sender_is_e164 = phone.ok();
    item.sender = phone.ok() ? phone->e164() : std::move(in.from);
    item.recipient = std::move(in.to);
    item.body = std::move(in.body);
    item.num_media = in.num_media;
    items.emplace_back(std::move(item));
  }
  for (auto& report : content.reports) {
    ingest::StatusItem item;
    item.organization_id = channel.organization_id;
    item.channel_id = channel.id;
    item.carrier_message_id = std::move(report.carrier_message_id);
    item.status = report.status;
    item.raw_status = std::move(report.raw_status);
    item.error_code = std::move(report.error_code);
    items.emplace_back(std::move(item));
  }
  return items;
}

asio::awaitable<Result<std::vector<bool>>> Store(ingest::Inbox& inbox,
                                                 std::vector<ingest::WebhookItem> items) {
  return AwaitCallback<Result<std::vector<bool>>>(
      [&inbox, items = std::move(items)](
          std::function<void(Result<std::vector<bool>>)> done) mutable {
        inbox.SubmitAll(std::move(items), std::move(done));
      });
}

// Not stored: an outage asks the carrier to retry (503); data the database refused is the
// caller's error, and a retry would not help.
Response NotStored(const Error& error, const RequestContext& ctx) {
  if (error.code != ErrorCode::kUnavailable && error.code != ErrorCode::kTimeout &&
      error.code != ErrorCode::kConflict) {
    return ErrorResponse(error, ctx.request_id);
  }
  Response res =
      JsonError(503, "unavailable", "the message could not be stored; retry later", ctx.request_id);
  res.set(http_::field::retry_after, "5");
  return res;
}

carriers::WebhookRequest View(const Routes& routes, const Request& req,
                              const RequestContext& ctx, std::string& url) {
  url = routes.deps.public_base_url + ctx.target;
  carriers::WebhookRequest view;
  view.method = req.method_string();
  view.url = url;
  view.body = req.body();
  for (const auto& field : req) view.headers.emplace_back(field.name_string(), field.value());
  view.received_at =
      routes.deps.now ? routes.deps.now() : std::chrono::system_clock::now();
  return view;
}

asio::awaitable<Response> Handle(Routes& routes, const Request& req, RequestContext& ctx) {
  const std::string_view carrier_kind = ctx.path_params.at(0);
  const std::string_view slug = ctx.path_params.at(1);
  const std::string_view kind = ctx.path_params.at(2);
  auto found = routes.carriers.find(carrier_kind);
  const carriers::WebhookShape* shape =
      found == routes.carriers.end() ? nullptr : FindShape(*found->second.carrier, kind);
  if (shape == nullptr) co_return JsonError(404, "not_found", "no such resource", ctx.request_id);
  CarrierRoute& route = found->second;
  const carriers::Carrier& carrier = *route.carrier;
  ctx.route = route.patterns.find(kind)->second;

  bool method_ok = false;
  std::string allow;
  for (std::string_view method : shape->methods) {
    method_ok = method_ok || method == req.method_string();
    allow += (allow.empty() ? "" : ", ") + std::string(method);
  }
  if (!method_ok) {
    Response res = JsonError(405, "method_not_allowed", "method not allowed", ctx.request_id);
    res.set(http_::field::allow, allow);
    co_return res;
  }
  // RFC 9110 section 8.3.1: the media type is case-insensitive; parameters follow a ';'.
  if (!shape->content_type.empty() &&
      !beast::iequals(MediaType(req[http_::field::content_type]), shape->content_type)) {
    Reject(route, Rejection::kUnsupportedMediaType, ctx);
    co_return JsonError(415, "unsupported_media_type",
                        "expected " + std::string(shape->content_type), ctx.request_id);
  }

  workspace::SnapshotPtr snapshot = routes.deps.snapshot();  // keeps `channel` alive
  const Channel* channel = snapshot->ChannelBySlug(slug);
  const bool known = channel != nullptr && channel->carrier == carrier.kind();
  std::string url;
  auto content = carrier.ReadWebhook(known ? *channel : route.decoy, kind,
                                     View(routes, req, ctx, url));
  if (!known || (!content.ok() && content.error().code == ErrorCode::kPermissionDenied)) {
    Reject(route, Rejection::kUnauthenticated, ctx);
    co_return NotAuthenticated(ctx);
  }
  if (!content.ok()) {
    Reject(route, Rejection::kMalformed, ctx, content.error().message);
    co_return ErrorResponse(content.error(), ctx.request_id);
  }

  std::vector<ingest::WebhookItem> items = ToItems(*channel, carriers::WebhookContent(*content));
  if (!items.empty()) {
    auto stored = co_await Store(*routes.deps.inbox, std::move(items));
    if (!stored.ok()) {
      Reject(route, Rejection::kNotStored, ctx, ErrorCodeName(stored.error().code));
      co_return NotStored(stored.error(), ctx);
    }
  }
  spdlog::debug("webhook.stored request_id={} carrier={} channel={} messages={} reports={}",
                ctx.request_id, carrier.kind(), channel->id, content->messages.size(),
                content->reports.size());
  carriers::WebhookAnswer answer = carrier.Answer(kind, *content, {});
  Response res{static_cast<http_::status>(answer.status), req.version()};
  res.set(http_::field::content_type, answer.content_type);
  res.body() = std::move(answer.body);
  co_return res;
}

std::string Pattern(std::string_view carrier, std::string_view kind) {
  return "/webhooks/" + std::string(carrier) + "/{channel}/" + std::string(kind);
}

}  // namespace

std::vector<std::string> WebhookRoutePatterns(const carriers::Registry& carriers) {
  std::vector<std::string> patterns;
  for (std::string_view kind : carriers.Kinds()) {
    for (const auto& shape : carriers.Find(kind)->Webhooks()) {
      patterns.push_back(Pattern(kind, shape.kind));
    }
  }
  return patterns;
}

void AddWebhookRoutes(Router& router, WebhookRouteDeps deps) {
  auto routes = std::make_shared<Routes>();
  for (std::string_view kind : deps.carriers->Kinds()) {
    CarrierRoute& route = routes->carriers[std::string(kind)];
    route.carrier = deps.carriers->Find(kind);
    route.decoy = route.carrier->DecoyChannel();
    for (const auto& shape : route.carrier->Webhooks()) {
      route.patterns.emplace(std::string(shape.kind), Pattern(kind, shape.kind));
    }
    for (std::size_t i = 0; i < kRejectionNames.size(); ++i) {
      if (deps.metrics == nullptr) break;
      route.rejections[i].counter = &deps.metrics->GetCounter(
          "chorus_webhook_rejections_total",
          "Webhooks refused: unauthenticated (bad signature or unknown channel), malformed, "
          "unsupported media type, not stored",
          {{"carrier", std::string(kind)}, {"reason", std::string(kRejectionNames[i])}});
    }
  }
  routes->deps = std::move(deps);
  auto handler = [routes](const Request& req, RequestContext& ctx) {
    return Handle(*routes, req, ctx);
  };
  router.Add(Verb::post, std::string(carriers::kWebhookRoute), handler);
  router.Add(Verb::get, std::string(carriers::kWebhookRoute), handler);
}

}  // namespace chorus::http

#include "http/service_routes.hpp"

#include <memory>

#include "http/json_error.hpp"

namespace chorus::http {
namespace {

namespace http_ = beast::http;

Response Text(const Request& req, http_::status status, std::string_view type, std::string body) {
  Response res{status, req.version()};
  res.set(http_::field::content_type, type);
  res.body() = std::move(body);
  return res;
}

}  // namespace

void AddHealthRoute(Router& router) {
  router.Add(Verb::get, "/healthz",
             [](const Request& req, RequestContext&) -> asio::awaitable<Response> {
               co_return Text(req, http_::status::ok, "application/json", R"({"status":"ok"})");
             });
}

void AddAdminRoutes(Router& router, AdminRouteDeps deps) {
  auto shared = std::make_shared<const AdminRouteDeps>(std::move(deps));
  AddHealthRoute(router);
  router.Add(Verb::get, "/readyz",
             [shared](const Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
               const Readiness r = shared->readiness();
               if (r.ready) {
                 co_return Text(req, http_::status::ok, "application/json",
                                R"({"status":"ready"})");
               }
               co_return JsonError(503, "not_ready", r.reason, ctx.request_id, req.version());
             });
  router.Add(Verb::get, "/metrics",
             [shared](const Request& req, RequestContext&) -> asio::awaitable<Response> {
               co_return Text(req, http_::status::ok, "text/plain; version=0.0.4",
                              shared->metrics->Render());
             });
}

}  // namespace chorus::http

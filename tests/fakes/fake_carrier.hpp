#pragma once

#include <string>
#include <utility>
#include <vector>

#include "carriers/carrier.hpp"
#include "carriers/form.hpp"

namespace chorus::fakes {

/// A carrier of the tests' own making, so the dispatcher and the webhook route are tested
/// without any real carrier's rules. Its wire format:
///   send:    POST {api_base}/messages, form to=&body=&callback=
///   answer:  2xx "id=ID" (accepted); otherwise "code=CODE" or nothing. CODE "opted_out" is a
///            carrier opt-out; 429 and 5xx are transient (honouring Retry-After); other
///            statuses are permanent. error_code is CODE, or "http_<status>".
///   webhook: POST form id=&from=&to=&body= (inbound) or id=&status= (status), with header
///            X-Fake-Key equal to the channel's secret "key".
///   lookup:  GET {api_base}/lookup?to=; 200 "id=ID" (found), 404 (not found), else unknown.
///   status:  GET {api_base}/status?id=ID (none for an empty id); 200 "status=NAME&code=CODE"
///            (NAME one of ours), 404 (not found), else unknown. Off with `status_query` false.
class FakeCarrier final : public carriers::Carrier {
 public:
  explicit FakeCarrier(bool status_query = true, std::string kind = "fake")
      : status_query_(status_query), kind_(std::move(kind)) {}

  std::string_view kind() const override { return kind_; }
  std::vector<ChannelSettingSpec> Settings() const override {
    return {{"api_base", false, true}, {"key", true, true}};
  }
  Result<void> ValidateChannel(Channel& channel) const override {
    if (channel.settings["api_base"].empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "api_base: required");
    }
    return Ok();
  }
  std::span<const carriers::WebhookShape> Webhooks() const override {
    static const carriers::WebhookShape kShapes[] = {
        {"inbound", {"POST"}, "application/x-www-form-urlencoded"},
        {"status", {"POST"}, "application/x-www-form-urlencoded"}};
    return kShapes;
  }
  Result<carriers::WebhookContent> ReadWebhook(const Channel& channel, std::string_view kind,
                                               const carriers::WebhookRequest& request) const override {
    auto key = channel.secrets.find("key");
    if (key == channel.secrets.end() || request.Header("X-Fake-Key") != key->second) {
      return MakeError(ErrorCode::kPermissionDenied, "bad key");
    }
    auto form = carriers::ParseForm(request.body);
    if (!form.ok()) return form.take_error();
    auto get = [&](std::string_view name) {
      const std::string* value = carriers::FindParam(*form, name);
      return value == nullptr ? std::string() : *value;
    };
    if (get("id").empty()) return MakeError(ErrorCode::kInvalidArgument, "id is missing");
    carriers::WebhookContent content;
    if (kind == "inbound") {
      content.messages.push_back({get("id"), get("from"), get("to"), get("body"), 0});
    } else {
      auto status = ParseStatusName(get("status"));
      if (!status) return MakeError(ErrorCode::kInvalidArgument, "status is unknown");
      content.reports.push_back({get("id"), get("status"), *status, get("code")});
    }
    return content;
  }
  carriers::WebhookAnswer Answer(std::string_view, const carriers::WebhookContent&,
                                 std::span<const std::string>) const override {
    return {200, "text/plain", "ok"};
  }
  Channel DecoyChannel() const override {
    Channel decoy;
    decoy.carrier = "fake";
    decoy.secrets["key"] = "decoy-key-nobody-knows";
    return decoy;
  }
  transport::HttpRequestSpec BuildSend(const Channel& channel,
                                       const carriers::SendRequest& message) const override {
    transport::HttpRequestSpec request;
    request.url = channel.settings.at("api_base") + "/messages";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = carriers::EncodeForm(
        {{"to", message.to}, {"body", message.body}, {"callback", message.status_callback_url}});
    return request;
  }
  std::optional<transport::HttpRequestSpec> BuildLookup(
      const Channel& channel, const carriers::SendRequest& message,
      std::chrono::system_clock::time_point) const override {
    transport::HttpRequestSpec request;
    request.method = "GET";
    request.url = channel.settings.at("api_base") + "/lookup?" +
                  carriers::EncodeForm({{"to", message.to}});
    return request;
  }
  carriers::LookupOutcome ParseLookup(const carriers::SendRequest&,
                                      std::chrono::system_clock::time_point,
                                      const transport::HttpResponseSpec& response) const override {
    carriers::LookupOutcome outcome;
    if (response.status == 404) outcome.found = carriers::LookupOutcome::Found::kNo;
    if (response.status == 200 && response.body.starts_with("id=")) {
      outcome.found = carriers::LookupOutcome::Found::kYes;
      outcome.carrier_message_id = response.body.substr(3);
      outcome.status = DeliveryStatus::kSent;
    }
    return outcome;
  }

  bool HasStatusQuery() const override { return status_query_; }
  std::optional<transport::HttpRequestSpec> BuildStatusQuery(
      const Channel& channel, std::string_view carrier_message_id) const override {
    if (!status_query_ || carrier_message_id.empty()) return std::nullopt;
    transport::HttpRequestSpec request;
    request.method = "GET";
    request.url = channel.settings.at("api_base") + "/status?" +
                  carriers::EncodeForm({{"id", std::string(carrier_message_id)}});
    return request;
  }
  carriers::StatusQueryOutcome ParseStatusQuery(
      const transport::HttpResponseSpec& response) const override {
    carriers::StatusQueryOutcome outcome;
    if (response.status == 404) outcome.found = carriers::StatusQueryOutcome::Found::kNo;
    if (response.status != 200) return outcome;
    auto form = carriers::ParseForm(response.body);
    const std::string* name = form.ok() ? carriers::FindParam(*form, "status") : nullptr;
    auto status = name == nullptr ? std::optional<DeliveryStatus>() : ParseStatusName(*name);
    if (!status) return outcome;
    outcome.found = carriers::StatusQueryOutcome::Found::kYes;
    outcome.status = *status;
    outcome.raw_status = *name;
    if (const std::string* code = carriers::FindParam(*form, "code")) outcome.error_code = *code;
    return outcome;
  }

  carriers::SendOutcome ParseSend(const transport::HttpResponseSpec& response) const override {
    carriers::SendOutcome outcome;
    outcome.error_message = "fake carrier";
    if (response.status == 0) {
      outcome.result = carriers::SendResult::kRetry;
      outcome.error_code = response.timed_out ? "timeout" : "network";
      return outcome;
    }
    auto field = [&](std::string_view name) {
      auto form = carriers::ParseForm(response.body);
      const std::string* value = form.ok() ? carriers::FindParam(*form, name) : nullptr;
      return value == nullptr ? std::string() : *value;
    };
    if (response.status >= 200 && response.status < 300) {
      outcome.carrier_message_id = field("id");
      outcome.result = outcome.carrier_message_id.empty() ? carriers::SendResult::kPermanentFailure
                                                          : carriers::SendResult::kAccepted;
      if (outcome.carrier_message_id.empty()) outcome.error_code = "bad_response";
      return outcome;
    }
    const std::string code = field("code");
    outcome.error_code = code.empty() ? "http_" + std::to_string(response.status) : code;
    if (code == "opted_out") {
      outcome.result = carriers::SendResult::kRecipientOptedOut;
    } else if (response.status == 429 || response.status >= 500) {
      outcome.result = carriers::SendResult::kRetry;
      outcome.retry_after = response.retry_after;
    } else {
      outcome.result = carriers::SendResult::kPermanentFailure;
    }
    return outcome;
  }

 private:
  bool status_query_ = true;
  std::string kind_;
};

}  // namespace chorus::fakes

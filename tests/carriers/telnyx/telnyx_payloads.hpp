#pragma once

#include <string>

// Webhook bodies in the shape of Telnyx's own examples (its API reference and SDK types,
// docs/CARRIERS.md, Telnyx), for the unit tests, the fake and the fuzz seeds.
namespace chorus::testing::telnyx {

inline std::string InboundEvent(const std::string& message_id, const std::string& from,
                                const std::string& to, const std::string& text_json) {
  return R"({"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4",)"
         R"("occurred_at":"2026-12-02T18:43:39.000+00:00","payload":{"cc":[],)"
         R"("completed_at":null,"cost":null,"direction":"inbound","encoding":"GSM-7",)"
         R"("errors":[],"from":{"carrier":"T-Mobile USA","line_type":"long_code",)"
         R"("phone_number":")" + from + R"(","status":"webhook_delivered"},"id":")" + message_id +
         R"(","media":[],"messaging_profile_id":"740572b6-099c-44a1-89b9-6c92163bc68d",)"
         R"("organization_id":"47a530f8-4362-4526-829b-bcee17fd9f7a","parts":1,)"
         R"("received_at":"2026-12-02T18:43:39.000+00:00","record_type":"message",)"
         R"("sent_at":null,"subject":"","tags":[],"text":)" + text_json +
         R"(,"to":[{"carrier":"Telnyx","line_type":"Wireless","phone_number":")" + to +
         R"(","status":"webhook_delivered"}],"type":"SMS","valid_until":null,)"
         R"("webhook_failover_url":null,"webhook_url":"https://example.com/webhooks"},)"
         R"("record_type":"event"}})";
}

// message.sent or message.finalized for an outbound message; `error_code` empty for none.
inline std::string DeliveryEvent(const std::string& event_type, const std::string& message_id,
                                 const std::string& to, const std::string& status,
                                 const std::string& error_code = "") {
  const std::string errors =
      error_code.empty() ? "[]"
                         : R"([{"code":")" + error_code +
                               R"(","title":"Recipient unavailable","detail":"The recipient could not be reached."}])";
  return R"({"data":{"event_type":")" + event_type +
         R"(","id":"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be","occurred_at":"2026-12-02T18:44:00.000+00:00",)"
         R"("payload":{"completed_at":"2026-12-02T18:44:00.000+00:00","cost":{"amount":"0.0040",)"
         R"("currency":"USD"},"direction":"outbound","encoding":"GSM-7","errors":)" + errors +
         R"(,"from":{"carrier":"Telnyx","line_type":"Wireless","phone_number":"+15550100010"},)"
         R"("id":")" + message_id +
         R"(","media":[],"parts":1,"record_type":"message","sent_at":"2026-12-02T18:43:59.000+00:00",)"
         R"("smart_encoding_applied":false,"tags":[],"text":"Hi","to":[{"carrier":"T-Mobile USA",)"
         R"("line_type":"Wireless","phone_number":")" + to + R"(","status":")" + status +
         R"("}],"type":"SMS","valid_until":null,"wait_seconds":0.1},"record_type":"event"},)"
         R"("meta":{"attempt":1,"delivered_to":"https://example.com/webhooks"}})";
}

}  // namespace chorus::testing::telnyx

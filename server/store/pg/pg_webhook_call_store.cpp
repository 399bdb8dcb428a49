#include "store/pg/pg_webhook_call_store.hpp"

namespace chorus::store::pg {
namespace {

constexpr const char* kClaim = R"sql(
WITH due AS (
  SELECT organization_id, id FROM webhook_calls
   WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
   ORDER BY created_at LIMIT $1
   FOR UPDATE SKIP LOCKED
)
UPDATE webhook_calls w SET claimed_until = now() + make_interval(secs => $2::double precision)
  FROM due WHERE w.organization_id = due.organization_id AND w.id = due.id
RETURNING w.organization_id, w.id, w.member_id, w.url, w.secret_name, w.timeout_ms,
          w.payload::text
)sql";

// The result and the member event that hands it to the flow, once.
constexpr const char* kFinish = R"sql(
WITH done AS (
  UPDATE webhook_calls SET status = 'done', http_status = $3, ok = $4, finished_at = now()
   WHERE organization_id = $1 AND id = $2 AND status = 'pending'
  RETURNING organization_id, member_id, session_id, channel_id, token
)
INSERT INTO member_events (organization_id, member_id, kind, channel_id, session_id, token,
                           payload)
SELECT organization_id, member_id, 'webhook_result', channel_id, session_id, token,
       jsonb_build_object('ok', $4::boolean, 'status', $3::int)
  FROM done
RETURNING id
)sql";

}  // namespace

PgWebhookCallStore::PgWebhookCallStore(std::string dsn)
    : session_(std::move(dsn), {{"claim_calls", kClaim}, {"finish_call", kFinish}}) {}

Result<std::vector<dispatch::WebhookCall>> PgWebhookCallStore::Claim(
    std::size_t limit, std::chrono::milliseconds lease) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<dispatch::WebhookCall> calls;
    for (const auto& row : tx.exec_prepared("claim_calls", static_cast<std::int64_t>(limit),
                                            static_cast<double>(lease.count()) / 1000.0)) {
      dispatch::WebhookCall call;
      call.organization_id = row[0].as<std::int64_t>();
      call.id = row[1].as<std::int64_t>();
      call.member_id = row[2].as<std::int64_t>();
      call.url = row[3].c_str();
      call.secret_name = row[4].c_str();
      call.timeout = std::chrono::milliseconds(row[5].as<int>());
      call.payload = row[6].c_str();
      calls.push_back(std::move(call));
    }
    tx.commit();
    return calls;
  });
}

Result<bool> PgWebhookCallStore::Finish(const dispatch::WebhookCall& call, int http_status,
                                        bool ok) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto rows =
        tx.exec_prepared("finish_call", call.organization_id, call.id, http_status, ok);
    tx.commit();
    return !rows.empty();
  });
}

}  // namespace chorus::store::pg

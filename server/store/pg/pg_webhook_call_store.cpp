#include "store/pg/pg_webhook_call_store.hpp"

#include <set>
#include <utility>

#include "store/pg/pg_array.hpp"

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

// Each result with the member event that hands it to its flow, once: calls another node
// finished first (after this one's lease ran out) are skipped. Rows are locked in key order, so
// two nodes finishing overlapping calls cannot deadlock.
constexpr const char* kFinish = R"sql(
WITH v AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::boolean[])
           AS v(org, id, status, ok)
), locked AS (
  SELECT w.organization_id, w.id FROM webhook_calls w
    JOIN v ON w.organization_id = v.org AND w.id = v.id
   WHERE w.status = 'pending'
   ORDER BY w.organization_id, w.id
   FOR UPDATE OF w
), done AS (
  UPDATE webhook_calls w
     SET status = 'done', http_status = v.status, ok = v.ok, finished_at = now()
    FROM locked l JOIN v ON v.org = l.organization_id AND v.id = l.id
   WHERE w.organization_id = l.organization_id AND w.id = l.id
  RETURNING w.organization_id, w.id, w.member_id, w.session_id, w.channel_id, w.token, v.ok,
            v.status
), events AS (
  INSERT INTO member_events (organization_id, member_id, kind, channel_id, session_id, token,
                             payload)
  SELECT organization_id, member_id, 'webhook_result', channel_id, session_id, token,
         jsonb_build_object('ok', ok, 'status', status)
    FROM done
)
SELECT organization_id, id FROM done
)sql";

}  // namespace

PgWebhookCallStore::PgWebhookCallStore(std::string dsn)
    : session_(std::move(dsn), {{"claim_calls", kClaim}, {"finish_calls", kFinish}}) {}

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

Result<std::vector<bool>> PgWebhookCallStore::Finish(
    const std::vector<dispatch::WebhookResult>& results) {
  return session_.Run([&](pqxx::connection& c) {
    std::vector<std::int64_t> orgs, ids, statuses;
    std::vector<bool> oks;
    for (const auto& r : results) {
      orgs.push_back(r.call.organization_id);
      ids.push_back(r.call.id);
      statuses.push_back(r.http_status);
      oks.push_back(r.ok);
    }
    pqxx::work tx(c);
    std::set<std::pair<std::int64_t, std::int64_t>> finished;
    for (const auto& row : tx.exec_prepared("finish_calls", IntArray(orgs), IntArray(ids),
                                            IntArray(statuses), BoolArray(oks))) {
      finished.emplace(row[0].as<std::int64_t>(), row[1].as<std::int64_t>());
    }
    tx.commit();
    std::vector<bool> out;
    for (const auto& r : results)
      out.push_back(finished.count({r.call.organization_id, r.call.id}));
    return out;
  });
}

}  // namespace chorus::store::pg

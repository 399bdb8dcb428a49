#include "store/pg/pg_reconcile_store.hpp"

#include <algorithm>

#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

// The channel's bucket, refilled at `per_second` for the time since its last claim, holding one
// second's worth, and locked to the end of the claim's transaction: claims of one channel take
// turns across nodes, so together they never ask faster than the rate. Made on the first claim.
constexpr const char* kRefill = R"sql(
INSERT INTO reconcile_throttles AS t (channel_id, tokens, refreshed_at)
VALUES ($1, greatest(1, $2::float8), clock_timestamp())
ON CONFLICT (channel_id) DO UPDATE
   SET tokens = least(greatest(1, $2::float8),
                      t.tokens + $2::float8 *
                                 extract(epoch FROM clock_timestamp() - t.refreshed_at)),
       refreshed_at = clock_timestamp()
RETURNING tokens
)sql";

constexpr const char* kDraw =
    "UPDATE reconcile_throttles SET tokens = tokens - $2 WHERE channel_id = $1";

// Messages the carrier took ('accepted', 'sent') with no news for `after`: sent that long ago
// and never asked, or asked that long ago. SKIP LOCKED and the mark in the same statement keep
// two nodes from asking about one message; the literal 3 is kMaxReconcileAttempts, written out
// so PostgreSQL matches the partial index outbound_unsettled (migrations/0019_reconcile.sql).
// A row that settled while this claim waited for it fails the re-checked WHERE and is skipped.
constexpr const char* kClaim = R"sql(
WITH due AS (
  SELECT o.organization_id, o.id
    FROM outbound_messages o
   WHERE o.channel_id = $1 AND o.status IN ('accepted', 'sent') AND o.reconcile_attempts < 3
     AND coalesce(o.reconciled_at, o.sent_at) < now() - make_interval(secs => $3::float8)
     AND o.carrier_message_id IS NOT NULL
   ORDER BY coalesce(o.reconciled_at, o.sent_at)
   LIMIT $2
     FOR UPDATE SKIP LOCKED
)
UPDATE outbound_messages o
   SET reconciled_at = now(), reconcile_attempts = o.reconcile_attempts + 1
  FROM due
 WHERE o.organization_id = due.organization_id AND o.id = due.id
RETURNING o.id, o.organization_id, o.carrier_message_id, o.reconcile_attempts
)sql";

// One probe per channel along outbound_unsettled: its first entry says whether anything is due.
// LATERAL with LIMIT 1 keeps it a probe; an EXISTS may be planned as one join over every
// unsettled message of all channels.
constexpr const char* kChannelsToAsk = R"sql(
SELECT c FROM unnest($1::bigint[]) AS c
 CROSS JOIN LATERAL (
   SELECT 1 FROM outbound_messages o
    WHERE o.channel_id = c AND o.status IN ('accepted', 'sent') AND o.reconcile_attempts < 3
      AND coalesce(o.reconciled_at, o.sent_at) < now() - make_interval(secs => $2::float8)
      AND o.carrier_message_id IS NOT NULL
    LIMIT 1) due
)sql";

static_assert(dispatch::kMaxReconcileAttempts == 3, "kClaim and 0019's index hold the number 3");

}  // namespace

PgReconcileStore::PgReconcileStore(std::string dsn)
    : session_(std::move(dsn), {{"reconcile_channels", kChannelsToAsk},
                                {"reconcile_refill", kRefill},
                                {"reconcile_draw", kDraw},
                                {"reconcile_claim", kClaim}}) {}

Result<std::vector<ChannelId>> PgReconcileStore::ChannelsToAsk(
    const std::vector<ChannelId>& channels, std::chrono::seconds after) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const pqxx::result rows = tx.exec_prepared("reconcile_channels", IntArray(channels),
                                               static_cast<double>(after.count()));
    std::vector<ChannelId> due;
    for (const auto& row : rows) due.push_back(row[0].as<std::int64_t>());
    return due;
  });
}

Result<std::vector<dispatch::UnsettledMessage>> PgReconcileStore::ClaimUnsettled(
    ChannelId channel, std::chrono::seconds after, int per_second) {
  return session_.Run([&](pqxx::connection& c) {
    std::vector<dispatch::UnsettledMessage> claimed;
    pqxx::work tx(c);
    const pqxx::result bucket =
        tx.exec_prepared("reconcile_refill", channel, static_cast<double>(per_second));
    const double tokens = bucket.empty() ? 0.0 : bucket[0][0].as<double>();
    if (tokens < 1.0) {
      tx.commit();  // the refill's clock moved on
      return claimed;
    }
    const int limit = std::min(per_second, static_cast<int>(tokens));
    const pqxx::result rows =
        tx.exec_prepared("reconcile_claim", channel, limit, static_cast<double>(after.count()));
    if (!rows.empty()) tx.exec_prepared("reconcile_draw", channel, static_cast<int>(rows.size()));
    tx.commit();
    for (const auto& row : rows) {
      dispatch::UnsettledMessage m;
      m.id = row[0].as<std::int64_t>();
      m.organization_id = row[1].as<std::int64_t>();
      m.channel_id = channel;
      m.carrier_message_id = row[2].c_str();
      m.attempt = row[3].as<int>();
      claimed.push_back(std::move(m));
    }
    return claimed;
  });
}

}  // namespace chorus::store::pg

#include "store/pg/pg_outbox_store.hpp"

#include <algorithm>
#include <tuple>

#include "store/pg/carrier_id_lock.hpp"
#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

using dispatch::SendAction;
using dispatch::SendRecord;

// Only the head of a member's queue is claimed (dispatch/outbox_store.hpp): nothing while
// another message to the member is in flight on any channel, nor past an earlier queued one on
// this channel of equal or better priority, even one waiting for its retry. So a member's
// messages reach the carrier one at a time and in order (a STOP confirmation waits for the
// welcome in flight before it), while order between members stays free. A better priority may
// overtake a queued worse one (a reply passes a queued broadcast).
//
// The consent check is part of the claim: a message to a member opted out of this channel or
// the whole organization is not sent. Compliance messages (the STOP confirmation, HELP answers)
// reach opted-out members, but not past an opt-out that is newer than the message itself. A
// blocked message that may already have reached the carrier is never simply cancelled: it is
// leased like a send and returned as lookup-only, so the dispatcher asks the carrier.
//
// A broadcast message past its stale-after time is not sent either: 'expired' (or, when an
// earlier attempt may have reached the carrier, lookup-only like an opted-out one).
//
// The head-of-line check ends in OFFSET 0 so PostgreSQL keeps it a subquery probed per
// candidate by (organization, member) on outbound_open_by_member. Left as a plain NOT EXISTS it
// becomes an anti join whose plan, chosen while few messages are open, reads every open message
// for every candidate: with 100,000 queued a claim took seconds (BENCHMARKS.md, run O).
constexpr const char* kClaim = R"sql(
WITH due AS (
  SELECT o.organization_id, o.id
    FROM outbound_messages o
   WHERE o.channel_id = $1 AND o.status = 'queued' AND o.next_attempt_at <= now()
     AND NOT EXISTS (
       SELECT 1 FROM outbound_messages p
        WHERE p.organization_id = o.organization_id AND p.member_id = o.member_id
          AND p.status IN ('queued', 'sending') AND p.id <> o.id
          AND (p.status = 'sending'
               OR (p.channel_id = o.channel_id AND (p.priority, p.id) < (o.priority, o.id)))
       OFFSET 0)
   ORDER BY o.priority, o.id
   LIMIT $2
     FOR UPDATE SKIP LOCKED
), decided AS (
  SELECT d.organization_id, d.id, o.outcome_unknown AS unknown,
         coalesce(o.expires_at <= now(), false) AS stale,
         coalesce(o.expires_at <= now(), false) OR
         EXISTS (SELECT 1 FROM opt_outs x
                  WHERE x.organization_id = o.organization_id AND x.member_id = o.member_id
                    AND (x.channel_id IS NULL OR x.channel_id = o.channel_id)
                    AND (o.kind <> 'compliance' OR x.created_at > o.created_at)) AS blocked
    FROM due d
    JOIN outbound_messages o ON o.organization_id = d.organization_id AND o.id = d.id
)
UPDATE outbound_messages o
   SET status = CASE WHEN decided.cancel AND decided.stale THEN 'expired'
                     WHEN decided.cancel THEN 'cancelled' ELSE 'sending' END,
       error_code = CASE WHEN decided.stale THEN 'stale'
                         WHEN decided.blocked THEN 'opted_out' ELSE o.error_code END,
       attempts = o.attempts + CASE WHEN decided.cancel THEN 0 ELSE 1 END,
       lease_owner = CASE WHEN decided.cancel THEN NULL ELSE $3 END,
       lease_until = CASE WHEN decided.cancel THEN NULL
                          ELSE now() + make_interval(secs => $4::double precision) END,
       updated_at = now()
  FROM (SELECT *, blocked AND NOT unknown AS cancel FROM decided) decided
 WHERE o.organization_id = decided.organization_id AND o.id = decided.id
RETURNING o.id, o.organization_id, o.channel_id, o.member_id, o.recipient, o.body, o.segments,
          o.attempts, o.priority, NOT decided.cancel, o.outcome_unknown,
          extract(epoch FROM o.created_at)::double precision, decided.blocked
)sql";

// The channel's shared bucket, refilled for the time since its last claim and locked to the
// end of the claim's transaction (so claims of one channel take turns across nodes). The row is
// made on the first claim.
constexpr const char* kRefill = R"sql(
INSERT INTO channel_throttles AS t (channel_id, organization_id, tokens, refreshed_at)
SELECT c.id, c.organization_id, greatest(1, $2::float8), clock_timestamp()
  FROM channels c WHERE c.id = $1
ON CONFLICT (channel_id) DO UPDATE
   SET tokens = least(greatest(1, $2::float8),
                      t.tokens + $2::float8 *
                        greatest(0, extract(epoch FROM clock_timestamp() - t.refreshed_at))),
       refreshed_at = clock_timestamp()
RETURNING tokens
)sql";

constexpr const char* kDraw =
    "UPDATE channel_throttles SET tokens = tokens - $2 WHERE channel_id = $1";

// Only the holder of the current lease may record (fencing by attempt number).
constexpr const char* kAccepted = R"sql(
UPDATE outbound_messages o
   SET carrier_message_id = v.sid,
       status = COALESCE(
         (SELECT d.status FROM delivery_events d
           WHERE d.organization_id = v.org AND d.channel_id = o.channel_id
             AND d.carrier_message_id = v.sid
             AND chorus_status_rank(d.status) > chorus_status_rank(v.status)
           ORDER BY chorus_status_rank(d.status) DESC, d.id LIMIT 1),
         v.status),
       sent_at = now(), lease_owner = NULL, lease_until = NULL,
       -- The error code of that same early report ("undelivered" with 30003), else none.
       error_code = (SELECT d.error_code FROM delivery_events d
                      WHERE d.organization_id = v.org AND d.channel_id = o.channel_id
                        AND d.carrier_message_id = v.sid
                        AND chorus_status_rank(d.status) > chorus_status_rank(v.status)
                      ORDER BY chorus_status_rank(d.status) DESC, d.id LIMIT 1),
       error_message = NULL, outcome_unknown = false, updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[])
       AS v(org, id, attempt, sid, status)
 WHERE o.organization_id = v.org AND o.id = v.id AND o.status = 'sending'
   AND o.attempts = v.attempt
)sql";

// outcome_unknown only ever turns on here: an earlier attempt's doubt is not lifted by a later
// attempt that failed.
constexpr const char* kRetry = R"sql(
UPDATE outbound_messages o
   SET status = 'queued', next_attempt_at = now() + make_interval(secs => v.delay),
       lease_owner = NULL, lease_until = NULL, error_code = v.code, error_message = v.message,
       outcome_unknown = o.outcome_unknown OR v.unknown, updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::double precision[], $5::text[],
              $6::text[], $7::boolean[]) AS v(org, id, attempt, delay, code, message, unknown)
 WHERE o.organization_id = v.org AND o.id = v.id AND o.status = 'sending'
   AND o.attempts = v.attempt
)sql";

// Resolutions of a lookup-only claim: 'cancelled' (the carrier never had it) or 'unknown'.
constexpr const char* kSettled = R"sql(
UPDATE outbound_messages o
   SET status = v.status, lease_owner = NULL, lease_until = NULL, error_code = v.code,
       error_message = v.message, outcome_unknown = v.status = 'unknown', updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[])
       AS v(org, id, attempt, status, code, message)
 WHERE o.organization_id = v.org AND o.id = v.id AND o.status = 'sending'
   AND o.attempts = v.attempt
)sql";

constexpr const char* kFailed = R"sql(
UPDATE outbound_messages o
   SET status = 'failed', lease_owner = NULL, lease_until = NULL, error_code = v.code,
       error_message = v.message, updated_at = now()
  FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[])
       AS v(org, id, attempt, code, message)
 WHERE o.organization_id = v.org AND o.id = v.id AND o.status = 'sending'
   AND o.attempts = v.attempt
)sql";

// Twilio 21610: the carrier blocks this member for this sender. Record it as an opt-out with
// source 'carrier' so nothing more is attempted, and stop what is queued for them there.
constexpr const char* kOptedOutAtCarrier = R"sql(
WITH failed AS (
  UPDATE outbound_messages o
     SET status = 'failed', lease_owner = NULL, lease_until = NULL, error_code = v.code,
         error_message = v.message, updated_at = now()
    FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[])
         AS v(org, id, attempt, code, message)
   WHERE o.organization_id = v.org AND o.id = v.id AND o.status = 'sending'
     AND o.attempts = v.attempt
  RETURNING o.organization_id, o.member_id, o.channel_id
), consent AS (
  INSERT INTO consent_events (organization_id, member_id, channel_id, kind, scope, source)
  SELECT DISTINCT organization_id, member_id, channel_id, 'opt_out', 'channel', 'carrier'
    FROM failed
), cancelled AS (
  -- One that may already have reached the carrier stays queued: its claim asks the carrier.
  UPDATE outbound_messages o
     SET status = 'cancelled', error_code = 'opted_out', updated_at = now()
    FROM failed f
   WHERE o.organization_id = f.organization_id AND o.member_id = f.member_id
     AND o.channel_id = f.channel_id AND o.status = 'queued' AND NOT o.outcome_unknown
)
INSERT INTO opt_outs (organization_id, member_id, channel_id)
SELECT DISTINCT organization_id, member_id, channel_id FROM failed
ON CONFLICT DO NOTHING
)sql";

struct Columns {
  std::vector<std::int64_t> orgs, ids, attempts;
  std::vector<std::string> codes, messages, sids, statuses;
  std::vector<double> delays;
  std::vector<bool> unknown;
  void Add(const SendRecord& r) {
    unknown.push_back(r.outcome_unknown);
    orgs.push_back(r.organization_id);
    ids.push_back(r.id);
    attempts.push_back(r.attempt);
    codes.push_back(r.error_code);
    messages.push_back(r.error_message);
    sids.push_back(r.carrier_message_id);
    statuses.push_back(std::string(StatusName(r.status)));
    delays.push_back(static_cast<double>(r.retry_in.count()));
  }
  bool empty() const { return ids.empty(); }
};

std::string DoubleArray(const std::vector<double>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

}  // namespace

PgOutboxStore::PgOutboxStore(std::string dsn)
    : session_(std::move(dsn), {{"claim", kClaim},
                                kLockCarrierIds,
                                {"refill", kRefill},
                                {"draw", kDraw},
                                {"accepted", kAccepted},
                                {"retry", kRetry},
                                {"failed", kFailed},
                                {"settled", kSettled},
                                {"opted_out_at_carrier", kOptedOutAtCarrier}}) {}

Result<dispatch::ClaimBatch> PgOutboxStore::Claim(ChannelId channel, int limit,
                                                  std::string_view owner,
                                                  std::chrono::seconds lease,
                                                  double segments_per_second) {
  int limited_to = 0;
  return session_.Run([&](pqxx::connection& c) {
    limited_to = 0;
    pqxx::work tx(c);
    if (segments_per_second > 0) {
      const pqxx::result bucket = tx.exec_prepared("refill", channel, segments_per_second);
      const double tokens = bucket.empty() ? 0.0 : bucket[0][0].as<double>();
      if (tokens < 1.0) {
        tx.commit();
        dispatch::ClaimBatch throttled;
        throttled.throttled_for = std::chrono::milliseconds(
            1 + static_cast<std::int64_t>(1000.0 * (1.0 - tokens) / segments_per_second));
        return throttled;
      }
      if (tokens < limit) limited_to = limit = static_cast<int>(tokens);
    }
    const pqxx::result rows = tx.exec_prepared("claim", channel, limit, std::string(owner),
                                             static_cast<double>(lease.count()));
    if (segments_per_second > 0) {
      std::int64_t used = 0;  // a lookup sends nothing; a cancelled message neither
      for (const auto& row : rows) {
        if (row[9].as<bool>() && !row[12].as<bool>()) used += row[6].as<int>();
      }
      if (used > 0) tx.exec_prepared("draw", channel, used);
    }
    tx.commit();
    std::vector<std::tuple<int, OutboundId, dispatch::ClaimedMessage>> claimed;
    for (const auto& row : rows) {
      if (!row[9].as<bool>()) continue;  // cancelled for an opt-out
      dispatch::ClaimedMessage m;
      m.id = row[0].as<std::int64_t>();
      m.organization_id = row[1].as<std::int64_t>();
      m.channel_id = row[2].as<std::int64_t>();
      m.member_id = row[3].as<std::int64_t>();
      m.recipient = row[4].c_str();
      m.body = row[5].c_str();
      m.segments = row[6].as<int>();
      m.attempt = row[7].as<int>();
      m.outcome_unknown = row[10].as<bool>();
      m.lookup_only = row[12].as<bool>();
      m.created_at = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::duration<double>(row[11].as<double>())));
      claimed.emplace_back(row[8].as<int>(), m.id, std::move(m));
    }
    // RETURNING has no order; send best priority, then oldest, first.
    std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    dispatch::ClaimBatch batch;
    batch.examined = static_cast<int>(rows.size());
    batch.limited_to = limited_to;
    for (auto& t : claimed) batch.messages.push_back(std::move(std::get<2>(t)));
    return batch;
  });
}

Result<void> PgOutboxStore::RecordResults(const std::vector<SendRecord>& records) {
  Columns accepted, retry, failed, opted_out, settled;
  for (const auto& r : records) {
    switch (r.action) {
      case SendAction::kAccepted: accepted.Add(r); break;
      case SendAction::kRetry: retry.Add(r); break;
      case SendAction::kFailed: failed.Add(r); break;
      case SendAction::kOptedOutAtCarrier: opted_out.Add(r); break;
      case SendAction::kCancelled:
        settled.Add(r);
        settled.statuses.back() = "cancelled";
        break;
      case SendAction::kUnknown:
        settled.Add(r);
        settled.statuses.back() = "unknown";
        break;
    }
  }
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!accepted.empty()) {
      std::vector<std::int64_t> channels;
      std::vector<std::string> sids;
      for (const auto& r : records) {
        if (r.action != SendAction::kAccepted) continue;
        channels.push_back(r.channel_id);
        sids.push_back(r.carrier_message_id);
      }
      tx.exec_prepared(kLockCarrierIds.name, IntArray(channels), TextArray(sids));
      tx.exec_prepared("accepted", IntArray(accepted.orgs), IntArray(accepted.ids),
                     IntArray(accepted.attempts), TextArray(accepted.sids),
                     TextArray(accepted.statuses));
    }
    if (!retry.empty()) {
      tx.exec_prepared("retry", IntArray(retry.orgs), IntArray(retry.ids), IntArray(retry.attempts),
                     DoubleArray(retry.delays), TextArray(retry.codes),
                     TextArray(retry.messages), BoolArray(retry.unknown));
    }
    if (!failed.empty()) {
      tx.exec_prepared("failed", IntArray(failed.orgs), IntArray(failed.ids),
                     IntArray(failed.attempts), TextArray(failed.codes),
                     TextArray(failed.messages));
    }
    if (!settled.empty()) {
      tx.exec_prepared("settled", IntArray(settled.orgs), IntArray(settled.ids),
                       IntArray(settled.attempts), TextArray(settled.statuses),
                       TextArray(settled.codes), TextArray(settled.messages));
    }
    if (!opted_out.empty()) {
      tx.exec_prepared("opted_out_at_carrier", IntArray(opted_out.orgs), IntArray(opted_out.ids),
                     IntArray(opted_out.attempts), TextArray(opted_out.codes),
                     TextArray(opted_out.messages));
    }
    tx.commit();
  });
}

Result<std::vector<std::pair<ChannelId, std::int64_t>>> PgOutboxStore::DueChannels() {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    // One probe per channel along outbound_queued, never a scan of the outbox: a channel
    // with a due message is found at its first index entry, and its count stops at 1,000
    // (the depth metric saturates there). Broadcast messages waiting for their time are 'held',
    // outside this index, so a million of them cost nothing here.
    const pqxx::result rows = tx.exec(
        "SELECT c.id, (SELECT count(*) FROM (SELECT 1 FROM outbound_messages o"
        "   WHERE o.channel_id = c.id AND o.status = 'queued' AND o.next_attempt_at <= now()"
        "   LIMIT 1000) q)"
        " FROM channels c WHERE EXISTS (SELECT 1 FROM outbound_messages o"
        "   WHERE o.channel_id = c.id AND o.status = 'queued' AND o.next_attempt_at <= now())");
    std::vector<std::pair<ChannelId, std::int64_t>> out;
    for (const auto& row : rows) out.emplace_back(row[0].as<std::int64_t>(), row[1].as<std::int64_t>());
    return out;
  });
}

Result<std::int64_t> PgOutboxStore::RecoverExpiredLeases() {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const pqxx::result rows = tx.exec(
        "UPDATE outbound_messages SET status = 'queued', lease_owner = NULL, lease_until = NULL,"
        " next_attempt_at = now(), error_code = 'lease_expired', outcome_unknown = true,"
        " updated_at = now()"
        " WHERE status = 'sending' AND lease_until < now()");
    tx.commit();
    return static_cast<std::int64_t>(rows.affected_rows());
  });
}

Result<std::int64_t> PgOutboxStore::RecoverOwnLeases(std::string_view owner) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const pqxx::result rows = tx.exec_params(
        "UPDATE outbound_messages SET status = 'queued', lease_owner = NULL, lease_until = NULL,"
        " next_attempt_at = now(), error_code = 'lease_recovered', outcome_unknown = true,"
        " updated_at = now()"
        " WHERE status = 'sending' AND lease_owner = $1",
        std::string(owner));
    tx.commit();
    return static_cast<std::int64_t>(rows.affected_rows());
  });
}

}  // namespace chorus::store::pg

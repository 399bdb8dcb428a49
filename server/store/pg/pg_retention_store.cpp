#include "store/pg/pg_retention_store.hpp"

#include <algorithm>
#include <vector>

#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

using retention::Direction;
using retention::RedactionStep;

// Per direction: each message's age against the period, whether it is still in use, whether
// its body is already gone. In use: inbound not yet processed; outbound queued or being sent
// (a lookup at the carrier before a resend compares bodies).
constexpr const char* kScanInbound = R"sql(
SELECT id, received_at < now() - make_interval(days => $3), processed_at IS NULL,
       body_redacted_at IS NOT NULL
  FROM inbound_messages WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT $4)sql";
constexpr const char* kScanOutbound = R"sql(
SELECT id, created_at < now() - make_interval(days => $3), status IN ('queued', 'sending'),
       body_redacted_at IS NOT NULL
  FROM outbound_messages WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT $4)sql";
constexpr const char* kRedactInbound = R"sql(
UPDATE inbound_messages SET body = '', body_redacted_at = now()
 WHERE organization_id = $1 AND id = ANY($2::bigint[]) AND processed_at IS NOT NULL)sql";
constexpr const char* kRedactOutbound = R"sql(
UPDATE outbound_messages SET body = '', body_redacted_at = now()
 WHERE organization_id = $1 AND id = ANY($2::bigint[])
   AND status NOT IN ('queued', 'sending'))sql";

// What one scan found: the bodies to erase, how far the shared cursor may move (up to the first
// message in use, which the next run must see again), where this run goes on.
struct Walk {
  std::vector<std::int64_t> erase;
  std::int64_t cursor = 0;
  std::int64_t resume_after = 0;
  bool reached_recent = false;
};

Walk WalkRows(const pqxx::result& rows, std::int64_t cursor, std::int64_t start) {
  Walk walk{.cursor = cursor, .resume_after = start};
  bool cursor_moves = start == cursor;  // no message in use behind us in this run
  for (const auto& row : rows) {
    const auto id = row[0].as<std::int64_t>();
    if (!row[1].as<bool>()) {
      walk.reached_recent = true;
      break;
    }
    walk.resume_after = id;
    if (row[2].as<bool>()) {
      cursor_moves = false;
      continue;
    }
    if (!row[3].as<bool>()) walk.erase.push_back(id);
    if (cursor_moves) walk.cursor = id;
  }
  return walk;
}

}  // namespace

PgRetentionStore::PgRetentionStore(std::string dsn) : session_(std::move(dsn)) {}

Result<RedactionStep> PgRetentionStore::RedactOlderThan(OrganizationId organization,
                                                        Direction direction, int days,
                                                        int limit, std::int64_t resume_after) {
  const std::string name(retention::DirectionName(direction));
  const bool inbound = direction == Direction::kInbound;
  auto result = session_.Run([&](pqxx::connection& c) -> RedactionStep {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO retention_cursors (organization_id, direction) VALUES ($1, $2)"
                   " ON CONFLICT DO NOTHING",
                   organization, name);
    const pqxx::result held = tx.exec_params(
        "SELECT last_id FROM retention_cursors WHERE organization_id = $1 AND direction = $2"
        " FOR UPDATE SKIP LOCKED",
        organization, name);
    if (held.empty()) return RedactionStep{.skipped = true};
    const auto cursor = held[0][0].as<std::int64_t>();
    const std::int64_t start = std::max(cursor, resume_after);
    const pqxx::result rows =
        tx.exec_params(inbound ? kScanInbound : kScanOutbound, organization, start, days, limit);
    const Walk walk = WalkRows(rows, cursor, start);
    int redacted = 0;
    if (!walk.erase.empty()) {
      redacted = static_cast<int>(
          tx.exec_params(inbound ? kRedactInbound : kRedactOutbound, organization,
                         IntArray(walk.erase))
              .affected_rows());
    }
    if (walk.cursor != cursor) {
      tx.exec_params("UPDATE retention_cursors SET last_id = $3, updated_at = now()"
                     " WHERE organization_id = $1 AND direction = $2",
                     organization, name, walk.cursor);
    }
    tx.commit();
    return RedactionStep{.redacted = redacted,
                         .more = !walk.reached_recent && rows.size() == std::size_t(limit),
                         .resume_after = walk.resume_after};
  });
  return result;
}

Result<int> PgRetentionStore::ExpireIdempotencyKeys(std::chrono::hours age) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const int expired = static_cast<int>(
        tx.exec_params("DELETE FROM api_idempotency WHERE created_at < now() - $1::int * interval"
                       " '1 hour'",
                       static_cast<int>(age.count()))
            .affected_rows());
    tx.commit();
    return expired;
  });
}

}  // namespace chorus::store::pg

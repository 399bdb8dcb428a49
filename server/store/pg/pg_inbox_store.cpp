#include "store/pg/pg_inbox_store.hpp"

#include <map>
#include <set>
#include <tuple>

#include "store/pg/carrier_id_lock.hpp"
#include "store/pg/inbox_statements.hpp"
#include "store/pg/pg_array.hpp"

namespace chorus::store::pg {
namespace {

using ingest::InboundItem;
using ingest::StatusItem;

// Records each report once, and moves its outbound message forward only: the best status of
// the batch per message, applied when it outranks the stored one (terminal rank 4 never moves).
constexpr const char* kInsertStatus = R"sql(
WITH v AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                       $6::text[]) AS v(org, channel, sid, status, raw, err)
), ins AS (
  INSERT INTO delivery_events (organization_id, channel_id, carrier_message_id, status,
                               raw_status, error_code)
  SELECT org, channel, sid, status, raw, NULLIF(err, '') FROM v
  ON CONFLICT (organization_id, channel_id, carrier_message_id, raw_status) DO NOTHING
  RETURNING channel_id, carrier_message_id, raw_status
), best AS (
  SELECT DISTINCT ON (org, channel, sid) org, channel, sid, status, err FROM v
  ORDER BY org, channel, sid, chorus_status_rank(status) DESC
), moved AS (
  UPDATE outbound_messages m
     SET status = best.status,
         error_code = COALESCE(NULLIF(best.err, ''), m.error_code),
         updated_at = now()
    FROM best
   WHERE m.organization_id = best.org AND m.channel_id = best.channel
     AND m.carrier_message_id = best.sid
     AND chorus_status_rank(best.status) > chorus_status_rank(m.status)
  RETURNING 1
)
SELECT channel_id, carrier_message_id, raw_status FROM ins
)sql";

struct Split {
  std::vector<std::size_t> inbound;
  std::vector<std::size_t> status;
};

Split SplitItems(const std::vector<ingest::WebhookItem>& items) {
  Split s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    (std::holds_alternative<InboundItem>(items[i]) ? s.inbound : s.status).push_back(i);
  }
  return s;
}

void UpsertSenders(pqxx::work& tx, const std::vector<ingest::WebhookItem>& items,
                   const std::vector<std::size_t>& indexes) {
  std::vector<std::int64_t> orgs;
  std::vector<std::string> senders;
  for (std::size_t i : indexes) {
    const auto& in = std::get<InboundItem>(items[i]);
    if (!in.sender_is_e164) continue;
    orgs.push_back(in.organization_id);
    senders.push_back(in.sender);
  }
  if (!orgs.empty()) tx.exec_prepared(kUpsertSenders.name, IntArray(orgs), TextArray(senders));
}

void StoreInbound(pqxx::work& tx, const std::vector<ingest::WebhookItem>& items,
                  const std::vector<std::size_t>& indexes, ingest::StoredBatch& out) {
  if (indexes.empty()) return;
  std::vector<std::int64_t> orgs, channels, media;
  std::vector<std::string> sids, senders, recipients, bodies;
  std::vector<bool> e164;
  for (std::size_t i : indexes) {
    const auto& in = std::get<InboundItem>(items[i]);
    orgs.push_back(in.organization_id);
    channels.push_back(in.channel_id);
    sids.push_back(in.carrier_message_id);
    senders.push_back(in.sender);
    e164.push_back(in.sender_is_e164);
    recipients.push_back(in.recipient);
    bodies.push_back(in.body);
    media.push_back(in.num_media);
  }
  UpsertSenders(tx, items, indexes);
  const pqxx::result rows = tx.exec_prepared(
      kInsertInbound.name, IntArray(orgs), IntArray(channels), TextArray(sids), TextArray(senders),
      BoolArray(e164), TextArray(recipients), TextArray(bodies), IntArray(media));
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> inserted;
  for (const auto& row : rows) {
    inserted.emplace(std::make_pair(row[0].as<std::int64_t>(), std::string(row[1].c_str())),
                     row[2].as<std::int64_t>());
  }
  // A repeat inside the same batch: only its first occurrence is new.
  for (std::size_t i : indexes) {
    const auto& in = std::get<InboundItem>(items[i]);
    auto it = inserted.find({in.channel_id, in.carrier_message_id});
    if (it == inserted.end()) continue;
    out.fresh[i] = true;
    out.members[i] = it->second;
    inserted.erase(it);
  }
}

void StoreStatus(pqxx::work& tx, const std::vector<ingest::WebhookItem>& items,
                 const std::vector<std::size_t>& indexes, std::vector<bool>& fresh) {
  if (indexes.empty()) return;
  std::vector<std::int64_t> orgs, channels;
  std::vector<std::string> sids, statuses, raws, errors;
  for (std::size_t i : indexes) {
    const auto& st = std::get<StatusItem>(items[i]);
    orgs.push_back(st.organization_id);
    channels.push_back(st.channel_id);
    sids.push_back(st.carrier_message_id);
    statuses.push_back(std::string(StatusName(st.status)));
    raws.push_back(st.raw_status);
    errors.push_back(st.error_code);
  }
  const pqxx::result rows =
      tx.exec_prepared("insert_status", IntArray(orgs), IntArray(channels), TextArray(sids),
                     TextArray(statuses), TextArray(raws), TextArray(errors));
  std::set<std::tuple<std::int64_t, std::string, std::string>> inserted;
  for (const auto& row : rows) {
    inserted.emplace(row[0].as<std::int64_t>(), row[1].c_str(), row[2].c_str());
  }
  for (std::size_t i : indexes) {
    const auto& st = std::get<StatusItem>(items[i]);
    fresh[i] = inserted.erase({st.channel_id, st.carrier_message_id, st.raw_status}) > 0;
  }
}

}  // namespace

PgInboxStore::PgInboxStore(std::string dsn)
    : session_(std::move(dsn), {kLockCarrierIds,
                                kUpsertSenders,
                                kInsertInbound,
                                {"insert_status", kInsertStatus}}) {}

Result<ingest::StoredBatch> PgInboxStore::StoreBatch(
    const std::vector<ingest::WebhookItem>& items) {
  return session_.Run([&](pqxx::connection& c) {
    const Split split = SplitItems(items);
    ingest::StoredBatch out;
    out.fresh.assign(items.size(), false);
    out.members.assign(items.size(), 0);
    pqxx::work tx(c);
    if (!split.status.empty()) {
      std::vector<std::int64_t> channels;
      std::vector<std::string> sids;
      for (std::size_t i : split.status) {
        const auto& st = std::get<StatusItem>(items[i]);
        channels.push_back(st.channel_id);
        sids.push_back(st.carrier_message_id);
      }
      tx.exec_prepared(kLockCarrierIds.name, IntArray(channels), TextArray(sids));
    }
    StoreInbound(tx, items, split.inbound, out);
    StoreStatus(tx, items, split.status, out.fresh);
    tx.commit();
    return out;
  });
}

}  // namespace chorus::store::pg

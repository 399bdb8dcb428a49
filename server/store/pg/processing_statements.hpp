#pragma once

#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// The batch loader: the pending events of the batch's members (unprocessed inbound messages
/// and due member events, at most $3 of each kind per member), in each member's time order.
/// One index lookup per member (LATERAL over the keys), never a scan of everything pending, so
/// a batch costs the same with an empty backlog and with 100,000 waiting events, even as a
/// generic plan and with statistics from before a burst
/// (tests/store/pg_processing_store_pgtest.cpp counts its rows). That rests on the two indexes it reads (inbound_unprocessed,
/// member_events_pending) being the only ones whose predicate `processed_at IS NULL` is: see
/// migration 0006 before adding another. Parameters: organization ids, member ids, the
/// per-member limit. Shared with that test.
inline constexpr PreparedStatement kLoadEvents{"load_events", R"sql(
SELECT e.src, e.id, e.organization_id, e.member_id, e.channel_id, e.body, e.session_id,
       e.token, e.kind, e.timer, e.ok, e.flow, e.event_id
  FROM unnest($1::bigint[], $2::bigint[]) AS k(org, member)
  CROSS JOIN LATERAL (
    (SELECT 0 AS src, i.id, i.organization_id, i.member_id, i.channel_id, i.body,
            i.received_at AS at, 0::bigint AS session_id, 0 AS token, 'inbound'::text AS kind,
            ''::text AS timer, false AS ok, ''::text AS flow, NULL::bigint AS event_id
       FROM inbound_messages i
      WHERE i.organization_id = k.org AND i.member_id = k.member AND i.processed_at IS NULL
      ORDER BY i.id LIMIT $3)
    UNION ALL
    (SELECT 1, m.id, m.organization_id, m.member_id, COALESCE(m.channel_id, 0),
            COALESCE(m.payload->>'text', ''), m.due_at,
            COALESCE(m.session_id, 0), m.token, m.kind, COALESCE(m.payload->>'timer', ''),
            COALESCE((m.payload->>'ok')::boolean, false), COALESCE(m.payload->>'flow', ''),
            (m.payload->>'event_id')::bigint
       FROM member_events m
      WHERE m.organization_id = k.org AND m.member_id = k.member AND m.processed_at IS NULL
        AND m.due_at <= now()
      ORDER BY m.due_at, m.id LIMIT $3)
  ) e
 ORDER BY e.organization_id, e.member_id, e.at, e.src, e.id
)sql"};

}  // namespace chorus::store::pg

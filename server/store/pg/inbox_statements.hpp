#pragma once

#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// The group commit's first statement: the member of every E.164 sender of the batch exists
/// afterwards (created when new). ON CONFLICT waits for a concurrent insert of the same member,
/// so the next statement, with its own snapshot, always finds the row. Parameters:
/// organization ids, senders (E.164 only).
inline constexpr PreparedStatement kUpsertSenders{"upsert_senders", R"sql(
INSERT INTO members (organization_id, phone_e164)
SELECT DISTINCT org, phone FROM unnest($1::bigint[], $2::text[]) AS v(org, phone)
ORDER BY org, phone
ON CONFLICT (organization_id, phone_e164) DO NOTHING
)sql"};

/// The group commit's insert: a whole batch of inbound messages in one statement over arrays,
/// each with its member; a carrier's retry of a stored message hits the unique key and is not
/// returned. A sender that is not a phone number has no member: its message is stored
/// processed. Parameters: organization ids, channel ids, carrier message ids, senders,
/// sender-is-E.164 flags, recipients, bodies, media counts. Shared with the benchmark's
/// database baseline, so the baseline pays exactly what the server pays per row.
inline constexpr PreparedStatement kInsertInbound{"insert_inbound", R"sql(
INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender,
                              sender_is_e164, recipient, body, num_media, member_id,
                              processed_at, outcome)
SELECT v.org, v.channel, v.sid, v.sender, v.e164, v.recipient, v.body, v.media, m.id,
       CASE WHEN v.e164 THEN NULL ELSE now() END,
       CASE WHEN v.e164 THEN NULL ELSE 'invalid_sender' END
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::boolean[],
              $6::text[], $7::text[], $8::int[])
       AS v(org, channel, sid, sender, e164, recipient, body, media)
  LEFT JOIN members m ON v.e164 AND m.organization_id = v.org AND m.phone_e164 = v.sender
ON CONFLICT (organization_id, channel_id, carrier_message_id) DO NOTHING
RETURNING channel_id, carrier_message_id, COALESCE(member_id, 0)
)sql"};

}  // namespace chorus::store::pg

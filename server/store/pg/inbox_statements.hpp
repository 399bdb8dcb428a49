#pragma once

#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// The group commit's insert: a whole batch of inbound messages in one statement over arrays;
/// a carrier's retry of a stored message hits the unique key and is not returned. Parameters:
/// organization ids, channel ids, carrier message ids, senders, sender-is-E.164 flags,
/// recipients, bodies, media counts. Shared with the benchmark's database baseline, so the
/// baseline pays exactly what the server pays per row.
inline constexpr PreparedStatement kInsertInbound{"insert_inbound", R"sql(
INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender,
                              sender_is_e164, recipient, body, num_media)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::boolean[],
                     $6::text[], $7::text[], $8::int[])
ON CONFLICT (organization_id, channel_id, carrier_message_id) DO NOTHING
RETURNING channel_id, carrier_message_id
)sql"};

}  // namespace chorus::store::pg

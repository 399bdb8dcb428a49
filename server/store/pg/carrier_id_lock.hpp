#pragma once

#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// A delivery report and the recording of the send it reports on run in separate transactions;
/// under READ COMMITTED neither sees the other's uncommitted write (the report finds no carrier
/// id yet, the recording finds no report yet), and the report would never be applied. Both take
/// this transaction-level lock per (channel, carrier id) as their first statement, in one order,
/// so whichever comes second sees the first's commit. Parameters: channel ids, carrier ids.
inline constexpr PreparedStatement kLockCarrierIds{"lock_carrier_ids", R"sql(
SELECT pg_advisory_xact_lock(1129270337, k) FROM (
  SELECT DISTINCT hashtext(c::text || '/' || s) AS k
    FROM unnest($1::bigint[], $2::text[]) AS v(c, s)
   ORDER BY k) keys
 ORDER BY k
)sql"};

}  // namespace chorus::store::pg

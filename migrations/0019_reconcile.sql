-- 0019: stats converge (issue 8). A message the carrier took but whose final status never came
-- (a delivery callback refused during a database outage, which the carrier may not retry) is
-- asked about at the carrier once it has had no news for a while (CHORUS_RECONCILE_AFTER_SECONDS),
-- and the answer is recorded like a delivery callback (delivery_events, forward-only status).
--
-- reconciled_at: when a node last claimed the message to ask its carrier; with sent_at it says
-- when the message had news last. reconcile_attempts: how often it was asked. After 3 asks it
-- is left as it is (dispatch::kMaxReconcileAttempts, which must equal the 3 below).
ALTER TABLE outbound_messages ADD COLUMN reconciled_at timestamptz;
ALTER TABLE outbound_messages ADD COLUMN reconcile_attempts integer NOT NULL DEFAULT 0;

-- The claim's walk: a channel's unsettled messages by their last news, oldest first. Only
-- messages still to be asked are in it, so messages left 'sent' for good cost nothing.
CREATE INDEX outbound_unsettled ON outbound_messages
  (channel_id, (coalesce(reconciled_at, sent_at)))
  WHERE status IN ('accepted', 'sent') AND reconcile_attempts < 3;

-- Each channel's rate of status queries, shared by every node the way channel_throttles shares
-- its send rate (0018): a claim refills and draws from this row, locked to the end of its
-- transaction, so nodes take turns and together ask no faster than the rate.
CREATE TABLE reconcile_throttles (
  channel_id        bigint PRIMARY KEY,
  tokens            double precision NOT NULL,
  refreshed_at      timestamptz NOT NULL
);

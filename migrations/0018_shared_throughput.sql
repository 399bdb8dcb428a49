-- 0018: a channel's throughput holds across every node together (issue 8). Each claim refills
-- and draws from one token bucket per channel, kept in this row and locked for the length of
-- the claim's transaction: two nodes claiming for one channel take turns, and together they
-- never take more than segments_per_second (with a burst of one second's worth).
CREATE TABLE channel_throttles (
  channel_id        bigint PRIMARY KEY,
  organization_id   bigint NOT NULL,
  -- May go below zero: a message of several segments overdraws, and the debt delays the next.
  tokens            double precision NOT NULL,
  refreshed_at      timestamptz NOT NULL
);

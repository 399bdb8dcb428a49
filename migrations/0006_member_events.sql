-- 0006: processing becomes event-driven (issue 6). The ordered unit of work is a member event,
-- keyed by member id: an inbound message, a flow timer firing, the answer of a webhook a flow
-- called, an organizer's action. Locks and ordering are per member id, so the same member is
-- one queue whatever produced the event.
--
-- Inbound messages get their member at ingest (the group commit creates the member row of a
-- new E.164 sender in the same transaction), so processing finds a member's messages by id.
-- A message from a sender that is not a phone number cannot be answered: it is stored and
-- marked processed ('invalid_sender') at ingest.
INSERT INTO members (organization_id, phone_e164)
SELECT DISTINCT organization_id, sender FROM inbound_messages
 WHERE processed_at IS NULL AND sender_is_e164
ON CONFLICT (organization_id, phone_e164) DO NOTHING;
UPDATE inbound_messages i SET member_id = m.id
  FROM members m
 WHERE i.processed_at IS NULL AND i.sender_is_e164
   AND m.organization_id = i.organization_id AND m.phone_e164 = i.sender;
UPDATE inbound_messages SET processed_at = now(), outcome = 'invalid_sender'
 WHERE processed_at IS NULL AND NOT sender_is_e164;

-- Waiting rows are reached by several paths (per member, by age, by due time, by session), each
-- through its own partial index, and each index's predicate is written differently so that only
-- its own path can use it. Two partial indexes with the same predicate are a trap: right after
-- ANALYZE on a quiet system both hold nothing, the planner believes any of them is free to scan
-- whole, and when a burst arrives before the next ANALYZE it walks every waiting row of one
-- index for each member of a batch (7 s per batch behind 200,000 events, BENCHMARKS.md run N).
-- Per member (processing, quarantine): `processed_at IS NULL`. By age (the sweeper) and by due
-- time (the timer claimer): `coalesce(processed_at, 'infinity') = 'infinity'`. By session
-- (cancelling a session's timers): `coalesce(processed_at, '-infinity') = '-infinity'`.
DROP INDEX inbound_unprocessed;
CREATE INDEX inbound_unprocessed ON inbound_messages (organization_id, member_id, id)
  WHERE processed_at IS NULL;
DROP INDEX inbound_unprocessed_age;
CREATE INDEX inbound_waiting_since ON inbound_messages (received_at)
  WHERE coalesce(processed_at, 'infinity') = 'infinity';

-- Events other than inbound messages. A timer is an event whose due_at is in the future: it is
-- claimed (claimed_until) by one node with SKIP LOCKED when due, and made processed in the
-- member's processing transaction, with everything it caused. A claim that expires (the node
-- died) is claimed again; the processed mark is what makes firing exactly once.
CREATE TABLE member_events (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  -- 'timer' (a flow's ask timeout, reminder or wait), 'webhook_result' (the answer of a call a
  -- flow made), 'flow_start' (a flow started for the member: an event follow-up, the API).
  kind              text NOT NULL CHECK (kind IN ('timer', 'webhook_result', 'flow_start')),
  channel_id        bigint,
  session_id        bigint,
  -- For timers: which wait of the session it ends (the session's step sequence number); a
  -- timer of a step the member already left is stale and does nothing.
  token             integer NOT NULL DEFAULT 0,
  payload           jsonb NOT NULL DEFAULT '{}',
  due_at            timestamptz NOT NULL DEFAULT now(),
  claimed_until     timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  processed_at      timestamptz,
  outcome           text,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id)
);
-- A member's pending events, read per member by processing.
CREATE INDEX member_events_pending ON member_events (organization_id, member_id, due_at, id)
  WHERE processed_at IS NULL;
-- Due events, found by the timer claimer without scanning what is processed.
CREATE INDEX member_events_due ON member_events (due_at)
  WHERE coalesce(processed_at, 'infinity') = 'infinity';
-- Cancelling a session's timers when it moves on.
CREATE INDEX member_events_session ON member_events (organization_id, session_id)
  WHERE coalesce(processed_at, '-infinity') = '-infinity' AND session_id IS NOT NULL;

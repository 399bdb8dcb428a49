-- 0003: one member's messages reach the carrier in order, one at a time, and a message the
-- carrier may have taken is never recorded as cancelled (issue 5, section 4).
--
-- outcome_unknown: an earlier attempt of this message may have reached the carrier (its lease
-- expired, the request timed out, or the connection failed after the request was written).
-- Before sending it again the dispatcher asks the carrier where it can; if the member opted out
-- meanwhile it becomes 'unknown' (terminal: "may have been sent"), never 'cancelled'.
ALTER TABLE outbound_messages ADD COLUMN outcome_unknown boolean NOT NULL DEFAULT false;
ALTER TABLE outbound_messages DROP CONSTRAINT outbound_messages_status_check;
ALTER TABLE outbound_messages ADD CONSTRAINT outbound_messages_status_check CHECK (status IN
  ('queued', 'sending', 'accepted', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled',
   'unknown'));
-- The claim's head-of-line check: a member's open messages, probed per candidate.
CREATE INDEX outbound_open_by_member ON outbound_messages
  (organization_id, member_id, channel_id, priority, id) WHERE status IN ('queued', 'sending');

-- 0005: message bodies are erased after an organization's retention period (issue 5, section 2;
-- docs/RETENTION.md). Metadata, consent history and the deduplication keys stay.
--
-- message_body_retention_days: how long inbound and outbound bodies are kept.
-- body_redacted_at: when the body was erased (the body is then ''). An outbound body_hash stays,
-- so the loop guard keeps counting repeats of a text it can no longer read.
ALTER TABLE organizations ADD COLUMN message_body_retention_days integer NOT NULL DEFAULT 90
  CHECK (message_body_retention_days BETWEEN 1 AND 3650);
ALTER TABLE inbound_messages ADD COLUMN body_redacted_at timestamptz;
ALTER TABLE outbound_messages ADD COLUMN body_redacted_at timestamptz;

-- How far the retention job has walked each organization's messages, in id order (ids follow
-- arrival time). It never passes a message that is still in use (unprocessed inbound, queued
-- or sending outbound), so it needs no index of its own: each run reads the primary key from
-- here to the first message younger than the retention period. One row per organization and
-- direction, locked by the node that is working on it.
CREATE TABLE retention_cursors (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  direction         text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  last_id           bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, direction)
);

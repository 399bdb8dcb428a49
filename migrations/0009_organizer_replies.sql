-- An organizer's one-to-one text from the inbox is a member event ('organizer_reply', payload
-- {"text", "conversation_id"}), processed in order with the member's own messages (docs/API.md).
ALTER TABLE member_events DROP CONSTRAINT member_events_kind_check;
ALTER TABLE member_events ADD CONSTRAINT member_events_kind_check
  CHECK (kind IN ('timer', 'webhook_result', 'flow_start', 'organizer_reply'));

-- Creating writes of the API that carry an Idempotency-Key: the first answer is kept and given
-- again for a repeat with the same key (for 24 hours, docs/API.md).
CREATE TABLE api_idempotency (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  key               text NOT NULL,
  token_id          bigint NOT NULL,
  request           text NOT NULL,   -- method and path: a key reused for another request is refused
  status            integer NOT NULL,
  body              text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, key)
);

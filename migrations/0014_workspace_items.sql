-- 0014: the workspace edited item by item through /v1 (issue 7). Each keyword, chapter, event,
-- channel and the organization's settings carry a revision, raised by every write that changes
-- them (an API edit or `chorus apply`), so an organizer's edit can say which revision it
-- replaces (If-Match) and the audit log can name before and after. Flows have whole versions
-- (flow_versions) already.
ALTER TABLE keywords ADD COLUMN revision integer NOT NULL DEFAULT 1;
ALTER TABLE chapters ADD COLUMN revision integer NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN revision integer NOT NULL DEFAULT 1;
ALTER TABLE channels ADD COLUMN revision integer NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN revision integer NOT NULL DEFAULT 1;

-- Quiet hours in the recipient's local time (broadcasts honour them; docs/API.md).
ALTER TABLE organizations ADD COLUMN quiet_hours_start text NOT NULL DEFAULT '21:00'
  CHECK (quiet_hours_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
ALTER TABLE organizations ADD COLUMN quiet_hours_end text NOT NULL DEFAULT '08:00'
  CHECK (quiet_hours_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');

-- Who wrote a flow version ('apply' or an API token), for the versions list.
ALTER TABLE flow_versions ADD COLUMN created_by text NOT NULL DEFAULT 'apply';

-- Every valid answer to a flow's ask step, as given (the member field it is saved as keeps only
-- the latest): what a flow's answers export lists. Erased with the member.
CREATE TABLE flow_answers (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  flow_slug         text NOT NULL,
  flow_version      integer NOT NULL,
  step              text NOT NULL,
  field             text NOT NULL,
  value             text NOT NULL,
  channel_id        bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE INDEX flow_answers_flow ON flow_answers (organization_id, flow_slug, id);
CREATE INDEX flow_answers_member ON flow_answers (organization_id, member_id);

-- Idempotency-Keys are answered again for a day, then forgotten by the retention job.
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);

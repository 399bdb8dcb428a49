-- 0007: campaigns (issue 6): chapters, flows with versions and sessions, events, actions,
-- the inbox (hand-offs and stories), webhook calls made by flows, and an audit trail of what
-- processing did on a member's behalf. Every table leads with organization_id (the tenant and
-- shard key). Items are rows keyed by slug so the organizer API (issue 7) can edit one at a
-- time; `chorus apply` writes them all.

ALTER TABLE organizations ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE organizations ADD COLUMN segment_budget integer NOT NULL DEFAULT 4
  CHECK (segment_budget BETWEEN 1 AND 10);

-- Secrets that sign the HTTP calls of webhook steps. Sealed like channel credentials
-- (docs/SECRETS.md); never returned, never logged.
CREATE TABLE organization_secrets (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  name              text NOT NULL,
  secrets_key_id    text NOT NULL,
  secrets_sealed    text NOT NULL,
  PRIMARY KEY (organization_id, name)
);

ALTER TABLE members ADD COLUMN fields jsonb NOT NULL DEFAULT '{}';
ALTER TABLE members ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

CREATE TABLE chapters (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  slug              text NOT NULL,
  name              text NOT NULL,
  parent_id         bigint,
  country           text NOT NULL DEFAULT '',
  postal_codes      text[] NOT NULL DEFAULT '{}',
  time_zone         text NOT NULL DEFAULT '',
  -- A chapter removed from the workspace is archived, not deleted: members' history names it.
  archived_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, slug),
  FOREIGN KEY (organization_id, parent_id) REFERENCES chapters (organization_id, id)
);

CREATE TABLE member_chapters (
  organization_id   bigint NOT NULL,
  member_id         bigint NOT NULL,
  chapter_id        bigint NOT NULL,
  joined_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, member_id, chapter_id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id),
  FOREIGN KEY (organization_id, chapter_id) REFERENCES chapters (organization_id, id)
);
CREATE INDEX member_chapters_chapter ON member_chapters (organization_id, chapter_id);

CREATE TABLE flows (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  slug              text NOT NULL,
  -- NULL: no version is live (the flow is paused); keywords naming it do nothing.
  active_version    integer,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, slug)
);

-- A version is immutable once written: members finish on the version they began.
-- definition: the flow as chorus.v1.Flow in protobuf's JSON mapping.
CREATE TABLE flow_versions (
  organization_id   bigint NOT NULL,
  flow_id           bigint NOT NULL,
  version           integer NOT NULL CHECK (version > 0),
  definition        jsonb NOT NULL,
  digest            text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, flow_id, version),
  FOREIGN KEY (organization_id, flow_id) REFERENCES flows (organization_id, id)
);

ALTER TABLE keywords ADD COLUMN qualifier text NOT NULL DEFAULT '';
ALTER TABLE keywords ADD COLUMN flow_slug text;
ALTER TABLE keywords ADD COLUMN chapter_slug text;
ALTER TABLE keywords DROP CONSTRAINT keywords_organization_id_channel_id_word_key;
ALTER TABLE keywords ADD CONSTRAINT keywords_unique_word
  UNIQUE NULLS NOT DISTINCT (organization_id, channel_id, word, qualifier);

CREATE TABLE flow_sessions (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  channel_id        bigint NOT NULL,
  flow_slug         text NOT NULL,
  version           integer NOT NULL,
  -- The engine's state (step, seq, tries, story so far): server/flows/engine.hpp Session.
  state             jsonb NOT NULL,
  active            boolean NOT NULL DEFAULT true,
  started_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  ended_at          timestamptz,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id)
);
-- At most one active flow per member and channel.
CREATE UNIQUE INDEX flow_sessions_active ON flow_sessions (organization_id, member_id, channel_id)
  WHERE active;

CREATE TABLE events (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  slug              text NOT NULL,
  chapter_id        bigint,
  titles            jsonb NOT NULL,
  starts_at         timestamptz NOT NULL,
  ends_at           timestamptz NOT NULL,
  time_zone         text NOT NULL,
  place             text NOT NULL DEFAULT '',
  checkin_code      text NOT NULL DEFAULT '',
  -- The answer to a check-in by language (empty: the built-in text).
  checked_in_texts  jsonb NOT NULL DEFAULT '{}',
  follow_up_after_seconds integer NOT NULL DEFAULT 0,
  attended_flow     text,
  absent_flow       text,
  -- When follow-ups are due (ends_at + follow_up_after_seconds; NULL without a follow-up flow),
  -- and when they were started (each member once: event_follow_ups).
  follow_up_at      timestamptz,
  followed_up_at    timestamptz,
  archived_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, slug),
  CHECK (ends_at >= starts_at)
);
CREATE INDEX events_follow_up ON events (follow_up_at)
  WHERE followed_up_at IS NULL AND archived_at IS NULL AND follow_up_at IS NOT NULL;

-- What members did: petition signatures, pledges, RSVPs, check-ins, stories.
CREATE TABLE actions (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('petition', 'pledge', 'rsvp', 'check_in',
                                                  'story', 'custom')),
  target            text NOT NULL DEFAULT '',
  event_id          bigint,
  value             text NOT NULL DEFAULT '',
  channel_id        bigint,
  session_id        bigint,
  inbound_message_id bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id)
);
-- One RSVP and one check-in per member and event (an RSVP can change its value).
CREATE UNIQUE INDEX actions_one_per_event ON actions (organization_id, event_id, member_id, kind)
  WHERE kind IN ('rsvp', 'check_in');
CREATE INDEX actions_member ON actions (organization_id, member_id, created_at);

CREATE TABLE event_follow_ups (
  organization_id   bigint NOT NULL,
  event_id          bigint NOT NULL,
  member_id         bigint NOT NULL,
  flow_slug         text NOT NULL,
  attended          boolean NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, event_id, member_id)
);

-- The organizers' inbox: a hand-off or a story, with the messages it holds.
CREATE TABLE conversations (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  channel_id        bigint NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('hand_off', 'story')),
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  session_id        bigint,
  opened_at         timestamptz NOT NULL DEFAULT now(),
  closed_at         timestamptz,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id)
);
-- A member has at most one open hand-off: while it is open their messages go to it.
CREATE UNIQUE INDEX conversations_open_hand_off ON conversations (organization_id, member_id)
  WHERE status = 'open' AND kind = 'hand_off';
CREATE INDEX conversations_inbox ON conversations (organization_id, status, opened_at);

CREATE TABLE conversation_messages (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  conversation_id   bigint NOT NULL,
  inbound_message_id bigint,
  outbound_message_id bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id)
);

-- Story text is personal data: never logged (docs/FLOWS.md).
CREATE TABLE stories (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  conversation_id   bigint NOT NULL,
  body              text NOT NULL,
  place             text NOT NULL DEFAULT '',
  share_consent     boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id)
);

-- HTTP calls of webhook steps, made by a worker off the I/O threads. The result comes back
-- as a member event ('webhook_result') in the same transaction that finishes the call.
CREATE TABLE webhook_calls (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  session_id        bigint NOT NULL,
  channel_id        bigint NOT NULL,
  token             integer NOT NULL,
  step              text NOT NULL,
  url               text NOT NULL,
  secret_name       text NOT NULL,
  timeout_ms        integer NOT NULL,
  payload           jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  http_status       integer,
  ok                boolean,
  claimed_until     timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  PRIMARY KEY (organization_id, id)
);
CREATE INDEX webhook_calls_pending ON webhook_calls (created_at) WHERE status = 'pending';

CREATE TABLE audit_log (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  actor             text NOT NULL,
  action            text NOT NULL,
  member_id         bigint,
  detail            text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
CREATE INDEX audit_log_member ON audit_log (organization_id, member_id, created_at);

-- The next time after `at` (default: now) that the wall clock of `zone` shows `minute` minutes
-- after midnight (a flow's "wait until 09:00 local time"), with PostgreSQL's time zone data, so
-- DST days are right. An unknown zone (a member typed it) counts as UTC rather than failing the
-- member's processing.
CREATE FUNCTION chorus_next_local_time(zone text, minute integer, at timestamptz DEFAULT now())
RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
  local_now timestamp;
  candidate timestamptz;
BEGIN
  BEGIN
    local_now := at AT TIME ZONE zone;
  EXCEPTION WHEN others THEN
    zone := 'UTC';
    local_now := at AT TIME ZONE zone;
  END;
  candidate := (date_trunc('day', local_now) + make_interval(mins => minute)) AT TIME ZONE zone;
  IF candidate <= at THEN
    candidate := (date_trunc('day', local_now) + interval '1 day' + make_interval(mins => minute))
                 AT TIME ZONE zone;
  END IF;
  RETURN candidate;
END $$;

-- The snapshot loads the flow versions members are still in.
CREATE INDEX flow_sessions_version ON flow_sessions (organization_id, flow_slug, version)
  WHERE active;

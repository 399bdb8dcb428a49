-- 0016: broadcasts (issue 8). A broadcast is an organizer's message to an audience, fanned out
-- inside PostgreSQL into outbound_messages (kind 'bulk') in batches of INSERT ... SELECT that
-- advance a cursor (the last member id written) in the same transaction, so a fan-out killed
-- half way resumes where it stopped and a unique (broadcast, member) key makes a second copy
-- impossible. Docs: docs/BROADCASTS.md.

-- Above this many recipients a broadcast waits for a second person's approval (NULL: never).
ALTER TABLE organizations ADD COLUMN broadcast_approval_above bigint
  CHECK (broadcast_approval_above > 0);
-- What one segment costs on a channel, for the preview's estimate (0: unknown).
ALTER TABLE channels ADD COLUMN segment_price double precision NOT NULL DEFAULT 0
  CHECK (segment_price >= 0);
ALTER TABLE channels ADD COLUMN currency text NOT NULL DEFAULT '';

CREATE TABLE broadcasts (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  name              text NOT NULL,
  -- awaiting_approval -> sending -> done; paused <-> sending; cancelled from any but done.
  status            text NOT NULL CHECK (status IN
                      ('awaiting_approval', 'sending', 'paused', 'cancelled', 'done')),
  -- The audience as chorus.api.v1.Audience (protobuf JSON), as asked.
  audience          jsonb NOT NULL,
  -- The broadcast compiled to SQL fragments at creation (store/pg/audience_sql.hpp): every
  -- fan-out batch, on any node, after any restart, runs the same statement.
  plan              jsonb NOT NULL,
  -- A chapter leader's broadcast reaches members of these chapters only (ids, subtree
  -- included); NULL for the whole organization.
  chapter_scope     bigint[],
  -- language -> text with merge fields, look-alikes already replaced when asked.
  variants          jsonb NOT NULL,
  default_language  text NOT NULL,
  -- The sender pool: a member hears from the channel they last texted when it is in the pool,
  -- else always from the same one (member id modulo the pool).
  channel_ids       bigint[] NOT NULL CHECK (cardinality(channel_ids) > 0),
  replace_look_alikes boolean NOT NULL DEFAULT false,
  send_at           timestamptz NOT NULL,
  -- Not sent after this: a message that cannot go out before it is counted 'expired'.
  stale_after       timestamptz,
  -- Quiet hours copied from the organization at creation; NULL: the broadcast ignores them.
  quiet_start       time,
  quiet_end         time,
  reply_flow        text,
  reply_window_seconds integer NOT NULL DEFAULT 0 CHECK (reply_window_seconds >= 0),
  recipients        bigint NOT NULL DEFAULT 0,  -- counted at creation
  -- Fan-out progress: the last member id written; fanned_out_at once every member is.
  fanout_after      bigint NOT NULL DEFAULT 0,
  fanned_out        bigint NOT NULL DEFAULT 0,
  fanned_out_at     timestamptz,
  created_by        text NOT NULL,
  created_by_token  bigint,
  approved_by       text,
  cancelled_at      timestamptz,
  finished_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id)
);
-- What the fan-out runner looks for: few rows, by due time.
CREATE INDEX broadcasts_active ON broadcasts (send_at) WHERE status = 'sending';

-- Outbound messages of a broadcast. 'held': written by the fan-out and waiting for the
-- recipient's quiet hours to end (next_attempt_at), for the organization's send queue to drain,
-- or for a paused broadcast to resume; released into 'queued' by the runner. 'expired': its
-- stale-after time came first; never sent.
ALTER TABLE outbound_messages ADD COLUMN broadcast_id bigint;
ALTER TABLE outbound_messages ADD COLUMN expires_at timestamptz;
-- When the member texted back within the broadcast's reply window (processing marks it).
ALTER TABLE outbound_messages ADD COLUMN replied_at timestamptz;
-- The recipient's time zone, for a broadcast message under quiet hours: its release checks
-- them again, so a backlog never drains into the night.
ALTER TABLE outbound_messages ADD COLUMN time_zone text;
ALTER TABLE outbound_messages DROP CONSTRAINT outbound_messages_status_check;
ALTER TABLE outbound_messages ADD CONSTRAINT outbound_messages_status_check CHECK (status IN
  ('held', 'queued', 'sending', 'accepted', 'sent', 'delivered', 'undelivered', 'failed',
   'cancelled', 'unknown', 'expired'));
-- One message per member and broadcast, whatever crashes and retries happen. Also how stats
-- and cancel find a broadcast's messages (no status in the key: status updates stay cheap).
CREATE UNIQUE INDEX outbound_broadcast_member ON outbound_messages
  (organization_id, broadcast_id, member_id) WHERE broadcast_id IS NOT NULL;
-- The release of held messages, per broadcast by due time.
CREATE INDEX outbound_held ON outbound_messages (organization_id, broadcast_id, next_attempt_at)
  WHERE status = 'held';

-- Every zone PostgreSQL knows, as a table: a member's own time zone field is only used when it
-- names one (pg_timezone_names reads the zone files on every call: too slow per member).
CREATE TABLE time_zone_names (name text PRIMARY KEY);
INSERT INTO time_zone_names SELECT DISTINCT name FROM pg_timezone_names;

-- The chapters named and every chapter below them.
CREATE FUNCTION chorus_chapter_subtree(org bigint, slugs text[]) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE tree AS (
    SELECT id FROM chapters WHERE organization_id = org AND slug = ANY (slugs)
    UNION
    SELECT c.id FROM chapters c JOIN tree t ON c.parent_id = t.id WHERE c.organization_id = org
  )
  SELECT id FROM tree
$$;

-- When a message meant for `at` may go out in `zone` with quiet hours [qstart, qend): `at`
-- itself outside them, else the local end of the quiet hours (the next morning when they wrap
-- midnight). Local wall time to instant goes through PostgreSQL's zone data, so DST days are
-- right: a 08:00 that does not exist that day (spring forward) comes out as the first instant
-- after the gap.
CREATE FUNCTION chorus_quiet_release(at timestamptz, zone text, qstart time, qend time)
RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN qstart IS NULL OR qend IS NULL OR qstart = qend THEN at
    WHEN qstart > qend THEN CASE
      WHEN (at AT TIME ZONE zone)::time >= qstart
        THEN (((at AT TIME ZONE zone)::date + 1) + qend) AT TIME ZONE zone
      WHEN (at AT TIME ZONE zone)::time < qend
        THEN ((at AT TIME ZONE zone)::date + qend) AT TIME ZONE zone
      ELSE at END
    ELSE CASE
      WHEN (at AT TIME ZONE zone)::time >= qstart AND (at AT TIME ZONE zone)::time < qend
        THEN ((at AT TIME ZONE zone)::date + qend) AT TIME ZONE zone
      ELSE at END
  END
$$;

-- True when GSM-7 carries every character of `body` (GSM 03.38 basic and extension tables).
CREATE FUNCTION chorus_is_gsm7(body text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT body ~ E'^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&''()*+,./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà\\^{}\\\\\\[~\\]|€\f-]*$'
$$;

-- SMS segments of a text rendered in SQL (merge fields filled per member): GSM-7 extension
-- characters count two septets, characters outside the BMP two UTF-16 units; 160/70 for one
-- segment, 153/67 per part. Texts without merge fields are counted by the server itself
-- (core/segments.hpp), which also keeps escape and surrogate pairs whole across parts; this
-- count can be one lower than that for such texts. A regular expression match is cheap and
-- regexp_replace is not (25 us a row, BENCHMARKS.md run X): the rare characters are counted
-- only in texts that have them.
CREATE FUNCTION chorus_segments(body text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s.units = 0 THEN 0 WHEN s.units <= s.single THEN 1
              ELSE ceil(s.units / s.part::numeric)::integer END
    FROM (SELECT CASE WHEN g THEN length(body) +
                        CASE WHEN body ~ E'[\\^{}\\\\\\[~\\]|€\f]'
                             THEN length(body) - length(translate(body, E'^{}\\[~]|€\f', ''))
                             ELSE 0 END
                      ELSE length(body) +
                        CASE WHEN body ~ E'[\\U00010000-\\U0010FFFF]'
                             THEN length(regexp_replace(body, E'[^\\U00010000-\\U0010FFFF]', '', 'g'))
                             ELSE 0 END END AS units,
                 CASE WHEN g THEN 160 ELSE 70 END AS single,
                 CASE WHEN g THEN 153 ELSE 67 END AS part
            FROM (SELECT chorus_is_gsm7(body) AS g) x) s
$$;

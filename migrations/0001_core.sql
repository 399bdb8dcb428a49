-- 0001: the core loop (issue 2): organizations, channels, members and their consent, keywords,
-- the durable inbox, the outbox and delivery events.
-- Every table carries organization_id and leads its keys with it: it is the tenant key and the
-- column a distributed PostgreSQL (Citus) would shard on. Identities come from global sequences.

CREATE TABLE organizations (
  id                bigserial PRIMARY KEY,
  slug              text NOT NULL UNIQUE,
  name              text NOT NULL,
  default_language  text NOT NULL DEFAULT 'en',
  loop_guard_max    integer NOT NULL DEFAULT 3 CHECK (loop_guard_max > 0),
  loop_guard_window_seconds integer NOT NULL DEFAULT 3600 CHECK (loop_guard_window_seconds > 0),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- What an organization answers with, per language: help, opt_out, opt_out_all, opt_in,
-- default_reply.
CREATE TABLE organization_texts (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  language          text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('help', 'opt_out', 'opt_out_all', 'opt_in',
                                                  'default_reply')),
  body              text NOT NULL,
  PRIMARY KEY (organization_id, language, kind)
);

-- Words an organization adds to the built-in STOP/START/HELP vocabulary.
CREATE TABLE organization_compliance_words (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  word              text NOT NULL,
  intent            text NOT NULL CHECK (intent IN ('opt_out', 'opt_out_all', 'opt_in', 'help')),
  language          text NOT NULL,
  PRIMARY KEY (organization_id, word)
);

CREATE TABLE channels (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  slug              text NOT NULL,
  carrier           text NOT NULL CHECK (carrier IN ('twilio')),
  sender            text NOT NULL,
  country           text NOT NULL,
  segments_per_second double precision NOT NULL CHECK (segments_per_second > 0),
  settings          jsonb NOT NULL DEFAULT '{}',
  -- Credentials. Never returned by an API, never logged.
  secrets           jsonb NOT NULL DEFAULT '{}',
  enabled           boolean NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (id)
);
-- Webhook URLs name a channel by slug without naming its organization, so slugs are global.
CREATE UNIQUE INDEX channels_slug ON channels (slug);

CREATE TABLE members (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  phone_e164        text NOT NULL,
  language          text,
  -- Set when the member texted an opt-in keyword (JOIN); a row without it is a contact that
  -- texted us (a STOP from an unknown number still needs a row to hang its consent on).
  joined_at         timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, phone_e164)
);

-- Current opt-outs. channel_id NULL: the member opted out of the whole organization (STOPALL).
CREATE TABLE opt_outs (
  organization_id   bigint NOT NULL,
  member_id         bigint NOT NULL,
  channel_id        bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id),
  UNIQUE NULLS NOT DISTINCT (organization_id, member_id, channel_id)
);

CREATE TABLE inbound_messages (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  channel_id        bigint NOT NULL,
  carrier_message_id text NOT NULL,
  -- E.164 when the sender normalised, else the carrier's raw value.
  sender            text NOT NULL,
  sender_is_e164    boolean NOT NULL,
  recipient         text NOT NULL,
  body              text NOT NULL,
  num_media         integer NOT NULL DEFAULT 0,
  received_at       timestamptz NOT NULL DEFAULT now(),
  processed_at      timestamptz,
  member_id         bigint,
  -- What processing made of it: 'keyword', 'opt_out', 'help', 'default', 'ignored', 'error', ...
  outcome           text,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, channel_id) REFERENCES channels (organization_id, id),
  -- Carriers retry webhooks: one row per carrier message.
  UNIQUE (organization_id, channel_id, carrier_message_id)
);
-- Per-member ordered processing finds a member's unprocessed messages through this (small,
-- since processed rows leave it).
CREATE INDEX inbound_unprocessed ON inbound_messages (organization_id, sender, id)
  WHERE processed_at IS NULL;
CREATE INDEX inbound_unprocessed_age ON inbound_messages (received_at)
  WHERE processed_at IS NULL;

CREATE TABLE consent_events (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  member_id         bigint NOT NULL,
  channel_id        bigint,
  kind              text NOT NULL CHECK (kind IN ('opt_in', 'opt_out')),
  scope             text NOT NULL CHECK (scope IN ('channel', 'organization')),
  source            text NOT NULL CHECK (source IN ('keyword', 'carrier', 'api', 'import')),
  keyword           text,
  language          text,
  inbound_message_id bigint,
  occurred_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id)
);
CREATE INDEX consent_events_member ON consent_events (organization_id, member_id, occurred_at);

CREATE TABLE keywords (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  -- NULL: every channel of the organization.
  channel_id        bigint,
  -- Folded for matching (lower case, accents removed).
  word              text NOT NULL,
  display_word      text NOT NULL,
  reply             text NOT NULL,
  opt_in            boolean NOT NULL DEFAULT false,
  language          text NOT NULL,
  PRIMARY KEY (organization_id, id),
  UNIQUE NULLS NOT DISTINCT (organization_id, channel_id, word)
);

CREATE TABLE outbound_messages (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  channel_id        bigint NOT NULL,
  member_id         bigint NOT NULL,
  recipient         text NOT NULL,
  body              text NOT NULL,
  -- 'reply' (answer to a member), 'compliance' (STOP confirmation, HELP: sent even to an
  -- opted-out member), 'bulk' (broadcasts, later).
  kind              text NOT NULL CHECK (kind IN ('reply', 'compliance', 'bulk')),
  -- Lower goes first: replies (0) ahead of bulk (10).
  priority          smallint NOT NULL,
  segments          integer NOT NULL,
  encoding          text NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  -- hashtext(body): the loop guard counts repeats of the same text cheaply.
  body_hash         integer NOT NULL,
  status            text NOT NULL DEFAULT 'queued' CHECK (status IN
                      ('queued', 'sending', 'accepted', 'sent', 'delivered', 'undelivered',
                       'failed', 'cancelled')),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  lease_owner       text,
  lease_until       timestamptz,
  carrier_message_id text,
  error_code        text,
  error_message     text,
  inbound_message_id bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  sent_at           timestamptz,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id)
);
CREATE INDEX outbound_queued ON outbound_messages (channel_id, priority, id)
  WHERE status = 'queued';
CREATE INDEX outbound_leased ON outbound_messages (lease_until) WHERE status = 'sending';
CREATE INDEX outbound_member_recent ON outbound_messages (organization_id, member_id, created_at);
CREATE INDEX outbound_carrier_id ON outbound_messages (channel_id, carrier_message_id)
  WHERE carrier_message_id IS NOT NULL;

CREATE TABLE delivery_events (
  organization_id   bigint NOT NULL,
  id                bigserial NOT NULL,
  channel_id        bigint NOT NULL,
  carrier_message_id text NOT NULL,
  status            text NOT NULL,
  raw_status        text NOT NULL,
  error_code        text,
  received_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  -- Carriers retry callbacks: one row per (message, reported status).
  UNIQUE (organization_id, channel_id, carrier_message_id, raw_status)
);

-- Rank of an outbound status; mirrors StatusRank in server/core/delivery_status.cpp. A status
-- only moves to a higher rank and never out of rank 4 (terminal).
CREATE FUNCTION chorus_status_rank(status text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE status
    WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'accepted' THEN 2 WHEN 'sent' THEN 3
    ELSE 4 END
$$;

-- Organizer API tokens (docs/API.md). Only a keyed hash of each token is stored; the token text
-- is shown once, when it is created. A chapter leader's token names its chapter.
CREATE TABLE api_tokens (
  organization_id   bigint NOT NULL REFERENCES organizations (id),
  id                bigserial NOT NULL,
  token_hash        text NOT NULL,
  name              text NOT NULL DEFAULT '',
  role              text NOT NULL CHECK (role IN ('owner', 'organizer', 'chapter_leader', 'viewer')),
  chapter_id        bigint,
  created_by        text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz,
  PRIMARY KEY (organization_id, id),
  UNIQUE (organization_id, token_hash),
  FOREIGN KEY (organization_id, chapter_id) REFERENCES chapters (organization_id, id),
  CHECK ((role = 'chapter_leader') = (chapter_id IS NOT NULL))
);

-- Searching members by tag and by field.
CREATE INDEX members_tags ON members USING gin (tags);
CREATE INDEX members_fields ON members USING gin (fields jsonb_path_ops);

-- 0015: each member's tags also as rows, so a search by tag starts from that tag's members in
-- id order instead of walking every member (BENCHMARKS.md, phase 9: a chapter and a tag with no
-- member in common read all 1,000,000 members, 200-700 ms). members.tags stays what flows and
-- the API write; triggers keep member_tags equal to it, and only fire when tags change (new
-- members from ingest have none).
CREATE TABLE member_tags (
  organization_id   bigint NOT NULL,
  tag               text NOT NULL,
  member_id         bigint NOT NULL,
  PRIMARY KEY (organization_id, tag, member_id)
);

INSERT INTO member_tags (organization_id, tag, member_id)
SELECT DISTINCT m.organization_id, t.tag, m.id
  FROM members m, unnest(m.tags) AS t(tag)
 WHERE m.tags <> '{}';

CREATE FUNCTION chorus_member_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM member_tags
     WHERE organization_id = OLD.organization_id AND member_id = OLD.id
       AND tag = ANY (OLD.tags) AND NOT (tag = ANY (NEW.tags));
  END IF;
  INSERT INTO member_tags (organization_id, tag, member_id)
  SELECT NEW.organization_id, t, NEW.id FROM unnest(NEW.tags) AS t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER members_tags_inserted AFTER INSERT ON members
  FOR EACH ROW WHEN (NEW.tags <> '{}') EXECUTE FUNCTION chorus_member_tags_changed();
CREATE TRIGGER members_tags_updated AFTER UPDATE OF tags ON members
  FOR EACH ROW WHEN (OLD.tags IS DISTINCT FROM NEW.tags)
  EXECUTE FUNCTION chorus_member_tags_changed();

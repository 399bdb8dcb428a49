-- Member search by chapter reads a chapter's members in id order (keyset pages) from here.
CREATE INDEX member_chapters_by_chapter ON member_chapters (organization_id, chapter_id, member_id);
DROP INDEX member_chapters_chapter;

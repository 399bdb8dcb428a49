-- An organizer's edit of a member's fields and tags is a member event too (docs/API.md).
ALTER TABLE member_events DROP CONSTRAINT member_events_kind_check;
ALTER TABLE member_events ADD CONSTRAINT member_events_kind_check
  CHECK (kind IN ('timer', 'webhook_result', 'flow_start', 'organizer_reply', 'organizer_opt_out',
                  'organizer_update'));

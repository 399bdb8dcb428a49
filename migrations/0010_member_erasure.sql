-- Erasure on request (docs/API.md): the member row stays as the anchor of what the law needs
-- kept (opt-outs and consent history, without message text), its phone number replaced by a
-- keyed hash. Erased members are left out of every API listing.
ALTER TABLE members ADD COLUMN erased_at timestamptz;

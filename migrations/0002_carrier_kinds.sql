-- 0002: a channel's carrier is any kind the binary registers (issue 5, the carrier seam). The
-- list of carriers lives in app/carriers.cpp, not in the schema: adding a carrier needs no
-- migration. A channel whose carrier this binary does not know is never sent from (its
-- messages fail with "carrier_not_registered") and its webhooks are refused as unknown.
ALTER TABLE channels DROP CONSTRAINT channels_carrier_check;
ALTER TABLE channels ADD CONSTRAINT channels_carrier_kind CHECK (carrier ~ '^[a-z0-9]+$');

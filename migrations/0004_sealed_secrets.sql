-- 0004: carrier credentials are stored encrypted (issue 5, section 2; docs/SECRETS.md).
-- secrets_sealed is Base64 of AES-256-GCM output (version, nonce, ciphertext, tag) under the
-- key named by secrets_key_id in the key file of CHORUS_SECRETS_KEY_FILE; the associated data
-- names the organization and channel, so a value moved to another row does not open.
-- The plaintext `secrets` column stays only for channels written before this migration (SQL
-- cannot encrypt without the key): `chorus apply` or `chorus secrets rekey` seals them and
-- empties it. New writes never put credentials in it.
ALTER TABLE channels ADD COLUMN secrets_key_id text;
ALTER TABLE channels ADD COLUMN secrets_sealed text;
ALTER TABLE channels ADD CONSTRAINT channels_sealed_with_a_key
  CHECK ((secrets_sealed IS NULL) = (secrets_key_id IS NULL));

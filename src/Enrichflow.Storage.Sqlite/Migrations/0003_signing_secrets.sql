-- Secrets that sign outgoing webhooks (API.md §6). secret is AES-256-GCM: 12-byte nonce || ciphertext || 16-byte tag,
-- with "<org_id>\n<id>" as associated data, so a value copied to another row does not decrypt. The plaintext is
-- never stored. status: active (signs), rolled (signs until revoked_at), revoked.
CREATE TABLE signing_secrets (
    id          TEXT NOT NULL PRIMARY KEY,
    org_id      TEXT NOT NULL,
    preview     TEXT NOT NULL,
    secret      BLOB NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX ix_signing_secrets_org ON signing_secrets (org_id, created_at DESC);
CREATE UNIQUE INDEX ux_signing_secrets_active ON signing_secrets (org_id) WHERE status = 'active';

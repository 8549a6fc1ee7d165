-- Keys of the read-only HTTP API: a partner's (it sees its own wallets) or the
-- platform's (partner_key NULL: it sees everything). The secret is stored
-- encrypted (AES-256-GCM with the server key from SETTLE_SERVER_KEY) and shown once.
CREATE TABLE api_keys (
    key_id       TEXT PRIMARY KEY,
    partner_key  TEXT REFERENCES partners(partner_key),
    label        TEXT NOT NULL DEFAULT '',
    secret_enc   BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

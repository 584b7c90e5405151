-- STS session credentials (`sts.md` §2). The secret is sealed (SigV4 needs it back); the token
-- is kept only as its SHA-256. A session dies with its principal (ON DELETE CASCADE) or at
-- expires_at. user_id NULL: a root session.
CREATE TABLE sessions (
    access_key_id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    user_id TEXT REFERENCES users (user_id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL,
    sealed_secret BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    source_key_id TEXT NOT NULL,
    mfa_serial TEXT,
    mfa_authenticated_at BIGINT
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

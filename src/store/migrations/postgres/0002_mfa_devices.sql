-- MFA devices of every kind in one table, so the per-principal limit counts them together.
-- The serial is unique across the deployment (virtual and FIDO serials contain the account ID;
-- hardware serials are the vendor's). assigned = 0: unassigned; assigned = 1 and user_id NULL:
-- the root user's.
CREATE TABLE mfa_devices (
    serial TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    kind TEXT NOT NULL,
    name TEXT,
    name_key TEXT,
    path TEXT,
    assigned BIGINT NOT NULL DEFAULT 0,
    user_id TEXT REFERENCES users (user_id),
    enabled_at BIGINT,
    created_at BIGINT NOT NULL,
    sealed_seed BYTEA,
    algorithm TEXT,
    digits BIGINT,
    period BIGINT,
    last_used_step BIGINT,
    drift BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    manufacturer TEXT,
    model TEXT,
    not_before BIGINT,
    not_after BIGINT,
    UNIQUE (account_id, name_key)
);
CREATE INDEX mfa_devices_by_holder ON mfa_devices (account_id, assigned, user_id);
CREATE TABLE mfa_device_tags (
    serial TEXT NOT NULL REFERENCES mfa_devices (serial) ON DELETE CASCADE,
    key_lower TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (serial, key_lower)
);

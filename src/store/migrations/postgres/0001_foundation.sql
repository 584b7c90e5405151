-- Accounts, IAM users, their tags, login profiles and access keys.
-- Times are Unix seconds. Root is the account row itself; a NULL user_id means "root".
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    root_email TEXT NOT NULL,
    alias TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    root_password_hash TEXT,
    root_password_changed_at BIGINT,
    root_password_last_used BIGINT
);
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    user_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_last_used BIGINT,
    UNIQUE (account_id, name_key)
);
CREATE TABLE user_tags (
    user_id TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    key_lower TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (user_id, key_lower)
);
CREATE TABLE login_profiles (
    user_id TEXT PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    reset_required BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    user_id TEXT REFERENCES users (user_id) ON DELETE CASCADE,
    sealed_secret BYTEA NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by_init BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT,
    last_used_region TEXT,
    last_used_service TEXT
);
CREATE INDEX access_keys_by_owner ON access_keys (account_id, user_id);
CREATE TABLE credential_reports (
    account_id TEXT PRIMARY KEY REFERENCES accounts (account_id),
    generated_at BIGINT NOT NULL,
    content BYTEA NOT NULL
);
-- Deployment-wide values, e.g. a value sealed with the data key, so start-up can tell a
-- wrong key before any request fails.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

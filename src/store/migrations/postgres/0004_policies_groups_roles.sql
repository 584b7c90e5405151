-- Groups, roles, inline and managed policies and their attachments (`mfa-policy.md`).
-- Names are unique per account ignoring case (name_key = lower-cased name, also the sort key).
-- Policies of a user, group or role are keyed by the owner's ID; the ID prefixes (AIDA, AGPA,
-- AROA) never collide, so one table serves every owner kind. Owners cannot be deleted while
-- they hold policies (DeleteConflict), hence no cascade from owners to policies.
CREATE TABLE iam_groups (
    group_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    group_name TEXT NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);
CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES iam_groups (group_id),
    user_id TEXT NOT NULL REFERENCES users (user_id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);
CREATE TABLE roles (
    role_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    role_name TEXT NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    path TEXT NOT NULL,
    trust_policy TEXT NOT NULL,
    description TEXT,
    max_session_duration BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    last_used_region TEXT,
    UNIQUE (account_id, name_key)
);
CREATE TABLE role_tags (
    role_id TEXT NOT NULL REFERENCES roles (role_id) ON DELETE CASCADE,
    key_lower TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (role_id, key_lower)
);
-- Inline policies: the document is stored exactly as received.
CREATE TABLE inline_policies (
    owner_id TEXT COLLATE "C" NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    policy_name TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (owner_id, policy_name)
);
-- Customer managed policies; version numbers are never reused (next_version).
CREATE TABLE managed_policies (
    policy_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    policy_name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    path TEXT NOT NULL,
    description TEXT,
    default_version BIGINT NOT NULL,
    next_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, name_key)
);
CREATE TABLE policy_versions (
    policy_id TEXT NOT NULL REFERENCES managed_policies (policy_id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version)
);
CREATE TABLE policy_tags (
    policy_id TEXT NOT NULL REFERENCES managed_policies (policy_id) ON DELETE CASCADE,
    key_lower TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (policy_id, key_lower)
);
-- Attachments by policy ARN, so AWS managed policies (arn:aws:iam::aws:policy/…) attach the
-- same way as the account's own.
CREATE TABLE policy_attachments (
    owner_id TEXT COLLATE "C" NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    policy_arn TEXT COLLATE "C" NOT NULL,
    attached_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, policy_arn)
);
CREATE INDEX policy_attachments_by_policy ON policy_attachments (account_id, policy_arn);
-- Role sessions (AssumeRole): role_id set, user_id NULL. user_id and role_id both NULL: root.
ALTER TABLE sessions ADD COLUMN role_id TEXT REFERENCES roles (role_id) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN role_session_name TEXT;

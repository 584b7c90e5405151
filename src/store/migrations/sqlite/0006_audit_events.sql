-- Audit records (`cloudtrail.md` §1): each written in the transaction of the change it
-- records (outbox), read by LookupEvents and delivered to log files from here.
-- `seq` orders delivery; `event_id` is CloudTrail's eventID, the key a final record replaces
-- the pending one by. The indexed columns are what LookupEvents filters on (§8.2).
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    event_name TEXT NOT NULL,
    event_source TEXT NOT NULL,
    aws_region TEXT NOT NULL,
    read_only INTEGER NOT NULL,
    username TEXT,
    access_key_id TEXT,
    record TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    -- Bumped when the final record replaces the pending one, so delivery never marks a
    -- version it did not write.
    revision INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_events_by_time ON audit_events (account_id, event_time, event_id);
CREATE INDEX audit_events_undelivered ON audit_events (delivered, seq);
CREATE TABLE audit_event_resources (
    event_id TEXT NOT NULL REFERENCES audit_events (event_id) ON DELETE CASCADE,
    resource_type TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    PRIMARY KEY (event_id, resource_type, resource_name)
);
CREATE INDEX audit_event_resources_by_name ON audit_event_resources (resource_name);

-- Provider limits shared by the nodes of a cluster (docs/architecture.md §4, "Limits"). Times are microseconds
-- since the Unix epoch on the store's clock.
-- One row per provider: its pacing schedule (the theoretical time of the next grant) and its 429 hold.
CREATE TABLE provider_request_quotas (
    provider        TEXT NOT NULL PRIMARY KEY,
    next_at_us      INTEGER NOT NULL,
    hold_until_us   INTEGER NOT NULL
) WITHOUT ROWID;

-- The grant log: requests granted, by provider and time; rows older than the accounted window are deleted.
CREATE TABLE provider_request_grants (
    provider        TEXT NOT NULL,
    granted_at_us   INTEGER NOT NULL,
    count           INTEGER NOT NULL
);
CREATE INDEX ix_provider_request_grants ON provider_request_grants (provider, granted_at_us);

-- Each node's leased share of a provider's in-flight slots.
CREATE TABLE provider_slot_shares (
    provider        TEXT NOT NULL,
    node            TEXT NOT NULL,
    held            INTEGER NOT NULL,
    wanted          INTEGER NOT NULL,
    expires_at_us   INTEGER NOT NULL,
    PRIMARY KEY (provider, node)
) WITHOUT ROWID;

-- Provider limits shared by the nodes of a cluster (docs/architecture.md §4, "Limits"). Times are microseconds
-- since the Unix epoch on the store's clock.
-- One row per provider: its pacing schedule (the theoretical time of the next grant) and its 429 hold.
CREATE TABLE provider_request_quotas (
    provider        text COLLATE "C" NOT NULL PRIMARY KEY,
    next_at_us      bigint NOT NULL,
    hold_until_us   bigint NOT NULL
);

-- The grant log: requests granted, by provider and time; rows older than the accounted window are deleted.
CREATE TABLE provider_request_grants (
    provider        text COLLATE "C" NOT NULL,
    granted_at_us   bigint NOT NULL,
    count           integer NOT NULL
);
CREATE INDEX ix_provider_request_grants ON provider_request_grants (provider, granted_at_us);

-- Each node's leased share of a provider's in-flight slots.
CREATE TABLE provider_slot_shares (
    provider        text COLLATE "C" NOT NULL,
    node            text COLLATE "C" NOT NULL,
    held            integer NOT NULL,
    wanted          integer NOT NULL,
    expires_at_us   bigint NOT NULL,
    PRIMARY KEY (provider, node)
);

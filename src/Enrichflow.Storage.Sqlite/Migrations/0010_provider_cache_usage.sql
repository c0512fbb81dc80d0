-- The provider cache (DESIGN.md §4 "never pay twice"): one answer per organization, provider and request key;
-- outcome is 'found' or 'not_found'. Freshness is the reader's call from created_at; old entries are swept by it.
CREATE TABLE provider_cache (
    org_id       TEXT NOT NULL,
    provider     TEXT NOT NULL,
    request_key  TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    answer_json  TEXT NOT NULL,
    credits      REAL NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, provider, request_key)
);
CREATE INDEX ix_provider_cache_created ON provider_cache (created_at);

-- Provider calls and their cost per organization, run, block, provider and day ('yyyy-MM-dd'); rows only add up.
CREATE TABLE provider_usage (
    org_id      TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    block_id    TEXT NOT NULL,
    provider    TEXT NOT NULL,
    day         TEXT NOT NULL,
    calls       INTEGER NOT NULL,
    hits        INTEGER NOT NULL,
    misses      INTEGER NOT NULL,
    failures    INTEGER NOT NULL,
    cache_hits  INTEGER NOT NULL,
    credits     REAL NOT NULL,
    PRIMARY KEY (org_id, run_id, block_id, provider, day)
) WITHOUT ROWID;
CREATE INDEX ix_provider_usage_org_day ON provider_usage (org_id, day);
CREATE INDEX ix_provider_usage_org_provider ON provider_usage (org_id, provider);
CREATE INDEX ix_provider_usage_run ON provider_usage (run_id);

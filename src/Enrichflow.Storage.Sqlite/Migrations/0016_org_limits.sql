-- Per-organization limits (docs/api.md §1 "Organization limits"): credit budgets per UTC day and month, quotas on
-- active and queued runs and on stored bytes. A NULL column is "not set" (the server's default applies).
CREATE TABLE org_limits (
    org_id              TEXT NOT NULL PRIMARY KEY,
    credits_per_day     REAL,
    credits_per_month   REAL,
    max_running_runs    INTEGER,
    max_queued_runs     INTEGER,
    max_stored_bytes    INTEGER,
    updated_at          TEXT NOT NULL
) WITHOUT ROWID;

-- An organization's runs by status (the quotas count them at every start) and its uploads (stored bytes).
CREATE INDEX ix_runs_org_status ON runs (org_id, status);
CREATE INDEX ix_uploads_org ON uploads (org_id);

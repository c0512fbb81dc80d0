-- Schedules (docs/api.md §10). next_run_at is the next due time (null while inactive); a claim moves it forward
-- with a compare-and-set in the same transaction that adds the run, so each due time starts one run.
-- last_run_at is the due time the last run was started for, last_run_id that run.
CREATE TABLE schedules (
    id                  TEXT NOT NULL PRIMARY KEY,
    org_id              TEXT NOT NULL,
    workflow_id         TEXT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    cron_expression     TEXT NOT NULL,
    time_zone           TEXT NOT NULL,
    is_active           INTEGER NOT NULL,
    webhook_payload     TEXT,
    specs_override      TEXT,
    next_run_at         TEXT,
    last_run_at         TEXT,
    last_run_id         TEXT,
    last_error          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    FOREIGN KEY (org_id, workflow_id) REFERENCES workflows (org_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_schedules_org_workflow ON schedules (org_id, workflow_id);
CREATE INDEX ix_schedules_due ON schedules (next_run_at) WHERE is_active = 1;

-- The schedule that started a run; null for a run started by a request.
ALTER TABLE runs ADD COLUMN schedule_id TEXT;

-- Outgoing webhook deliveries (API.md §6). One row per event (outgoing_webhook block and run end), keyed by its stable
-- event id; status: pending (next_attempt_at is when it is due), delivered, failed. lease_until fences the sender
-- attempting it. webhook_runs records that a run's deliveries were decided, so the sweep for runs whose listener
-- never ran skips it.
CREATE TABLE webhook_deliveries (
    event_id        TEXT NOT NULL PRIMARY KEY,
    run_id          TEXT NOT NULL,
    org_id          TEXT NOT NULL,
    workflow_id     TEXT NOT NULL,
    block_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    url             TEXT NOT NULL,
    include_rows    INTEGER NOT NULL,
    status          TEXT NOT NULL,
    attempt_count   INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    completed_at    TEXT,
    last_error      TEXT,
    lease_until     TEXT
);
CREATE INDEX ix_webhook_deliveries_run ON webhook_deliveries (run_id, created_at);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    event_id        TEXT NOT NULL REFERENCES webhook_deliveries (event_id) ON DELETE CASCADE,
    attempt         INTEGER NOT NULL,
    started_at      TEXT NOT NULL,
    duration_ms     REAL NOT NULL,
    status_code     INTEGER,
    error           TEXT,
    PRIMARY KEY (event_id, attempt)
) WITHOUT ROWID;

CREATE TABLE webhook_runs (
    run_id      TEXT NOT NULL PRIMARY KEY,
    decided_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Times are ISO-8601 UTC text with seven fraction digits ('2025-01-31T12:00:00.0000000Z'), so they sort as text.
-- Guids are lowercase 'D' text. Statuses are their wire names.

CREATE TABLE organizations (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT NOT NULL PRIMARY KEY,
    org_id      TEXT NOT NULL,
    hash        BLOB NOT NULL,
    read_only   INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (hash);

CREATE TABLE uploads (
    handle_id   TEXT NOT NULL PRIMARY KEY,
    org_id      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    blob_key    TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE idempotency_records (
    org_id          TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    response_json   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
) WITHOUT ROWID;

-- step is the workflow's own step (draft, completed); a deleted workflow reports step 'deleted' and gets its
-- own step back when it is updated again.
CREATE TABLE workflows (
    org_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL,
    step            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_run_date   TEXT,
    version         INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
) WITHOUT ROWID;
CREATE INDEX ix_workflows_org_updated ON workflows (org_id, updated_at DESC);

CREATE TABLE workflow_versions (
    org_id          TEXT NOT NULL,
    workflow_id     TEXT NOT NULL,
    version         INTEGER NOT NULL,
    definition_json TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, workflow_id, version),
    FOREIGN KEY (org_id, workflow_id) REFERENCES workflows (org_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE runs (
    id                  TEXT NOT NULL PRIMARY KEY,
    org_id              TEXT NOT NULL,
    workflow_id         TEXT NOT NULL,
    workflow_name       TEXT NOT NULL,
    workflow_version    INTEGER NOT NULL,
    definition_json     TEXT NOT NULL,
    options_json        TEXT NOT NULL,
    status              TEXT NOT NULL,
    queued_at           TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    started_at          TEXT,
    completed_at        TEXT,
    status_reason       TEXT,
    error_message       TEXT,
    source_chunk_count  INTEGER,
    progress_percent    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_runs_org_queued ON runs (org_id, queued_at DESC);
CREATE INDEX ix_runs_status_queued ON runs (status, queued_at);

CREATE TABLE run_blocks (
    run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    block_id        TEXT NOT NULL,
    block_name      TEXT NOT NULL,
    sequence_number INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    status          TEXT NOT NULL,
    started_at      TEXT,
    completed_at    TEXT,
    rows_in         INTEGER NOT NULL DEFAULT 0,
    rows_out        INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    rows_failed     INTEGER NOT NULL DEFAULT 0,
    chunks_done     INTEGER NOT NULL DEFAULT 0,
    error_message   TEXT,
    updated_at      TEXT,
    PRIMARY KEY (run_id, block_id)
) WITHOUT ROWID;

-- kind: 0 source, 1 chunk, 2 assemble, 3 finalize (UnitKind). status: pending, running, done, failed.
-- urgent puts assemble and finalize units ahead of chunk work so that they never starve.
CREATE TABLE work_units (
    id                  INTEGER PRIMARY KEY,
    run_id              TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind                INTEGER NOT NULL,
    block_id            TEXT NOT NULL,
    chunk               INTEGER NOT NULL,
    position            INTEGER NOT NULL,
    urgent              INTEGER GENERATED ALWAYS AS (kind >= 2) VIRTUAL,
    status              TEXT NOT NULL,
    lease_token         TEXT,
    lease_owner         TEXT,
    lease_expires_at    TEXT,
    attempt             INTEGER NOT NULL DEFAULT 0,
    error               TEXT,
    updated_at          TEXT
);
CREATE UNIQUE INDEX ux_work_units_key ON work_units (run_id, kind, block_id, chunk);
-- The claim reads the best pending unit of each running run from this index, and expired leases from the next.
CREATE INDEX ix_work_units_pending ON work_units (run_id, urgent DESC, chunk, position DESC) WHERE status = 'pending';
CREATE INDEX ix_work_units_leased ON work_units (run_id, lease_expires_at) WHERE status = 'running';

CREATE TABLE result_files (
    ordinal     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    block_id    TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    format      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    blob_key    TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    file_size   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    message     TEXT
);
CREATE UNIQUE INDEX ux_result_files_run_name ON result_files (run_id, file_name);

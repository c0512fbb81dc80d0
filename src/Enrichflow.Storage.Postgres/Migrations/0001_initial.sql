-- The whole schema of the SQLite store's migrations 0001-0019, for PostgreSQL. Times are ISO-8601 UTC text with seven
-- fraction digits ('2025-01-31T12:00:00.0000000Z'; timestamptz keeps only six), in the "C" collation so they and the
-- ids sort byte-wise whatever the database's locale. Guids are uuid, statuses their wire names.

CREATE TABLE organizations (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    name        text NOT NULL,
    created_at  text COLLATE "C" NOT NULL
);

CREATE TABLE api_keys (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    hash        bytea NOT NULL,
    read_only   boolean NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    revoked_at  text COLLATE "C"
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (hash);

CREATE TABLE uploads (
    handle_id   uuid NOT NULL PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    file_name   text NOT NULL,
    blob_key    text COLLATE "C" NOT NULL,
    size_bytes  bigint NOT NULL,
    created_at  text COLLATE "C" NOT NULL
);
CREATE INDEX ix_uploads_org ON uploads (org_id);
CREATE INDEX ix_uploads_created ON uploads (created_at);
CREATE INDEX ix_uploads_blob_key ON uploads (blob_key);

CREATE TABLE idempotency_records (
    org_id          text COLLATE "C" NOT NULL,
    key             text COLLATE "C" NOT NULL,
    request_hash    text NOT NULL,
    response_json   text NOT NULL,
    created_at      text COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX ix_idempotency_created ON idempotency_records (created_at);

CREATE TABLE workflows (
    org_id          text COLLATE "C" NOT NULL,
    id              text COLLATE "C" NOT NULL,
    name            text NOT NULL,
    description     text NOT NULL,
    status          text NOT NULL,
    step            text NOT NULL,
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    last_run_date   text COLLATE "C",
    version         integer NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX ix_workflows_org_updated ON workflows (org_id, updated_at DESC);

CREATE TABLE workflow_versions (
    org_id          text COLLATE "C" NOT NULL,
    workflow_id     text COLLATE "C" NOT NULL,
    version         integer NOT NULL,
    definition_json text NOT NULL,
    created_at      text COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, workflow_id, version),
    FOREIGN KEY (org_id, workflow_id) REFERENCES workflows (org_id, id) ON DELETE CASCADE
);

CREATE TABLE runs (
    id                  uuid NOT NULL PRIMARY KEY,
    org_id              text COLLATE "C" NOT NULL,
    workflow_id         text COLLATE "C" NOT NULL,
    workflow_name       text NOT NULL,
    workflow_version    integer NOT NULL,
    definition_json     text NOT NULL,
    options_json        text NOT NULL,
    status              text COLLATE "C" NOT NULL,
    queued_at           text COLLATE "C" NOT NULL,
    updated_at          text COLLATE "C" NOT NULL,
    started_at          text COLLATE "C",
    completed_at        text COLLATE "C",
    status_reason       text,
    error_message       text,
    source_chunk_count  integer,
    progress_percent    integer NOT NULL DEFAULT 0,
    schedule_id         uuid
);
CREATE INDEX ix_runs_org_queued ON runs (org_id, queued_at DESC);
CREATE INDEX ix_runs_status_queued ON runs (status, queued_at);
CREATE INDEX ix_runs_org_status ON runs (org_id, status);
CREATE INDEX ix_runs_completed ON runs (completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX ix_runs_paused_updated ON runs (updated_at) WHERE status = 'paused';

CREATE TABLE run_blocks (
    run_id          uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    block_id        text COLLATE "C" NOT NULL,
    block_name      text NOT NULL,
    sequence_number integer NOT NULL,
    position        integer NOT NULL,
    status          text NOT NULL,
    started_at      text COLLATE "C",
    completed_at    text COLLATE "C",
    rows_in         bigint NOT NULL DEFAULT 0,
    rows_out        bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    rows_failed     bigint NOT NULL DEFAULT 0,
    chunks_done     integer NOT NULL DEFAULT 0,
    error_message   text,
    updated_at      text COLLATE "C",
    PRIMARY KEY (run_id, block_id)
);

-- kind: UnitKind (0 source, 1 chunk, 2 assemble, 3 finalize, 4 observe). status: pending, running, done, failed.
-- urgent (kind 2 and up) puts assemble, finalize and observe units ahead of chunk work so that they never starve.
CREATE TABLE work_units (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id              uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind                integer NOT NULL,
    block_id            text COLLATE "C" NOT NULL,
    chunk               integer NOT NULL,
    position            integer NOT NULL,
    urgent              boolean GENERATED ALWAYS AS (kind >= 2) STORED,
    status              text NOT NULL,
    lease_token         uuid,
    lease_owner         text,
    lease_expires_at    text COLLATE "C",
    attempt             integer NOT NULL DEFAULT 0,
    error               text,
    updated_at          text COLLATE "C",
    rows_out            bigint,
    output_tag          uuid
);
CREATE UNIQUE INDEX ux_work_units_key ON work_units (run_id, kind, block_id, chunk);
CREATE INDEX ix_work_units_pending ON work_units (run_id, urgent DESC, chunk, position DESC) WHERE status = 'pending';
CREATE INDEX ix_work_units_leased ON work_units (run_id, lease_expires_at) WHERE status = 'running';

CREATE TABLE result_files (
    ordinal      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    block_id     text COLLATE "C" NOT NULL,
    block_number integer NOT NULL,
    format       text NOT NULL,
    file_name    text COLLATE "C" NOT NULL,
    blob_key     text COLLATE "C" NOT NULL,
    row_count    bigint NOT NULL,
    file_size    bigint NOT NULL,
    created_at   text COLLATE "C" NOT NULL,
    message      text,
    pending      boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX ux_result_files_run_name ON result_files (run_id, file_name);

-- secret is AES-256-GCM: 12-byte nonce || ciphertext || 16-byte tag, with "<org_id>\n<id>" as associated data.
CREATE TABLE signing_secrets (
    ordinal     bigint GENERATED ALWAYS AS IDENTITY,
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    preview     text NOT NULL,
    secret      bytea NOT NULL,
    status      text NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    revoked_at  text COLLATE "C"
);
CREATE INDEX ix_signing_secrets_org ON signing_secrets (org_id, created_at DESC);
CREATE UNIQUE INDEX ux_signing_secrets_active ON signing_secrets (org_id) WHERE status = 'active';

CREATE TABLE export_batches (
    run_id          uuid NOT NULL,
    block_id        text COLLATE "C" NOT NULL,
    batch           bigint NOT NULL,
    row_count       bigint NOT NULL,
    status          integer NOT NULL,
    acknowledged_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (run_id, block_id, batch)
);

CREATE TABLE webhook_deliveries (
    ordinal         bigint GENERATED ALWAYS AS IDENTITY,
    event_id        text COLLATE "C" NOT NULL PRIMARY KEY,
    run_id          uuid NOT NULL,
    org_id          text COLLATE "C" NOT NULL,
    workflow_id     text COLLATE "C" NOT NULL,
    block_id        text COLLATE "C" NOT NULL,
    event_type      text NOT NULL,
    url             text NOT NULL,
    include_rows    integer NOT NULL,
    status          text NOT NULL,
    attempt_count   integer NOT NULL DEFAULT 0,
    created_at      text COLLATE "C" NOT NULL,
    next_attempt_at text COLLATE "C" NOT NULL,
    completed_at    text COLLATE "C",
    last_error      text,
    lease_until     text COLLATE "C"
);
CREATE INDEX ix_webhook_deliveries_run ON webhook_deliveries (run_id, created_at);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    event_id        text COLLATE "C" NOT NULL REFERENCES webhook_deliveries (event_id) ON DELETE CASCADE,
    attempt         integer NOT NULL,
    started_at      text COLLATE "C" NOT NULL,
    duration_ms     double precision NOT NULL,
    status_code     integer,
    error           text,
    PRIMARY KEY (event_id, attempt)
);

CREATE TABLE webhook_runs (
    run_id      uuid NOT NULL PRIMARY KEY,
    decided_at  text COLLATE "C" NOT NULL
);

CREATE TABLE notebooks (
    id          text COLLATE "C" PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    name        text NOT NULL,
    key_fields  text,
    row_count   bigint NOT NULL DEFAULT 0,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL
);
CREATE INDEX ix_notebooks_org ON notebooks (org_id, updated_at DESC);

CREATE TABLE notebook_segments (
    ordinal      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notebook_id  text COLLATE "C" NOT NULL REFERENCES notebooks (id) ON DELETE CASCADE,
    segment_key  text COLLATE "C" NOT NULL,
    blob_key     text NOT NULL,
    row_count    bigint NOT NULL,
    appended_at  text COLLATE "C" NOT NULL,
    UNIQUE (notebook_id, segment_key)
);

-- The key index by integer scope and 16-byte binary key; key_rows is the multi-map (every row of a key).
CREATE TABLE key_scopes (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE key_entries (
    scope_id   bigint NOT NULL,
    key        bytea NOT NULL,
    row_index  bigint NOT NULL,
    PRIMARY KEY (scope_id, key)
);

CREATE TABLE key_rows (
    scope_id   bigint NOT NULL,
    key        bytea NOT NULL,
    location   bigint NOT NULL,
    PRIMARY KEY (scope_id, key, location)
);

CREATE TABLE provider_cache (
    org_id       text COLLATE "C" NOT NULL,
    provider     text COLLATE "C" NOT NULL,
    request_key  text COLLATE "C" NOT NULL,
    outcome      text NOT NULL,
    answer_json  text NOT NULL,
    credits      double precision NOT NULL,
    created_at   text COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, provider, request_key)
);
CREATE INDEX ix_provider_cache_created ON provider_cache (created_at);

-- day is 'yyyy-MM-dd'; rows only add up.
CREATE TABLE provider_usage (
    org_id           text COLLATE "C" NOT NULL,
    run_id           uuid NOT NULL,
    block_id         text COLLATE "C" NOT NULL,
    provider         text COLLATE "C" NOT NULL,
    day              text COLLATE "C" NOT NULL,
    calls            bigint NOT NULL,
    hits             bigint NOT NULL,
    misses           bigint NOT NULL,
    failures         bigint NOT NULL,
    cache_hits       bigint NOT NULL,
    credits          double precision NOT NULL,
    jobs_resumed     bigint NOT NULL DEFAULT 0,
    jobs_resubmitted bigint NOT NULL DEFAULT 0,
    not_retried      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, run_id, block_id, provider, day)
);
CREATE INDEX ix_provider_usage_org_day ON provider_usage (org_id, day);
CREATE INDEX ix_provider_usage_org_provider ON provider_usage (org_id, provider);
CREATE INDEX ix_provider_usage_run ON provider_usage (run_id);

CREATE TABLE schedules (
    id                  uuid NOT NULL PRIMARY KEY,
    org_id              text COLLATE "C" NOT NULL,
    workflow_id         text COLLATE "C" NOT NULL,
    name                text NOT NULL,
    description         text NOT NULL,
    cron_expression     text NOT NULL,
    time_zone           text NOT NULL,
    is_active           boolean NOT NULL,
    webhook_payload     text,
    specs_override      text,
    next_run_at         text COLLATE "C",
    last_run_at         text COLLATE "C",
    last_run_id         uuid,
    last_error          text,
    created_at          text COLLATE "C" NOT NULL,
    updated_at          text COLLATE "C" NOT NULL,
    FOREIGN KEY (org_id, workflow_id) REFERENCES workflows (org_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_schedules_org_workflow ON schedules (org_id, workflow_id);
CREATE INDEX ix_schedules_due ON schedules (next_run_at) WHERE is_active;

CREATE TABLE provider_jobs (
    org_id        text COLLATE "C" NOT NULL,
    provider      text COLLATE "C" NOT NULL,
    request_key   text COLLATE "C" NOT NULL,
    task_id       text NOT NULL,
    run_id        uuid NOT NULL,
    submitted_at  text COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, provider, request_key)
);
CREATE INDEX ix_provider_jobs_submitted ON provider_jobs (submitted_at);

-- A NULL column is "not set" (the server's default applies).
CREATE TABLE org_limits (
    org_id              text COLLATE "C" NOT NULL PRIMARY KEY,
    credits_per_day     double precision,
    credits_per_month   double precision,
    max_running_runs    integer,
    max_queued_runs     integer,
    max_stored_bytes    bigint,
    updated_at          text COLLATE "C" NOT NULL
);

-- Fair claims (docs/api.md §3): each claim takes the next value of claim_turns as its organization's and run's turn,
-- so "served longest ago" needs no clock and concurrent claims do not contend for a counter row.
CREATE SEQUENCE claim_turns;

CREATE TABLE org_claim_turns (
    org_id  text COLLATE "C" NOT NULL PRIMARY KEY,
    turn    bigint NOT NULL
);

CREATE TABLE run_claim_turns (
    run_id  uuid NOT NULL PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    turn    bigint NOT NULL
);

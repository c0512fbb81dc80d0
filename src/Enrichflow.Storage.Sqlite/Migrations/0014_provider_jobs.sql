-- Provider jobs under way (docs/architecture.md §4): the provider's task id of a long call, recorded before it is
-- polled, so a call resumed after a crash polls the job instead of paying for a new one. Keyed like provider_cache.
CREATE TABLE provider_jobs (
    org_id        TEXT NOT NULL,
    provider      TEXT NOT NULL,
    request_key   TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, provider, request_key)
);
CREATE INDEX ix_provider_jobs_submitted ON provider_jobs (submitted_at);

-- What a provider call did besides its answer: recorded jobs polled after a restart instead of submitted again,
-- jobs the provider no longer knew (404) and so submitted once more, and calls that timed out or broke off after
-- they were sent and were not retried because the provider may have charged them.
ALTER TABLE provider_usage ADD COLUMN jobs_resumed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE provider_usage ADD COLUMN jobs_resubmitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE provider_usage ADD COLUMN not_retried INTEGER NOT NULL DEFAULT 0;

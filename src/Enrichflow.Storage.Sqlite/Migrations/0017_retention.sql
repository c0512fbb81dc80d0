-- Retention (docs/api.md §9.1): the sweep finds expired runs by when they ended (paused ones by their last update),
-- expired uploads and idempotency records by when they were made, and the upload records that point into a run's blobs
-- (an interactive block's output) when the run goes.
CREATE INDEX ix_runs_completed ON runs (completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX ix_runs_paused_updated ON runs (updated_at) WHERE status = 'paused';
CREATE INDEX ix_uploads_created ON uploads (created_at);
CREATE INDEX ix_uploads_blob_key ON uploads (blob_key);
CREATE INDEX ix_idempotency_created ON idempotency_records (created_at);

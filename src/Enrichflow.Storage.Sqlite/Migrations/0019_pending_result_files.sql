-- Lazily rendered result files (docs/api.md §3.1, Results:Materialize): a file recorded with its row count whose bytes
-- are rendered from the run's stored chunks on its first download; file_size is known once it is rendered.
ALTER TABLE result_files ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

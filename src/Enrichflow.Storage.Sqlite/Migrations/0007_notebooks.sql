-- Notebooks (API.md §7): org-level persistent tables; rows live in blobs, one per appended segment.
CREATE TABLE notebooks (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    name        TEXT NOT NULL,
    key_fields  TEXT,
    row_count   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX ix_notebooks_org ON notebooks (org_id, updated_at DESC);

CREATE TABLE notebook_segments (
    ordinal      INTEGER PRIMARY KEY AUTOINCREMENT,
    notebook_id  TEXT NOT NULL REFERENCES notebooks (id) ON DELETE CASCADE,
    segment_key  TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    appended_at  TEXT NOT NULL,
    UNIQUE (notebook_id, segment_key)
);

-- Batches an export block's destination acknowledged (a 2xx), so a re-run unit does not send them again.
CREATE TABLE export_batches (
    run_id          TEXT NOT NULL,
    block_id        TEXT NOT NULL,
    batch           INTEGER NOT NULL,
    row_count       INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (run_id, block_id, batch)
) WITHOUT ROWID;

-- Keys of rows (hex hashes) per scope (a run's deduplicate block, later a notebook) and the row that holds them.
CREATE TABLE key_index (
    scope       TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    row_index   INTEGER NOT NULL,
    PRIMARY KEY (scope, key_hash)
) WITHOUT ROWID;

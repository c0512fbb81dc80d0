-- Every row of a key (a join's build side may hold several rows per key): scope, key, the row's location.
CREATE TABLE key_rows (
    scope_id   INTEGER NOT NULL,
    key        BLOB NOT NULL,
    location   INTEGER NOT NULL,
    PRIMARY KEY (scope_id, key, location)
) WITHOUT ROWID;

-- The key index by integer scope and 16-byte binary key (smaller and faster than text scopes and hex keys);
-- existing keys (notebooks keep theirs for good) move over.
CREATE TABLE key_scopes (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);

CREATE TABLE key_entries (
    scope_id   INTEGER NOT NULL,
    key        BLOB NOT NULL,
    row_index  INTEGER NOT NULL,
    PRIMARY KEY (scope_id, key)
) WITHOUT ROWID;

INSERT INTO key_scopes (name) SELECT DISTINCT scope FROM key_index;
INSERT INTO key_entries (scope_id, key, row_index)
SELECT s.id, unhex(k.key_hash), k.row_index FROM key_index k JOIN key_scopes s ON s.name = k.scope;
DROP TABLE key_index;

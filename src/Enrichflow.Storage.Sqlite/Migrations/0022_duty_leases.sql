-- Leases of background duties (docs/architecture.md §5, IDutyLeaseStore): one row per duty ever taken. holder is null
-- once released; epoch grows with every take by another holder. Times are the store's ISO text, from the store's
-- TimeProvider.
CREATE TABLE duty_leases (
    duty        TEXT NOT NULL PRIMARY KEY,
    holder      TEXT,
    epoch       INTEGER NOT NULL,
    taken_at    TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Leases of background duties (docs/architecture.md §5, IDutyLeaseStore): one row per duty ever taken. holder is null
-- once released; epoch grows with every take by another holder. Unlike the store's other times these are timestamptz
-- written and compared by the server's own clock (clock_timestamp()), so nodes with skewed clocks agree on expiry.
CREATE TABLE duty_leases (
    duty        text COLLATE "C" NOT NULL PRIMARY KEY,
    holder      text COLLATE "C",
    epoch       bigint NOT NULL,
    taken_at    timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

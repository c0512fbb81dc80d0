-- Fair claims (docs/api.md §3, "Fair scheduling"): a claim goes to the organization with the fewest units under a
-- live lease, then the one served longest ago, and within it to the run chosen the same way. turn is a counter that
-- every claim raises by one (the highest turn recorded plus one), so "served longest ago" needs no clock.
CREATE TABLE org_claim_turns (
    org_id  TEXT NOT NULL PRIMARY KEY,
    turn    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE run_claim_turns (
    run_id  TEXT NOT NULL PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    turn    INTEGER NOT NULL
) WITHOUT ROWID;

-- The highest turn, read by every claim.
CREATE INDEX ix_org_claim_turns_turn ON org_claim_turns (turn);

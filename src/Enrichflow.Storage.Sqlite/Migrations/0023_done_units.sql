-- The done units of a block, in chunk order: counted after every first-pass unit once the source is done (is every
-- chunk observed?) and listed to assemble results. Without it each count read every unit of the block from the table.
CREATE INDEX ix_work_units_done ON work_units (run_id, kind, block_id, chunk) WHERE status = 'done';

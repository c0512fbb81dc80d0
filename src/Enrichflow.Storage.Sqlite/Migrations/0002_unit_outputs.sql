-- Each committed chunk records how many rows it produced and the lease under which its output files were written,
-- so result assembly reads exactly the committed files, never those of an attempt that lost its lease.
ALTER TABLE work_units ADD COLUMN rows_out INTEGER;
ALTER TABLE work_units ADD COLUMN output_tag TEXT;

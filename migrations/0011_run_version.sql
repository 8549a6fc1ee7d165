-- The settle build that made each run (settle version), so that a changed behaviour
-- can be traced to the release that brought it.
ALTER TABLE job_runs ADD COLUMN version TEXT NOT NULL DEFAULT '';

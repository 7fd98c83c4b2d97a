-- Version 11: retry back-off. A part that failed a try waits (state 4, retrying) until retry_at, by its job's policy.
ALTER TABLE jobs ADD COLUMN retry_policy TEXT;
ALTER TABLE jobs ADD COLUMN n_retrying INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parts ADD COLUMN retry_at INTEGER;
CREATE INDEX parts_retry_at ON parts (retry_at) WHERE state = 4;

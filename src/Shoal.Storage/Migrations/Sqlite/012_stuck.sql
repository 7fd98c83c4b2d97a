-- Version 12: a live stream that cannot finish is stuck (its reason, since when; its owner told once).
ALTER TABLE streams ADD COLUMN stuck_reason TEXT;
ALTER TABLE streams ADD COLUMN stuck_since INTEGER;
ALTER TABLE streams ADD COLUMN stuck_notified_at INTEGER;
CREATE INDEX streams_stuck ON streams (id) WHERE stuck_reason IS NOT NULL;

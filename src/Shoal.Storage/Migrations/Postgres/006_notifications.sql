-- Version 6: completion notifications (email, webhook) are sent once per finished stream.
ALTER TABLE streams ADD COLUMN notified_at BIGINT;
UPDATE streams SET notified_at = finished_at WHERE finished_at IS NOT NULL;
CREATE INDEX streams_to_notify ON streams (id) WHERE finished_at IS NOT NULL AND notified_at IS NULL;

-- Version 3: pull agents. Object payloads, required tags, force-run, streamed part generation, token tags, settings.
ALTER TABLE parts ADD COLUMN is_json INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN requires_tags TEXT;
ALTER TABLE jobs ADD COLUMN forced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN generator TEXT;
ALTER TABLE jobs ADD COLUMN gen_next BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_generating ON jobs (id) WHERE generator IS NOT NULL;
ALTER TABLE tokens ADD COLUMN tags TEXT;
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Version 2: affinity routing by the key's first byte, and parts generated from a dependency's outputs.
ALTER TABLE parts ADD COLUMN key_byte INTEGER;
ALTER TABLE jobs ADD COLUMN generate_from BIGINT;
CREATE INDEX jobs_generate_from ON jobs (generate_from) WHERE generate_from IS NOT NULL;

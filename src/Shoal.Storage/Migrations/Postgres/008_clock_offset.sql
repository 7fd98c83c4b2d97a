-- Version 8: each server's clock offset to the database's clock (ms), as it last measured it.
ALTER TABLE servers ADD COLUMN clock_offset_ms BIGINT NOT NULL DEFAULT 0;

-- Version 4: fleet sweeps. Per-host result history, sweep runs, the sweep lock and built-in collectors.
ALTER TABLE jobs ADD COLUMN wait_for_lock TEXT;
ALTER TABLE jobs ADD COLUMN collector TEXT;

CREATE TABLE host_results (
    id          INTEGER PRIMARY KEY,
    host        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    exit_code   INTEGER,
    duration_ms INTEGER,
    output      TEXT,
    source      TEXT    NOT NULL,
    stream_id   INTEGER
);
CREATE INDEX host_results_host_at ON host_results (host, at);

CREATE TABLE sweeps (
    stream_id     INTEGER PRIMARY KEY,
    job_id        INTEGER NOT NULL,
    mode          TEXT    NOT NULL,
    threads       INTEGER NOT NULL,
    started_at    INTEGER NOT NULL,
    time_limit_ms INTEGER NOT NULL,
    skipped       TEXT    NOT NULL,
    lock          INTEGER NOT NULL
);

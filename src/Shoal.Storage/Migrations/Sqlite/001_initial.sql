-- Shoal schema, version 1. Times are UTC milliseconds since the Unix epoch, computed by the application.
CREATE TABLE streams (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    reason      TEXT
);
CREATE INDEX streams_state ON streams (state);

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    stream_id       INTEGER NOT NULL REFERENCES streams (id),
    name            TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    state           INTEGER NOT NULL,
    priority        INTEGER NOT NULL,
    retries         INTEGER NOT NULL,
    on_part_failure INTEGER NOT NULL,
    timeout_ms      INTEGER,
    deps_pending    INTEGER NOT NULL,
    ready_at        INTEGER,
    started_at      INTEGER,
    finished_at     INTEGER,
    reason          TEXT,
    n_parts         INTEGER NOT NULL,
    n_ready         INTEGER NOT NULL,
    n_leased        INTEGER NOT NULL DEFAULT 0,
    n_done          INTEGER NOT NULL DEFAULT 0,
    n_failed        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_stream ON jobs (stream_id);
CREATE INDEX jobs_runnable ON jobs (type) WHERE state IN (1, 2);
CREATE INDEX jobs_running ON jobs (started_at) WHERE state = 2;
CREATE INDEX jobs_leased ON jobs (type) WHERE n_leased > 0;

CREATE TABLE job_deps (
    job_id INTEGER NOT NULL,
    dep_id INTEGER NOT NULL,
    PRIMARY KEY (job_id, dep_id)
) WITHOUT ROWID;
CREATE INDEX job_deps_dep ON job_deps (dep_id);

CREATE TABLE parts (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    key         TEXT,
    attempt     INTEGER NOT NULL DEFAULT 1,
    lease_no    INTEGER NOT NULL DEFAULT 0,
    owner       TEXT,
    host        TEXT,
    deadline    INTEGER,
    finished_at INTEGER,
    result      TEXT,
    log         TEXT
);
CREATE INDEX parts_job_state ON parts (job_id, state, id);
CREATE INDEX parts_leased_deadline ON parts (deadline) WHERE state = 1;
CREATE INDEX parts_leased_host ON parts (host) WHERE state = 1;
CREATE INDEX parts_leased_owner ON parts (owner) WHERE state = 1;

CREATE TABLE tokens (
    hash       TEXT    PRIMARY KEY,
    role       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Version 5: recurring schedules that submit a stream from a template.
CREATE TABLE schedules (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    cron        TEXT,
    every_ms    INTEGER,
    tz          TEXT    NOT NULL,
    template    TEXT    NOT NULL,
    misfire     INTEGER NOT NULL,
    overlap     INTEGER NOT NULL,
    paused      INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    last_at     INTEGER,
    last_stream INTEGER
);

-- Version 7: the servers sharing the queue, as each last recorded itself (one row for an embedded store).
CREATE TABLE servers (
    name       TEXT    PRIMARY KEY,
    url        TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    leader     INTEGER NOT NULL,
    agents     TEXT    NOT NULL
);

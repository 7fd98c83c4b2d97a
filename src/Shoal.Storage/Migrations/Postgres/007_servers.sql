-- Version 7: the servers sharing the queue, as each last recorded itself (one row for an embedded store).
CREATE TABLE servers (
    name       TEXT    PRIMARY KEY,
    url        TEXT    NOT NULL,
    started_at BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL,
    leader     INTEGER NOT NULL,
    agents     TEXT    NOT NULL
);

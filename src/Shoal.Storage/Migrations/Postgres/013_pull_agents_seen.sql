-- Version 13: when each pull agent (its lease owner) last called any server of the queue, and which: the leader
-- releases the leases of an agent silent past agent_lost_seconds at once, whichever server it called.
CREATE TABLE pull_agents (
    owner     TEXT    PRIMARY KEY,
    last_seen BIGINT NOT NULL,
    server    TEXT    NOT NULL
);
CREATE INDEX pull_agents_last_seen ON pull_agents (last_seen);

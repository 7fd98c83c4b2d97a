-- Version 14: each host's zone as the newest sweep's inventory gave it ('' = the server's own zone), so that a
-- zone's fleet token (host:* with zone:Z) checks in only the hosts of its zone.
CREATE TABLE host_zones (
    host TEXT PRIMARY KEY,
    zone TEXT NOT NULL
);

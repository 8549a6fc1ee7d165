-- Alerts: events worth telling someone (a failed job, a rejected file, a finding, a
-- shortfall, an old exception, a rejected batch), each kept once by its event id, and
-- each delivery to a configured webhook journaled until it succeeds.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,   -- stable: the receiver de-duplicates on it
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,          -- the JSON body sent
    created_at TEXT NOT NULL
);

CREATE TABLE alert_deliveries (
    alert_id     INTEGER NOT NULL REFERENCES alerts(id),
    url          TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    last_at      TEXT,
    delivered_at TEXT,
    PRIMARY KEY (alert_id, url)
);
CREATE INDEX alert_deliveries_pending ON alert_deliveries(delivered_at);

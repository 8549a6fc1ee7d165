-- The signatures the API accepted, shared by its replicas on PostgreSQL, so that a
-- request replayed to another replica is refused too. A row matters only while its
-- timestamp is inside the API's window; expired rows are deleted as the API goes.
CREATE TABLE api_replays (
    signature  TEXT PRIMARY KEY,   -- hex of the request's signature
    expires_at BIGINT NOT NULL     -- Unix ms after which the timestamp is outside the window
);
CREATE INDEX api_replays_expiry ON api_replays(expires_at);

-- An inbox file being handled: a row is written before the ingest starts on a file
-- and deleted once the file is ingested, found a duplicate or rejected. A row left by
-- a process that died is an attempt that never finished; a file with two of them is
-- quarantined instead of being tried a third time.
CREATE TABLE inbox_attempts (
    sha256     TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    last_at    TEXT    NOT NULL,
    holder     TEXT    NOT NULL
);

-- People in the loop (issue 20): reconciliation breaks worked to closure, matches
-- that hold across statements, adjustments and batch releases by a second person.

-- Which statement entry matched a ledger movement on a bank account: one entry per
-- movement across all statements (the primary key), whether a rule paired them
-- (how = the rule, replaced when the statement is reconciled again) or a person did
-- (how = 'manual', kept until someone unmatches it).
CREATE TABLE statement_matches (
    transaction_id BIGINT PRIMARY KEY REFERENCES transactions(id),
    bank_entry_id  BIGINT NOT NULL REFERENCES bank_entries(id),
    statement_id   BIGINT NOT NULL REFERENCES bank_statements(id),
    how            TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX statement_matches_entry ON statement_matches(bank_entry_id);
CREATE INDEX statement_matches_statement ON statement_matches(statement_id, how);

-- A break is a reconciliation finding that waits for a person: a statement entry the
-- ledger lacks (subject 'entry:ID'), a ledger movement no statement shows
-- ('tx:ID'), or amounts that differ ('entry:ID'). It stays open from the first day
-- it was found until it is matched (by a later reconciliation or by hand) or resolved.
CREATE TABLE breaks (
    id               INTEGER PRIMARY KEY,
    subject          TEXT NOT NULL UNIQUE,
    partner_key      TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('unmatched_bank', 'unmatched_ledger', 'amount_difference')),
    bank_entry_id    BIGINT REFERENCES bank_entries(id),
    transaction_id   BIGINT REFERENCES transactions(id),
    statement_id     BIGINT REFERENCES bank_statements(id),
    bank_cents       BIGINT,
    ledger_cents     BIGINT,
    detail           TEXT NOT NULL DEFAULT '',
    first_day        TEXT NOT NULL,
    last_day         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    assignee         TEXT,
    resolution       TEXT,             -- matched, matched with a difference, resolved: with the reason
    difference_cents BIGINT,           -- a force-match's bank amount minus the ledger's
    resolved_by      TEXT,
    resolved_day     TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX breaks_open ON breaks(status, partner_key, first_day);

-- Who did what to a break, when and why.
CREATE TABLE break_events (
    id       INTEGER PRIMARY KEY,
    break_id BIGINT NOT NULL REFERENCES breaks(id),
    action   TEXT NOT NULL,            -- found, assigned, commented, matched, unmatched, resolved, reopened
    actor    TEXT NOT NULL,
    note     TEXT NOT NULL DEFAULT '',
    at       TEXT NOT NULL
);
CREATE INDEX break_events_break ON break_events(break_id, id);

-- A balance adjustment of a wallet bucket proposed by one person and posted only
-- when another approves it.
CREATE TABLE adjustments (
    id             INTEGER PRIMARY KEY,
    wallet_id      TEXT NOT NULL REFERENCES wallets(wallet_id),
    bucket         TEXT NOT NULL CHECK (bucket IN ('withdrawable', 'restricted')),
    amount_cents   BIGINT NOT NULL,    -- positive: money to the wallet's owner
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    proposed_by    TEXT NOT NULL,
    proposed_at    TEXT NOT NULL,
    decided_by     TEXT,
    decided_at     TEXT,
    note           TEXT NOT NULL DEFAULT '',
    transaction_id BIGINT REFERENCES transactions(id)
);
CREATE INDEX adjustments_status ON adjustments(status, id);

-- A batch's release to the bank, when batches.approval asks for one.
ALTER TABLE batches ADD COLUMN approved_by TEXT;
ALTER TABLE batches ADD COLUMN approved_at TEXT;

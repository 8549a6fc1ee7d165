-- Ingest: the files read, every unit of every file with its outcome, the
-- exceptions an operator works, the refunds they queue, and pain.002 statuses.

CREATE TABLE input_files (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,          -- camt.054, pain.002, csv:wallets, ...
    message_id   TEXT,
    size_bytes   BIGINT NOT NULL,
    job_run_id   BIGINT REFERENCES job_runs(id),
    units        INTEGER NOT NULL DEFAULT 0,
    posted       INTEGER NOT NULL DEFAULT 0,
    exceptions   INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    recorded     INTEGER NOT NULL DEFAULT 0,
    summary      TEXT NOT NULL DEFAULT '{}',
    ingested_at  TEXT NOT NULL
);

-- One row per unit: a statement entry, or one transaction of a batch-booked entry.
CREATE TABLE bank_entries (
    id             INTEGER PRIMARY KEY,
    file_id        BIGINT NOT NULL REFERENCES input_files(id),
    position       INTEGER NOT NULL,           -- the entry's position in the file
    detail         INTEGER NOT NULL DEFAULT 0, -- the transaction within a split batch entry, 1-based; 0: the entry
    dedupe_key     TEXT UNIQUE,                -- NULL on duplicates
    duplicate_of   BIGINT REFERENCES bank_entries(id),
    outcome        TEXT NOT NULL CHECK (outcome IN ('posted', 'exception', 'duplicate', 'recorded')),
    partner_key    TEXT REFERENCES partners(partner_key),
    account        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount_cents   BIGINT NOT NULL,            -- positive; credit says the direction
    credit         BOOLEAN NOT NULL,
    status         TEXT NOT NULL,
    booking_date   TEXT,
    value_date     TEXT,
    acct_svcr_ref  TEXT,
    end_to_end_id  TEXT,
    pmt_inf_id     TEXT,
    msg_id         TEXT,
    mandate_id     TEXT,
    bank_tx_code   TEXT,
    return_reason  TEXT,
    charges_cents  BIGINT NOT NULL DEFAULT 0,
    debtor_iban    TEXT,
    debtor_name    TEXT,
    creditor_iban  TEXT,
    remittance     TEXT,
    transaction_id BIGINT REFERENCES transactions(id)
);
CREATE INDEX bank_entries_file ON bank_entries(file_id, position);
CREATE INDEX bank_entries_e2e ON bank_entries(end_to_end_id) WHERE end_to_end_id IS NOT NULL;
CREATE INDEX bank_entries_pmtinf ON bank_entries(pmt_inf_id) WHERE pmt_inf_id IS NOT NULL;

CREATE TABLE exceptions (
    id                        INTEGER PRIMARY KEY,
    reason                    TEXT NOT NULL,
    detail                    TEXT NOT NULL,
    bank_entry_id             BIGINT NOT NULL REFERENCES bank_entries(id),
    partner_key               TEXT REFERENCES partners(partner_key),
    wallet_id                 TEXT REFERENCES wallets(wallet_id),
    amount_cents              BIGINT NOT NULL,
    currency                  TEXT NOT NULL,
    debtor_iban               TEXT,
    debtor_name               TEXT,
    in_suspense               BOOLEAN NOT NULL, -- the money was posted to the partner's suspense account
    status                    TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'refunded', 'written_off')),
    resolution_transaction_id BIGINT REFERENCES transactions(id),
    resolved_by               TEXT,
    resolved_at               TEXT,
    resolution_note           TEXT,
    created_at                TEXT NOT NULL
);
CREATE INDEX exceptions_status ON exceptions(status, id);

-- Refunds of received money, paid by the next SCT batch.
CREATE TABLE refund_requests (
    id             INTEGER PRIMARY KEY,
    exception_id   BIGINT NOT NULL UNIQUE REFERENCES exceptions(id),
    partner_key    TEXT NOT NULL REFERENCES partners(partner_key),
    iban           TEXT NOT NULL,
    name           TEXT NOT NULL,
    amount_cents   BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'batched', 'paid', 'failed')),
    transaction_id BIGINT NOT NULL REFERENCES transactions(id),
    created_at     TEXT NOT NULL
);

-- pain.002 statuses, kept for the batch work to act on.
CREATE TABLE payment_statuses (
    id              INTEGER PRIMARY KEY,
    file_id         BIGINT NOT NULL REFERENCES input_files(id),
    position        INTEGER NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('group', 'block', 'transaction')),
    orig_msg_id     TEXT NOT NULL,
    orig_pmt_inf_id TEXT,
    orig_e2e_id     TEXT,
    status          TEXT NOT NULL,
    reason_code     TEXT,
    reason_info     TEXT,
    amount_cents    BIGINT,
    currency        TEXT
);
CREATE INDEX payment_statuses_orig ON payment_statuses(orig_msg_id);

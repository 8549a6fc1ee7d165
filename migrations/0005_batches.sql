-- Outgoing batches: SDD mandates and the direct debits collected under them,
-- credit transfers paid out, and the pain.008 / pain.001 files that carry them.

CREATE TABLE mandates (
    mandate_id           TEXT PRIMARY KEY,           -- the UMR, unique per creditor id case-insensitively
    partner_key          TEXT NOT NULL REFERENCES partners(partner_key),
    creditor_id          TEXT NOT NULL,
    wallet_id            TEXT NOT NULL REFERENCES wallets(wallet_id),
    debtor_name          TEXT NOT NULL,
    debtor_iban          TEXT NOT NULL,
    debtor_bic           TEXT,
    signature_date       TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('Active', 'Suspended', 'Revoked', 'Expired')),
    last_collection_date TEXT,                       -- of the last collection batched under it
    -- An amendment waiting to be told to the debtor bank with the next collection.
    original_mandate_id  TEXT,
    original_creditor_id TEXT,
    original_debtor_iban TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE UNIQUE INDEX mandates_umr ON mandates(creditor_id, lower(mandate_id));
CREATE INDEX mandates_wallet ON mandates(wallet_id);

-- A batch is one pain.008 or pain.001 file.
CREATE TABLE batches (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('sdd', 'sct')),
    msg_id         TEXT NOT NULL UNIQUE,
    partner_key    TEXT NOT NULL REFERENCES partners(partner_key),
    account_iban   TEXT NOT NULL,                    -- the creditor (sdd) or debtor (sct) account
    message        TEXT NOT NULL,                    -- pain.008.001.08, pain.001.001.03, ...
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    nb_of_txs      INTEGER NOT NULL,
    ctrl_sum_cents BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('Batched', 'Sent', 'Settled', 'Rejected', 'Cancelled')),
    flagged        TEXT,                             -- why an operator should look (a group-level reject)
    created_at     TEXT NOT NULL,
    sent_at        TEXT,
    cancelled_at   TEXT
);
CREATE INDEX batches_status ON batches(status, id);

-- A payment information block of a batch.
CREATE TABLE batch_blocks (
    pmt_inf_id     TEXT PRIMARY KEY,
    batch_id       BIGINT NOT NULL REFERENCES batches(id),
    date           TEXT NOT NULL,                    -- collection or execution date
    sequence_type  TEXT,                             -- FRST, RCUR (sdd)
    nb_of_txs      INTEGER NOT NULL,
    ctrl_sum_cents BIGINT NOT NULL
);
CREATE INDEX batch_blocks_batch ON batch_blocks(batch_id);

CREATE TABLE direct_debits (
    id                   INTEGER PRIMARY KEY,
    topup_id             TEXT NOT NULL UNIQUE,        -- the platform's top-up request
    partner_key          TEXT NOT NULL REFERENCES partners(partner_key),
    wallet_id            TEXT NOT NULL REFERENCES wallets(wallet_id),
    mandate_id           TEXT NOT NULL REFERENCES mandates(mandate_id),
    amount_cents         BIGINT NOT NULL CHECK (amount_cents > 0),
    requested_date       TEXT NOT NULL,               -- the earliest collection date asked for
    end_to_end_id        TEXT NOT NULL UNIQUE,
    status               TEXT NOT NULL CHECK (status IN ('Created', 'Batched', 'Sent', 'Settled', 'Rejected',
                             'Returned', 'Refunded', 'Cancelled')),
    batch_id             BIGINT REFERENCES batches(id),
    pmt_inf_id           TEXT,
    collection_date      TEXT,
    sequence_type        TEXT,
    amendment            TEXT,                        -- the amendment details sent with it, JSON
    reason_code          TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX direct_debits_created ON direct_debits(partner_key, requested_date, id) WHERE status = 'Created';
CREATE INDEX direct_debits_batch ON direct_debits(batch_id, pmt_inf_id, id);
CREATE INDEX direct_debits_mandate ON direct_debits(mandate_id); -- not (mandate_id, status): batching changes every status
CREATE INDEX direct_debits_wallet ON direct_debits(wallet_id, requested_date);

CREATE TABLE credit_transfers (
    id                   INTEGER PRIMARY KEY,
    request_id           TEXT NOT NULL UNIQUE,        -- withdrawal id, refund:<id>, ...
    kind                 TEXT NOT NULL CHECK (kind IN ('SctWithdrawal', 'Redemption', 'Refund', 'FeePayout')),
    partner_key          TEXT NOT NULL REFERENCES partners(partner_key),
    wallet_id            TEXT REFERENCES wallets(wallet_id),
    refund_request_id    BIGINT REFERENCES refund_requests(id),
    creditor_name        TEXT NOT NULL,
    creditor_iban        TEXT NOT NULL,
    creditor_bic         TEXT,
    amount_cents         BIGINT NOT NULL CHECK (amount_cents > 0),
    remittance           TEXT NOT NULL,
    requested_date       TEXT NOT NULL,
    end_to_end_id        TEXT NOT NULL UNIQUE,
    status               TEXT NOT NULL CHECK (status IN ('Created', 'Batched', 'Sent', 'Settled', 'Rejected',
                             'Returned', 'Refunded', 'Cancelled')),
    batch_id             BIGINT REFERENCES batches(id),
    pmt_inf_id           TEXT,
    execution_date       TEXT,
    transaction_id       BIGINT REFERENCES transactions(id), -- the debit into payout_clearing
    reason_code          TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX credit_transfers_created ON credit_transfers(partner_key, requested_date, id) WHERE status = 'Created';
CREATE INDEX credit_transfers_batch ON credit_transfers(batch_id, pmt_inf_id, id);
CREATE INDEX credit_transfers_wallet ON credit_transfers(wallet_id, status);

-- Settlement: store operations and their fees, daily fee totals, fee payouts,
-- bank statements kept for reconciliation, reconciliation results, safeguarding.

-- Operations may now be recorded without money moving (a store operation the feed
-- reports Pending or Failed), so transaction_id becomes optional. SQLite cannot
-- relax a column: the table is rebuilt. Nothing references operations.
CREATE TABLE operations_new (
    operation_id                TEXT PRIMARY KEY,
    transaction_id              BIGINT REFERENCES transactions(id),
    operation_type              TEXT NOT NULL,
    operation_status            TEXT NOT NULL CHECK (operation_status IN ('Pending', 'Completed', 'Failed', 'Reversed')),
    amount_cents                BIGINT NOT NULL,
    customer_net_amount_cents   BIGINT NOT NULL,
    customer_final_amount_cents BIGINT NOT NULL,
    fee_cents                   BIGINT NOT NULL DEFAULT 0,
    fee_platform_cents          BIGINT NOT NULL DEFAULT 0,
    fee_partner_cents           BIGINT NOT NULL DEFAULT 0,
    fee_dealer_cents            BIGINT NOT NULL DEFAULT 0,
    fee_store_cents             BIGINT NOT NULL DEFAULT 0,
    fee_debtor                  TEXT NOT NULL DEFAULT 'None' CHECK (fee_debtor IN ('Customer', 'Store', 'None')),
    partner_key                 TEXT NOT NULL REFERENCES partners(partner_key),
    wallet_id                   TEXT REFERENCES wallets(wallet_id),
    dealer_key                  TEXT REFERENCES dealers(dealer_key),
    store_id                    TEXT REFERENCES stores(store_id),
    operation_date              TEXT NOT NULL,
    created_at                  TEXT NOT NULL
);
INSERT INTO operations_new SELECT * FROM operations;
DROP TABLE operations;
ALTER TABLE operations_new RENAME TO operations;
CREATE INDEX operations_transaction ON operations(transaction_id);
CREATE INDEX operations_wallet ON operations(wallet_id, operation_date);
CREATE INDEX operations_day ON operations(operation_date, partner_key);

-- The price of a store operation: fee = fixed + percent% x amount, rounded half-up
-- to the cent; the shares are basis points summing to 10,000.
CREATE TABLE fee_schedules (
    partner_key        TEXT NOT NULL REFERENCES partners(partner_key),
    operation_type     TEXT NOT NULL,
    fixed_cents        BIGINT NOT NULL CHECK (fixed_cents >= 0),
    percent            TEXT NOT NULL,           -- exact decimal, e.g. 1.25 for 1.25 %
    fee_debtor         TEXT NOT NULL CHECK (fee_debtor IN ('Customer', 'Store', 'None')),
    share_platform_bp  INTEGER NOT NULL CHECK (share_platform_bp >= 0),
    share_partner_bp   INTEGER NOT NULL CHECK (share_partner_bp >= 0),
    share_dealer_bp    INTEGER NOT NULL CHECK (share_dealer_bp >= 0),
    share_store_bp     INTEGER NOT NULL CHECK (share_store_bp >= 0),
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (partner_key, operation_type),
    CHECK (share_platform_bp + share_partner_bp + share_dealer_bp + share_store_bp = 10000)
);

-- Daily totals (DESIGN: Fees); '' stands for no dealer or no store.
CREATE TABLE fee_totals (
    day                         TEXT NOT NULL,
    partner_key                 TEXT NOT NULL,
    dealer_key                  TEXT NOT NULL,
    store_id                    TEXT NOT NULL,
    operation_type              TEXT NOT NULL,
    operation_status            TEXT NOT NULL,
    fee_debtor                  TEXT NOT NULL,
    count                       BIGINT NOT NULL,
    total_amount_cents          BIGINT NOT NULL,
    total_customer_net_cents    BIGINT NOT NULL,
    total_customer_final_cents  BIGINT NOT NULL,
    total_fee_cents             BIGINT NOT NULL,
    total_for_platform_cents    BIGINT NOT NULL,
    total_for_partner_cents     BIGINT NOT NULL,
    total_for_dealer_cents      BIGINT NOT NULL,
    total_for_store_cents       BIGINT NOT NULL,
    PRIMARY KEY (day, partner_key, dealer_key, store_id, operation_type, operation_status, fee_debtor)
);

-- A credit transfer debited from an account other than a wallet's withdrawable bucket (a fee
-- payout from a dealer's or store's fee account, a redemption made by a balance reset) names
-- that account: a reject, return or cancel puts the money back there.
ALTER TABLE credit_transfers ADD COLUMN back_account_id BIGINT REFERENCES accounts(id);

-- The statements of camt.053 files, kept for reconciliation: their entries are the
-- file's bank_entries on the same account.
CREATE TABLE bank_statements (
    id                INTEGER PRIMARY KEY,
    file_id           BIGINT NOT NULL REFERENCES input_files(id),
    statement_id      TEXT NOT NULL,
    sequence          TEXT,
    partner_key       TEXT REFERENCES partners(partner_key),
    account           TEXT NOT NULL,
    currency          TEXT NOT NULL,
    from_date         TEXT NOT NULL,
    to_date           TEXT NOT NULL,
    opening_cents     BIGINT,
    closing_cents     BIGINT,
    UNIQUE (file_id, account)
);
CREATE INDEX bank_statements_account ON bank_statements(account, to_date);

-- One reconciliation per statement: its checks and the count of each finding.
CREATE TABLE reconciliations (
    id                  INTEGER PRIMARY KEY,
    statement_id        BIGINT NOT NULL UNIQUE REFERENCES bank_statements(id),
    partner_key         TEXT NOT NULL,
    day                 TEXT NOT NULL,
    opening_cents       BIGINT,
    closing_cents       BIGINT,
    entries_cents       BIGINT NOT NULL,
    previous_closing_cents BIGINT,
    ledger_cents        BIGINT NOT NULL,    -- the ledger's bank balance at the end of the day
    continuity_ok       BOOLEAN NOT NULL,
    arithmetic_ok       BOOLEAN NOT NULL,
    drift_cents         BIGINT NOT NULL,     -- closing - ledger balance
    matched             BIGINT NOT NULL,
    unmatched_bank      BIGINT NOT NULL,
    unmatched_ledger    BIGINT NOT NULL,
    amount_differences  BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('reconciled', 'breaks')),
    created_at          TEXT NOT NULL
);
CREATE INDEX reconciliations_day ON reconciliations(day, partner_key);

CREATE TABLE reconciliation_items (
    id                 INTEGER PRIMARY KEY,
    reconciliation_id  BIGINT NOT NULL REFERENCES reconciliations(id),
    status             TEXT NOT NULL CHECK (status IN ('matched', 'unmatched_bank', 'unmatched_ledger', 'amount_difference')),
    rule               TEXT,                 -- acct_svcr_ref, end_to_end_id, pmt_inf_id, amount_date
    bank_entry_id      BIGINT REFERENCES bank_entries(id),
    transaction_id     BIGINT REFERENCES transactions(id),
    bank_cents         BIGINT,               -- signed: credits positive
    ledger_cents       BIGINT,
    detail             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reconciliation_items_rec ON reconciliation_items(reconciliation_id, status);

-- The daily safeguarding check (DESIGN: Reconciliation): the money on the partner's
-- bank account, and the cash its stores owe it, against what it holds for others.
-- customer = wallets + suspense + payout_clearing + unclaimed (owed to wallet owners
-- and senders); own = the rest of the ledger (fees earned, charges, bad debt): the
-- platform's. drift = bank + store cash - customer - own: zero when the bank's
-- balance is the ledger's. A shortfall is bank + store cash below the customer money.
CREATE TABLE safeguarding (
    day              TEXT NOT NULL,
    partner_key      TEXT NOT NULL,
    bank_cents       BIGINT NOT NULL,   -- the statement's closing balance that day, else the ledger's bank
    from_statement   BOOLEAN NOT NULL,
    ledger_bank_cents BIGINT NOT NULL,
    store_cash_cents BIGINT NOT NULL,   -- cash the stores took for wallets and owe the partner
    wallets_cents    BIGINT NOT NULL,   -- positive: owed to wallet owners
    customer_cents   BIGINT NOT NULL,
    own_cents        BIGINT NOT NULL,
    drift_cents      BIGINT NOT NULL,
    shortfall        BOOLEAN NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (day, partner_key)
);

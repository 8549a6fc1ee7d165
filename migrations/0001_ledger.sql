-- Reference data, accounts, transactions, postings and operations.
-- Money is integer cents (BIGINT). Dates are ISO text: YYYY-MM-DD for civil dates,
-- RFC 3339 for instants. The SQL is kept to what PostgreSQL also accepts, except
-- INTEGER PRIMARY KEY, which is SQLite's rowid alias (BIGSERIAL/identity on PostgreSQL).

CREATE TABLE partners (
    partner_key                            TEXT PRIMARY KEY,
    name                                   TEXT NOT NULL,
    settlement_iban                        TEXT NOT NULL,
    settlement_bic                         TEXT,
    creditor_id                            TEXT,
    destination_owner                      TEXT NOT NULL,
    maximum_balance_cents                  BIGINT,
    maximum_last_month_cash_deposit_cents  BIGINT,
    maximum_last_month_cash_withdrawal_cents BIGINT,
    maximum_last_month_sdd_deposit_cents   BIGINT,
    created_at                             TEXT NOT NULL,
    updated_at                             TEXT NOT NULL
);

CREATE TABLE dealers (
    dealer_key  TEXT PRIMARY KEY,
    partner_key TEXT NOT NULL REFERENCES partners(partner_key),
    dealer_name TEXT NOT NULL,
    iban        TEXT,
    bic         TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX dealers_partner ON dealers(partner_key);

CREATE TABLE stores (
    store_id    TEXT PRIMARY KEY,
    dealer_key  TEXT NOT NULL REFERENCES dealers(dealer_key),
    store_name  TEXT NOT NULL,
    iban        TEXT,
    bic         TEXT,
    city        TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX stores_dealer ON stores(dealer_key);

CREATE TABLE wallets (
    wallet_id              TEXT PRIMARY KEY,
    partner_key            TEXT NOT NULL REFERENCES partners(partner_key),
    tax_id                 TEXT NOT NULL,
    first_name             TEXT NOT NULL,
    last_name              TEXT NOT NULL,
    iban                   TEXT,
    bic                    TEXT,
    is_iban_validated      BOOLEAN NOT NULL DEFAULT FALSE,
    iban_validation_code   TEXT,
    phone_number           TEXT NOT NULL,
    email                  TEXT NOT NULL,
    creation_date          TEXT NOT NULL,
    last_update_date       TEXT NOT NULL,
    last_usage_date        TEXT,
    closure_date           TEXT,
    suspension_date        TEXT,
    originating_dealer_key TEXT NOT NULL REFERENCES dealers(dealer_key),
    address_street         TEXT,
    address_number         TEXT,
    zip_code               TEXT,
    city                   TEXT,
    province               TEXT,
    country                TEXT,
    status                 TEXT NOT NULL CHECK (status IN ('Active', 'Suspended', 'Closed')),
    metadata               TEXT NOT NULL DEFAULT '{}',
    sct_reason             TEXT
);
CREATE UNIQUE INDEX wallets_partner_tax_id ON wallets(partner_key, tax_id);
CREATE UNIQUE INDEX wallets_sct_reason ON wallets(sct_reason) WHERE sct_reason IS NOT NULL;
CREATE INDEX wallets_validation_code ON wallets(iban_validation_code, partner_key);
CREATE INDEX wallets_iban ON wallets(iban) WHERE iban IS NOT NULL;
CREATE INDEX wallets_dealer ON wallets(originating_dealer_key);
CREATE INDEX wallets_creation ON wallets(partner_key, creation_date);

-- One account per wallet bucket and per system account of a partner.
-- code is the account's name: wallet:<walletId>:withdrawable, partner:<partnerKey>:bank, ...
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    partner_key   TEXT NOT NULL REFERENCES partners(partner_key),
    wallet_id     TEXT REFERENCES wallets(wallet_id),
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL DEFAULT 'EUR',
    balance_cents BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX accounts_wallet ON accounts(wallet_id) WHERE wallet_id IS NOT NULL;
CREATE INDEX accounts_partner ON accounts(partner_key, name);

CREATE TABLE transactions (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL,
    partner_key     TEXT REFERENCES partners(partner_key),
    wallet_id       TEXT REFERENCES wallets(wallet_id),
    value_date      TEXT NOT NULL,
    booking_date    TEXT NOT NULL,
    source_file_id  BIGINT,
    source_entry    INTEGER,
    source_row      TEXT,
    description     TEXT NOT NULL DEFAULT '',
    reverses_id     BIGINT UNIQUE REFERENCES transactions(id),
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX transactions_booking ON transactions(booking_date);
CREATE INDEX transactions_wallet ON transactions(wallet_id) WHERE wallet_id IS NOT NULL;

CREATE TABLE postings (
    id             INTEGER PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES transactions(id),
    account_id     BIGINT NOT NULL REFERENCES accounts(id),
    amount_cents   BIGINT NOT NULL CHECK (amount_cents <> 0)
);
CREATE INDEX postings_transaction ON postings(transaction_id);
CREATE INDEX postings_account ON postings(account_id);

-- Operations are the business view of transactions (the seeds' term).
CREATE TABLE operations (
    operation_id                TEXT PRIMARY KEY,
    transaction_id              BIGINT NOT NULL REFERENCES transactions(id),
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
CREATE INDEX operations_transaction ON operations(transaction_id);
CREATE INDEX operations_wallet ON operations(wallet_id, operation_date);
CREATE INDEX operations_day ON operations(operation_date, partner_key);

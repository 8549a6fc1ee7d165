-- PostgreSQL only: the references of the rows an ingest inserts by the thousand are
-- checked once per statement instead of once per row.
--
-- A FOREIGN KEY runs a query of its own for every row inserted (an executor
-- started, an index probed, the parent row locked FOR KEY SHARE). The ingest inserts
-- about a dozen such references per bank entry, and these checks were half of the
-- database's CPU in an ingest (perf, 200,000 entries). Here the references below are
-- checked by triggers instead:
--   * after each INSERT statement, one query finds any new row whose reference names
--     no parent row (an anti-join over the statement's new rows), and fails it with
--     the FOREIGN KEY's SQLSTATE 23503;
--   * after an UPDATE that sets one of these columns, the changed row is checked;
--   * before a parent row is deleted or its key changed, the children are looked up,
--     and a TRUNCATE of a parent is refused, as the FOREIGN KEY did.
-- The difference: the parent row is not locked, so a DELETE of a parent running at
-- the same moment as the insert of its first child could miss it. settle never
-- deletes these parents (partners, wallets, dealers, stores, accounts, transactions,
-- input files, bank entries: the ledger is append-only), and `settle verify` checks
-- every reference. SQLite keeps its FOREIGN KEYs: there a check is an index probe.
-- The references that later UPDATEs set row by row (bank_entries.transaction_id,
-- operations.transaction_id, exceptions.resolution_transaction_id) stay FOREIGN KEYs.

-- settle_check_refs(column, parent, parent column, ...): every new row's column,
-- unless NULL, names a row of the parent. As a statement trigger it reads the
-- statement's rows (new_rows); as a row trigger (UPDATE OF the columns), the one row.
-- Each distinct value is looked up once (a file's thousand entries name one file
-- and a few partners), by the parent's key index: a scalar subquery, which the
-- planner does not turn into a join that would read the whole parent table.
CREATE FUNCTION settle_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 0;
    rows text := 'new_rows';
    missing text;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        rows := '(SELECT ($1).*) AS r';
    END IF;
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT n.v::text FROM (SELECT DISTINCT %1$I AS v FROM %4$s WHERE %1$I IS NOT NULL) n
            WHERE (SELECT 1 FROM %2$I p WHERE p.%3$I = n.v) IS NULL LIMIT 1',
            TG_ARGV[i], TG_ARGV[i + 1], TG_ARGV[i + 2], rows) USING NEW INTO missing;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION '% on table "%" violates a reference: %.% = % is not in %.%',
                lower(TG_OP), TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[i], missing, TG_ARGV[i + 1], TG_ARGV[i + 2]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 3;
    END LOOP;
    RETURN NULL;
END $$;

-- settle_restrict_refs(key column, child, child column, ...): a parent row that a
-- child names is neither deleted nor given another key.
CREATE FUNCTION settle_restrict_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 1;
    used boolean;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT ($1).%1$I IS NOT DISTINCT FROM ($2).%1$I', TG_ARGV[0]) USING OLD, NEW INTO used;
        IF used THEN
            RETURN NEW; -- the key is unchanged
        END IF;
    END IF;
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %1$I c WHERE c.%2$I = ($1).%3$I)',
            TG_ARGV[i], TG_ARGV[i + 1], TG_ARGV[0]) USING OLD INTO used;
        IF used THEN
            RAISE EXCEPTION 'update or delete on table "%" violates a reference from table "%" (%)',
                TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 2;
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION settle_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cannot truncate table "%": other tables refer to its rows', TG_TABLE_NAME
        USING ERRCODE = 'feature_not_supported';
END $$;

ALTER TABLE transactions DROP CONSTRAINT transactions_partner_key_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_wallet_id_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_reverses_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_transaction_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_account_id_fkey;
ALTER TABLE operations DROP CONSTRAINT operations_new_partner_key_fkey;
ALTER TABLE operations DROP CONSTRAINT operations_new_wallet_id_fkey;
ALTER TABLE operations DROP CONSTRAINT operations_new_dealer_key_fkey;
ALTER TABLE operations DROP CONSTRAINT operations_new_store_id_fkey;
ALTER TABLE bank_entries DROP CONSTRAINT bank_entries_file_id_fkey;
ALTER TABLE bank_entries DROP CONSTRAINT bank_entries_duplicate_of_fkey;
ALTER TABLE bank_entries DROP CONSTRAINT bank_entries_partner_key_fkey;
ALTER TABLE exceptions DROP CONSTRAINT exceptions_bank_entry_id_fkey;
ALTER TABLE exceptions DROP CONSTRAINT exceptions_partner_key_fkey;
ALTER TABLE exceptions DROP CONSTRAINT exceptions_wallet_id_fkey;
ALTER TABLE payment_statuses DROP CONSTRAINT payment_statuses_file_id_fkey;

-- The children.
CREATE TRIGGER transactions_refs AFTER INSERT ON transactions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settle_check_refs(
        'partner_key', 'partners', 'partner_key', 'wallet_id', 'wallets', 'wallet_id', 'reverses_id', 'transactions', 'id');
CREATE TRIGGER transactions_refs_set AFTER UPDATE OF partner_key, wallet_id, reverses_id ON transactions
    FOR EACH ROW EXECUTE FUNCTION settle_check_refs(
        'partner_key', 'partners', 'partner_key', 'wallet_id', 'wallets', 'wallet_id', 'reverses_id', 'transactions', 'id');

CREATE TRIGGER postings_refs AFTER INSERT ON postings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settle_check_refs(
        'transaction_id', 'transactions', 'id', 'account_id', 'accounts', 'id');
CREATE TRIGGER postings_refs_set AFTER UPDATE OF transaction_id, account_id ON postings
    FOR EACH ROW EXECUTE FUNCTION settle_check_refs(
        'transaction_id', 'transactions', 'id', 'account_id', 'accounts', 'id');

CREATE TRIGGER operations_refs AFTER INSERT ON operations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settle_check_refs(
        'partner_key', 'partners', 'partner_key', 'wallet_id', 'wallets', 'wallet_id',
        'dealer_key', 'dealers', 'dealer_key', 'store_id', 'stores', 'store_id');
CREATE TRIGGER operations_refs_set AFTER UPDATE OF partner_key, wallet_id, dealer_key, store_id ON operations
    FOR EACH ROW EXECUTE FUNCTION settle_check_refs(
        'partner_key', 'partners', 'partner_key', 'wallet_id', 'wallets', 'wallet_id',
        'dealer_key', 'dealers', 'dealer_key', 'store_id', 'stores', 'store_id');

CREATE TRIGGER bank_entries_refs AFTER INSERT ON bank_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settle_check_refs(
        'file_id', 'input_files', 'id', 'duplicate_of', 'bank_entries', 'id', 'partner_key', 'partners', 'partner_key');
CREATE TRIGGER bank_entries_refs_set AFTER UPDATE OF file_id, duplicate_of, partner_key ON bank_entries
    FOR EACH ROW EXECUTE FUNCTION settle_check_refs(
        'file_id', 'input_files', 'id', 'duplicate_of', 'bank_entries', 'id', 'partner_key', 'partners', 'partner_key');

CREATE TRIGGER exceptions_refs AFTER INSERT ON exceptions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settle_check_refs(
        'bank_entry_id', 'bank_entries', 'id', 'partner_key', 'partners', 'partner_key', 'wallet_id', 'wallets', 'wallet_id');
CREATE TRIGGER exceptions_refs_set AFTER UPDATE OF bank_entry_id, partner_key, wallet_id ON exceptions
    FOR EACH ROW EXECUTE FUNCTION settle_check_refs(
        'bank_entry_id', 'bank_entries', 'id', 'partner_key', 'partners', 'partner_key', 'wallet_id', 'wallets', 'wallet_id');

CREATE TRIGGER payment_statuses_refs AFTER INSERT ON payment_statuses REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION settle_check_refs('file_id', 'input_files', 'id');
CREATE TRIGGER payment_statuses_refs_set AFTER UPDATE OF file_id ON payment_statuses
    FOR EACH ROW EXECUTE FUNCTION settle_check_refs('file_id', 'input_files', 'id');

-- The parents.
CREATE TRIGGER partners_referenced BEFORE DELETE OR UPDATE OF partner_key ON partners
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('partner_key',
        'transactions', 'partner_key', 'operations', 'partner_key', 'bank_entries', 'partner_key', 'exceptions', 'partner_key');
CREATE TRIGGER wallets_referenced BEFORE DELETE OR UPDATE OF wallet_id ON wallets
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('wallet_id',
        'transactions', 'wallet_id', 'operations', 'wallet_id', 'exceptions', 'wallet_id');
CREATE TRIGGER dealers_referenced BEFORE DELETE OR UPDATE OF dealer_key ON dealers
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('dealer_key', 'operations', 'dealer_key');
CREATE TRIGGER stores_referenced BEFORE DELETE OR UPDATE OF store_id ON stores
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('store_id', 'operations', 'store_id');
CREATE TRIGGER transactions_referenced BEFORE DELETE OR UPDATE OF id ON transactions
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('id', 'transactions', 'reverses_id', 'postings', 'transaction_id');
CREATE TRIGGER accounts_referenced BEFORE DELETE OR UPDATE OF id ON accounts
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('id', 'postings', 'account_id');
CREATE TRIGGER input_files_referenced BEFORE DELETE OR UPDATE OF id ON input_files
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('id', 'bank_entries', 'file_id', 'payment_statuses', 'file_id');
CREATE TRIGGER bank_entries_referenced BEFORE DELETE OR UPDATE OF id ON bank_entries
    FOR EACH ROW EXECUTE FUNCTION settle_restrict_refs('id', 'bank_entries', 'duplicate_of', 'exceptions', 'bank_entry_id');

CREATE TRIGGER partners_truncate BEFORE TRUNCATE ON partners FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER wallets_truncate BEFORE TRUNCATE ON wallets FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER dealers_truncate BEFORE TRUNCATE ON dealers FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER stores_truncate BEFORE TRUNCATE ON stores FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER transactions_truncate BEFORE TRUNCATE ON transactions FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER accounts_truncate BEFORE TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER input_files_truncate BEFORE TRUNCATE ON input_files FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();
CREATE TRIGGER bank_entries_truncate BEFORE TRUNCATE ON bank_entries FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse_truncate();

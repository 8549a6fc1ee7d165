-- PostgreSQL only: every identity sequence brought past its table's largest id.
--
-- Until now a writer held the writer lock alone and numbered the rows of several
-- tables itself (MAX(id) + 1), so those tables' sequences never moved. Writers that
-- run side by side (the ingest of different partners' files) number their rows from
-- the sequences, and exclusive writers bring the sequences of the tables they
-- numbered past their ids before they commit (Writer.syncSequences); this starts
-- every existing ledger from there.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name
    LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE((SELECT MAX(%I) FROM %I), 0) + 1, false)',
            r.table_name, r.column_name, r.column_name, r.table_name);
    END LOOP;
END $$;

-- settle_reserve_ids(table, n): the first of n consecutive new ids of the table, its
-- sequence moved past them. A shared writer calls it on a connection of its own, so
-- that the lock is held for this statement alone: one call per window of the ingest
-- instead of one nextval per row (about 7 µs each, a tenth of an ingest's time).
CREATE FUNCTION settle_reserve_ids(tbl text, n bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    seq regclass := pg_get_serial_sequence(tbl, 'id');
    first bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7413260001);
    first := nextval(seq);
    IF n > 1 THEN
        PERFORM setval(seq, first + n - 1);
    END IF;
    RETURN first;
END $$;

-- Two small indexes a direct debit batch reads instead of every mandate.
--
-- The mandates with an amendment waiting to go out with their next collection: few
-- at any time.
CREATE INDEX mandates_amended ON mandates(partner_key, mandate_id)
    WHERE original_mandate_id IS NOT NULL OR original_creditor_id IS NOT NULL OR original_debtor_iban IS NOT NULL;

-- The mandates that are not Active, whose due debits a batch cancels: without it,
-- SQLite looked up a mandate for each due debit (1,000,000 debits: 3.55 s -> 0.00 s).
CREATE INDEX mandates_inactive ON mandates(partner_key) WHERE status <> 'Active';

-- The mandates with an amendment waiting to go out with their next collection: few
-- at any time, so that a direct debit batch finds them without looking up every
-- mandate it collects under.
CREATE INDEX mandates_amended ON mandates(partner_key, mandate_id)
    WHERE original_mandate_id IS NOT NULL OR original_creditor_id IS NOT NULL OR original_debtor_iban IS NOT NULL;

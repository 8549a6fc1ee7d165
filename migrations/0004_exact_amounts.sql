-- The amount of a bank entry exactly as the bank wrote it. amount_cents holds it in
-- cents when it is whole cents; an amount with more decimals (a 3-decimal currency,
-- a malformed EUR amount) is never posted, is kept exactly here, and amount_cents is 0.
ALTER TABLE bank_entries ADD COLUMN amount TEXT NOT NULL DEFAULT '';
ALTER TABLE exceptions ADD COLUMN amount TEXT NOT NULL DEFAULT '';

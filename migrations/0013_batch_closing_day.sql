-- The business day a batch reached its final state, with its counts at that moment,
-- so that the day's batches.csv can show it and never change afterwards (a later
-- return updates the live counts, not these).
ALTER TABLE batches ADD COLUMN closed_on TEXT;
ALTER TABLE batches ADD COLUMN closed_settled_txs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN closed_rejected_txs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN closed_returned_txs INTEGER NOT NULL DEFAULT 0;

UPDATE batches SET closed_on = substr(settled_at, 1, 10), closed_settled_txs = settled_txs,
    closed_rejected_txs = rejected_txs, closed_returned_txs = returned_txs
WHERE status IN ('Settled', 'Rejected') AND settled_at IS NOT NULL;

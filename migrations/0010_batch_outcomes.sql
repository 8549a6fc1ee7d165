-- What became of each batch's transactions, kept where every reader finds it (batches
-- list and show, the API, batches.csv): a batch whose transactions are all final is
-- Settled (or Rejected when none was paid), with its counts.
ALTER TABLE batches ADD COLUMN settled_txs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN rejected_txs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN returned_txs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN settled_at TEXT;

UPDATE batches SET
    settled_txs = (SELECT COUNT(*) FROM direct_debits d WHERE d.batch_id = batches.id AND d.status = 'Settled'),
    rejected_txs = (SELECT COUNT(*) FROM direct_debits d WHERE d.batch_id = batches.id AND d.status = 'Rejected'),
    returned_txs = (SELECT COUNT(*) FROM direct_debits d WHERE d.batch_id = batches.id AND d.status IN ('Returned', 'Refunded'))
WHERE kind = 'sdd';
UPDATE batches SET
    settled_txs = (SELECT COUNT(*) FROM credit_transfers c WHERE c.batch_id = batches.id AND c.status = 'Settled'),
    rejected_txs = (SELECT COUNT(*) FROM credit_transfers c WHERE c.batch_id = batches.id AND c.status = 'Rejected'),
    returned_txs = (SELECT COUNT(*) FROM credit_transfers c WHERE c.batch_id = batches.id AND c.status IN ('Returned', 'Refunded'))
WHERE kind = 'sct';
UPDATE batches SET status = CASE WHEN settled_txs + returned_txs > 0 THEN 'Settled' ELSE 'Rejected' END
WHERE status IN ('Batched', 'Sent') AND settled_txs + rejected_txs + returned_txs = nb_of_txs AND nb_of_txs > 0;

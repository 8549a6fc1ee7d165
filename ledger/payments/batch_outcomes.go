package payments

import (
	"settle"
	"settle/ledger"
	"sort"
)

// RefreshBatches counts what became of the touched batches' transactions (settled,
// rejected, returned or refunded) and closes a batch none of whose transactions is
// still Batched or Sent: Settled when any was paid, Rejected when none was, on day
// (the business day of the file that closed it), keeping its counts of that moment.
func RefreshBatches(w *ledger.Writer, touched map[int64]bool, day settle.Day) error {
	ids := make([]int64, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		var kind string
		if err := w.Get(&kind, `SELECT kind FROM batches WHERE id = ?`, id); err != nil {
			return err
		}
		table := Table(kind)
		if _, err := w.Exec(`UPDATE batches SET
			settled_txs = (SELECT COUNT(*) FROM `+table+` p WHERE p.batch_id = batches.id AND p.status = 'Settled'),
			rejected_txs = (SELECT COUNT(*) FROM `+table+` p WHERE p.batch_id = batches.id AND p.status = 'Rejected'),
			returned_txs = (SELECT COUNT(*) FROM `+table+` p WHERE p.batch_id = batches.id AND p.status IN ('Returned', 'Refunded'))
			WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := w.Exec(`UPDATE batches SET settled_at = ?, closed_on = ?, closed_settled_txs = settled_txs,
			closed_rejected_txs = rejected_txs, closed_returned_txs = returned_txs,
			status = CASE WHEN settled_txs + returned_txs > 0 THEN 'Settled' ELSE 'Rejected' END
			WHERE id = ? AND status IN ('Batched', 'Sent')
			AND NOT EXISTS (SELECT 1 FROM `+table+` p WHERE p.batch_id = batches.id AND p.status IN ('Batched', 'Sent'))`,
			w.NowText(), day, id); err != nil {
			return err
		}
	}
	return nil
}

package ingest

import (
	"fmt"
	"settle"
	"settle/ledger"
	"settle/ledger/payments"
	"slices"
)

// Accepting statuses of a pain.002: the bank took the batch, block or transaction.
var acceptedStatuses = []string{"ACTC", "ACCP", "ACSP", "ACSC", "ACWC", "ACWP", "PART", "RCVD", "PDNG"}

// Reason codes after which a mandate must not be collected again (SEPA-RULES.md §5).
// Revoked: the account or the authorisation is gone (wrong or closed account, direct
// debits forbidden on it, no mandate, debtor deceased): a new mandate is needed.
// Suspended: the debtor or their bank stopped it, or its data must be fixed first
// (blocked account, refusal, debtor-bank service, missing data, sanctions, PSP
// unreachable): it waits for the operator. Every other code (AM04 insufficient
// funds, MS03 unspecified, MD06 refund, AM05 duplicate, and our own format or
// configuration errors AG02, BE05, FF01, RC01, AC13) leaves the mandate usable.
var (
	mandateRevokingReasons   = []string{"AC01", "AC04", "AG01", "MD01", "MD07"}
	mandateSuspendingReasons = []string{"AC06", "MS02", "SL01", "MD02", "RR01", "RR02", "RR03", "RR04", "CNOR", "DNOR"}
)

// paymentStatus is a pain.002 status the ingest recorded.
type paymentStatus struct {
	Position int     `db:"position"`
	Level    string  `db:"level"`
	MsgID    string  `db:"orig_msg_id"`
	PmtInfID *string `db:"orig_pmt_inf_id"`
	E2E      *string `db:"orig_e2e_id"`
	Status   string  `db:"status"`
	Reason   *string `db:"reason_code"`
}

// applyStatuses acts on the pain.002 statuses of a file that answer batches of
// ours, in the file's transaction. Acceptance marks a Batched batch or transaction
// Sent. A group-level reject (FF01, AM10, AM18...) puts the whole batch back for
// the next run and flags it; a block or transaction reject rejects those
// transactions: a payout goes back to the wallet, a refund back to suspense with
// its exception reopened, a direct debit's mandate is revoked or suspended as its
// reason code says. Only transactions still Batched or Sent are touched, so a
// status told twice changes nothing the second time.
func applyStatuses(w *ledger.Writer, fileID int64, date settle.Day, sum *FileSummary) (int, error) {
	var sts []paymentStatus
	if err := w.Select(&sts, `SELECT position, level, orig_msg_id, orig_pmt_inf_id, orig_e2e_id, status,
		reason_code FROM payment_statuses WHERE file_id = ? AND orig_msg_id IN (SELECT msg_id FROM batches) ORDER BY position`, fileID); err != nil {
		return 0, err
	}
	acted := 0
	for _, st := range sts {
		b, err := payments.BatchOf(w, st.MsgID)
		if err != nil {
			return acted, err
		}
		reason := ledger.Deref(st.Reason)
		switch {
		case st.Level == "group" && st.Status == "RJCT":
			if b.Status != payments.BatchBatched && b.Status != payments.BatchSent {
				continue
			}
			if err := payments.Unbatch(w, b, date, "rejected ("+reason+")"); err != nil {
				return acted, err
			}
			flag := fmt.Sprintf("group-level reject %s: its transactions are back for the next run", reason)
			if _, err := w.Exec(`UPDATE batches SET status = 'Rejected', flagged = ?, closed_on = ?, closed_rejected_txs = nb_of_txs
				WHERE id = ?`, flag, date, b.ID); err != nil {
				return acted, err
			}
		case st.Status == "RJCT":
			n, err := rejectPayments(w, b, st, reason, date)
			if err != nil {
				return acted, err
			}
			if n == 0 {
				continue
			}
			sum.touchBatch(&b.ID)
		case slices.Contains(acceptedStatuses, st.Status):
			n, err := acceptPayments(w, b, st)
			if err != nil {
				return acted, err
			}
			if n == 0 { // accepted already: told twice
				continue
			}
		default:
			continue
		}
		acted++
	}
	return acted, nil
}

// scope is the SQL condition selecting the transactions a status names.
func scope(st paymentStatus) (string, []any) {
	switch st.Level {
	case "block":
		return ` AND pmt_inf_id = ?`, []any{ledger.Deref(st.PmtInfID)}
	case "transaction":
		return ` AND end_to_end_id = ?`, []any{ledger.Deref(st.E2E)}
	}
	return "", nil
}

// acceptPayments marks the batch and the transactions a status accepts Sent, and
// says how many of them it changed (0: accepted already).
func acceptPayments(w *ledger.Writer, b payments.Batch, st paymentStatus) (int64, error) {
	var changed int64
	if b.Status == payments.BatchBatched {
		if _, err := w.Exec(`UPDATE batches SET status = 'Sent', sent_at = COALESCE(sent_at, ?) WHERE id = ?`, w.NowText(), b.ID); err != nil {
			return 0, err
		}
		changed++
	}
	cond, args := scope(st)
	res, err := w.Exec(`UPDATE `+payments.Table(b.Kind)+` SET status = 'Sent', updated_at = ? WHERE batch_id = ? AND status = 'Batched'`+cond,
		append([]any{w.NowText(), b.ID}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return changed + n, err
}

func rejectPayments(w *ledger.Writer, b payments.Batch, st paymentStatus, reason string, date settle.Day) (int, error) {
	cond, args := scope(st)
	table := payments.Table(b.Kind)
	var ids []int64
	if err := w.Select(&ids, `SELECT id FROM `+table+` WHERE batch_id = ? AND status IN ('Batched', 'Sent')`+cond,
		append([]any{b.ID}, args...)...); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := w.Exec(`UPDATE `+table+` SET status = 'Rejected', reason_code = ?, updated_at = ? WHERE id = ?`,
			ledger.Nullable(reason), w.NowText(), id); err != nil {
			return 0, err
		}
		var err error
		if b.Kind == "sdd" {
			err = mandateAfterReject(w, id, reason)
		} else {
			err = payoutRejected(w, b, id, reason, date)
		}
		if err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// mandateAfterReject stops or suspends the mandate of a rejected direct debit as
// its reason code says; other codes (AM04, MS03...) leave it usable.
func mandateAfterReject(w *ledger.Writer, ddID int64, reason string) error {
	status := ""
	switch {
	case slices.Contains(mandateRevokingReasons, reason):
		status = payments.MandateRevoked
	case slices.Contains(mandateSuspendingReasons, reason):
		status = payments.MandateSuspended
	default:
		return nil
	}
	_, err := w.Exec(`UPDATE mandates SET status = ?, updated_at = ? WHERE status = 'Active'
		AND mandate_id = (SELECT mandate_id FROM direct_debits WHERE id = ?)`, status, w.NowText(), ddID)
	return err
}

// payoutRejected puts a rejected credit transfer's money back: a wallet's payout on
// the wallet, a fee payout or a reset's redemption on the account it came from, a
// refund in suspense with its exception open again.
func payoutRejected(w *ledger.Writer, b payments.Batch, ctID int64, reason string, date settle.Day) error {
	var ct struct {
		Partner  string  `db:"partner_key"`
		WalletID *string `db:"wallet_id"`
		Cents    int64   `db:"amount_cents"`
		Kind     string  `db:"kind"`
		Refund   *int64  `db:"refund_request_id"`
		Back     *int64  `db:"back_account_id"`
	}
	if err := w.Get(&ct, `SELECT partner_key, wallet_id, amount_cents, kind, refund_request_id, back_account_id
		FROM credit_transfers WHERE id = ?`, ctID); err != nil {
		return err
	}
	why := fmt.Sprintf("%s of batch %s rejected by the bank (%s)", ct.Kind, b.MsgID, reason)
	if ct.WalletID != nil {
		_, err := payments.PostPayout(w, ct.Partner, *ct.WalletID, ct.Cents, fmt.Sprintf("payout-rejected:%d", ctID), "PayoutRejected", date, why, true)
		return err
	}
	clearing, err := ledger.AccountID(w, ledger.PartnerAccountCode(ct.Partner, "payout_clearing"))
	if err != nil {
		return err
	}
	if ct.Back != nil {
		_, _, err := w.Post(&ledger.Transaction{Key: fmt.Sprintf("payout-rejected:%d", ctID), Type: "PayoutRejected", PartnerKey: ct.Partner,
			ValueDate: date, BookingDate: date, Description: why, CreatedBy: "settle",
			Postings: []ledger.Posting{{AccountID: clearing, AmountCents: ct.Cents}, {AccountID: *ct.Back, AmountCents: -ct.Cents}}})
		return err
	}
	suspense, err := ledger.AccountID(w, ledger.PartnerAccountCode(ct.Partner, "suspense"))
	if err != nil {
		return err
	}
	if _, _, err := w.Post(&ledger.Transaction{Key: fmt.Sprintf("refund-rejected:%d", ctID), Type: "RefundRejected", PartnerKey: ct.Partner,
		ValueDate: date, BookingDate: date, Description: why, CreatedBy: "settle",
		Postings: []ledger.Posting{{AccountID: clearing, AmountCents: ct.Cents}, {AccountID: suspense, AmountCents: -ct.Cents}}}); err != nil {
		return err
	}
	if _, err := w.Exec(`UPDATE refund_requests SET status = 'failed' WHERE id = ?`, ct.Refund); err != nil {
		return err
	}
	_, err = w.Exec(`UPDATE exceptions SET status = 'open', resolution_note = ? WHERE id = (SELECT exception_id FROM refund_requests WHERE id = ?)`,
		why, ct.Refund)
	return err
}

package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"settle"
	"strings"
	"time"

	"settle/ledger"
	"settle/sepa"
)

// Batch statuses (a batch is one file; its transactions carry their own status).
const (
	BatchBatched   = "Batched"
	BatchSent      = "Sent"
	BatchSettled   = "Settled"
	BatchRejected  = "Rejected"
	BatchCancelled = "Cancelled"
)

// BatchOptions tune the making of SDD and SCT batches.
type BatchOptions struct {
	Outbox         string     // where the files go
	Today          settle.Day // the batch day in the configured zone (required): dates count from it
	Created        time.Time  // the files' creation time (CreDtTm)
	Message        string     // sepa.Pain008v08 (default) or Pain008v02; sepa.Pain001v09 (default) or Pain001v03
	LeadDays       int        // SDD: TARGET2 business days from today to the earliest collection date
	HorizonDays    int        // SDD: a top-up asked for up to this many days ahead is collected now (default 14)
	MaxTxs         int        // a file holds at most this many transactions (default 100,000)
	MaxAmountCents int64      // and at most this control sum (0: no bound)
	BatchBooking   bool       // BtchBookg: the bank books each block as one entry
	DryRun         bool       // decide everything, write nothing
	// FailAfterWrite, in tests, fails (before the commit) or exits the process
	// (after the commit, before the rename) to simulate a crash.
	FailAfterWrite func(committed bool) error
}

func (o *BatchOptions) defaults(sct bool) {
	if o.Message == "" {
		o.Message = sepa.Pain008v08
		if sct {
			o.Message = sepa.Pain001v09
		}
	}
	if o.HorizonDays == 0 {
		o.HorizonDays = 14
	}
	if o.MaxTxs <= 0 {
		o.MaxTxs = 100_000
	}
	if o.Created.IsZero() {
		o.Created = o.Today.Start(time.UTC)
	}
}

// BatchFile is one file a batch run wrote.
type BatchFile struct {
	MsgID      string       `json:"msgId"`
	PartnerKey string       `json:"partnerKey"`
	Path       string       `json:"path"`
	SHA256     string       `json:"sha256"`
	NbOfTxs    int          `json:"nbOfTxs"`
	CtrlSum    settle.Money `json:"ctrlSum"`
}

// BatchRun is what a batch run did.
type BatchRun struct {
	Files     []BatchFile  `json:"files"`
	Txs       int          `json:"transactions"`
	Total     settle.Money `json:"total"`     // the amount of the transactions batched
	Cancelled int          `json:"cancelled"` // requests dropped with a reason (mandate no longer usable, no money)
}

// add counts one committed (or, in a dry run, computed) file's work: a file whose
// transaction failed is never counted, so a failed run's summary says only what was
// committed.
func (r *BatchRun) add(part BatchRun) {
	r.Txs += part.Txs
	r.Total = r.Total.Plus(part.Total)
	r.Cancelled += part.Cancelled
}

// Batch is a row of batches.
type Batch struct {
	ID          int64        `db:"id" json:"batchId"`
	Kind        string       `db:"kind" json:"kind"`
	MsgID       string       `db:"msg_id" json:"msgId"`
	PartnerKey  string       `db:"partner_key" json:"partnerKey"`
	AccountIBAN string       `db:"account_iban" json:"accountIban"`
	Message     string       `db:"message" json:"message"`
	FileName    string       `db:"file_name" json:"fileName"`
	SHA256      string       `db:"sha256" json:"sha256"`
	NbOfTxs     int          `db:"nb_of_txs" json:"nbOfTxs"`
	CtrlSum     settle.Money `db:"ctrl_sum_cents" json:"ctrlSum"`
	Status      string       `db:"status" json:"status"`
	Flagged     *string      `db:"flagged" json:"flagged"`
	CreatedAt   string       `db:"created_at" json:"createdAt"`
	SentAt      *string      `db:"sent_at" json:"sentAt"`
	CancelledAt *string      `db:"cancelled_at" json:"cancelledAt"`
	// What became of its transactions; a batch with none left Batched or Sent is
	// Settled (Rejected when none was paid) as of SettledAt.
	SettledTxs  int     `db:"settled_txs" json:"settledTxs"`
	RejectedTxs int     `db:"rejected_txs" json:"rejectedTxs"`
	ReturnedTxs int     `db:"returned_txs" json:"returnedTxs"`
	SettledAt   *string `db:"settled_at" json:"settledAt"`
	// ClosedOn is the business day it reached its final state, with its counts then.
	ClosedOn          *settle.Day `db:"closed_on" json:"closedOn"`
	ClosedSettledTxs  int         `db:"closed_settled_txs" json:"-"`
	ClosedRejectedTxs int         `db:"closed_rejected_txs" json:"-"`
	ClosedReturnedTxs int         `db:"closed_returned_txs" json:"-"`
	// ApprovedBy released the batch to the bank (when batches.approval is on).
	ApprovedBy *string `db:"approved_by" json:"approvedBy"`
	ApprovedAt *string `db:"approved_at" json:"approvedAt"`
}

// Batches lists batches, newest first; status "" lists all.
func Batches(ctx context.Context, s *ledger.Store, status string) ([]Batch, error) {
	var bs []Batch
	err := s.R.SelectContext(ctx, &bs, `SELECT * FROM batches WHERE ? = '' OR status = ? ORDER BY id DESC`, status, status)
	return bs, err
}

// BatchByMsgID returns the batch with this message id; settle.NotFound if there is none.
func BatchByMsgID(ctx context.Context, s *ledger.Store, msgID string) (Batch, error) {
	var b Batch
	err := s.R.GetContext(ctx, &b, `SELECT * FROM batches WHERE msg_id = ?`, msgID)
	if errors.Is(err, sql.ErrNoRows) {
		return b, settle.Errorf(settle.NotFound, "no batch %s", msgID)
	}
	return b, err
}

// Payment is a direct debit or credit transfer as the lifecycle commands show it.
type Payment struct {
	Kind       string       `db:"kind" json:"kind"`
	RequestID  string       `db:"request_id" json:"requestId"`
	WalletID   *string      `db:"wallet_id" json:"walletId"`
	EndToEndID string       `db:"end_to_end_id" json:"endToEndId"`
	Amount     settle.Money `db:"amount_cents" json:"amount"`
	Status     string       `db:"status" json:"status"`
	MsgID      *string      `db:"msg_id" json:"msgId"`
	PmtInfID   *string      `db:"pmt_inf_id" json:"pmtInfId"`
	Date       *string      `db:"date" json:"date"`
	Reason     *string      `db:"reason_code" json:"reasonCode"`
}

// paymentsOfRef selects, from direct debits (table d, kind 'SddCollection', request
// topup_id, date collection_date) or credit transfers, the rows a reference names.
// Each term has its own index, so SQLite answers the OR by a union of lookups.
const paymentsOfRef = `SELECT %s AS kind, x.%s AS request_id, x.wallet_id, x.end_to_end_id, x.amount_cents, x.status,
	b.msg_id, x.pmt_inf_id, x.%s AS date, x.reason_code FROM %s x LEFT JOIN batches b ON b.id = x.batch_id
	WHERE x.%s = :ref OR x.end_to_end_id = :ref OR x.wallet_id = :ref OR x.batch_id = (SELECT id FROM batches WHERE msg_id = :ref)
	ORDER BY x.id`

// Payments lists the direct debits, then the credit transfers, whose batch MsgId,
// EndToEndId, request id or wallet is ref, in the order they were made.
func Payments(ctx context.Context, s *ledger.Store, ref string) ([]Payment, error) {
	var all []Payment
	for _, q := range []string{
		fmt.Sprintf(paymentsOfRef, "'SddCollection'", "topup_id", "collection_date", "direct_debits", "topup_id"),
		fmt.Sprintf(paymentsOfRef, "x.kind", "request_id", "execution_date", "credit_transfers", "request_id"),
	} {
		var ps []Payment
		rows, err := s.R.NamedQueryContext(ctx, q, map[string]any{"ref": ref})
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p Payment
			if err := rows.StructScan(&p); err != nil {
				rows.Close()
				return nil, err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	return all, nil
}

// BatchOf reads the batch with this message id in the writer's transaction.
func BatchOf(w *ledger.Writer, msgID string) (Batch, error) {
	var b Batch
	err := w.Get(&b, `SELECT * FROM batches WHERE msg_id = ?`, msgID)
	if errors.Is(err, sql.ErrNoRows) {
		return b, settle.Errorf(settle.NotFound, "batch %s does not exist", msgID)
	}
	return b, err
}

// ApproveBatch releases a Batched batch to the bank on behalf of by (the second
// person when batches.approval is on: the batch was made by the nightly). Approving
// again changes nothing.
func ApproveBatch(ctx context.Context, s *ledger.Store, msgID, by string) (Batch, error) {
	var b Batch
	if strings.TrimSpace(by) == "" {
		return b, settle.FieldError("by", "who approves is required")
	}
	err := s.Write(ctx, func(w *ledger.Writer) error {
		var err error
		if b, err = BatchOf(w, msgID); err != nil {
			return err
		}
		if b.ApprovedBy != nil {
			return nil
		}
		if b.Status != BatchBatched {
			return settle.Errorf(settle.Conflict, "batch %s is %s: only a Batched batch is approved", msgID, b.Status)
		}
		if _, err := w.Exec(`UPDATE batches SET approved_by = ?, approved_at = ? WHERE id = ?`, by, w.NowText(), b.ID); err != nil {
			return err
		}
		b, err = BatchOf(w, msgID)
		return err
	})
	return b, err
}

// MarkBatchSent records that a batch was handed to the bank: the batch and its
// transactions become Sent. Marking a Sent batch again changes nothing. With
// needApproval, a batch nobody approved is refused.
func MarkBatchSent(ctx context.Context, s *ledger.Store, msgID string, needApproval bool) error {
	return s.Write(ctx, func(w *ledger.Writer) error {
		b, err := BatchOf(w, msgID)
		if err != nil {
			return err
		}
		switch b.Status {
		case BatchSent:
			return nil
		case BatchBatched:
		default:
			return settle.Errorf(settle.Conflict, "batch %s is %s, not Batched", msgID, b.Status)
		}
		if needApproval && b.ApprovedBy == nil {
			return settle.Errorf(settle.Conflict, "batch %s awaits approval (batches.approval is on): settle batches approve %s --by NAME", msgID, msgID)
		}
		if _, err := w.Exec(`UPDATE batches SET status = 'Sent', sent_at = ? WHERE id = ?`, w.NowText(), b.ID); err != nil {
			return err
		}
		_, err = w.Exec(`UPDATE `+Table(b.Kind)+` SET status = 'Sent', updated_at = ? WHERE batch_id = ? AND status = 'Batched'`, w.NowText(), b.ID)
		return err
	})
}

// Table is the table of a batch kind's transactions: direct_debits for sdd, credit_transfers for sct.
func Table(kind string) string {
	if kind == "sdd" {
		return "direct_debits"
	}
	return "credit_transfers"
}

// CancelBatch takes back a batch not yet sent: its transactions go back to Created
// for the next run (a payout's debit is put back on the wallet), the batch becomes
// Cancelled, and its file leaves the outbox. Cancelling twice is a conflict, so
// the transactions come back exactly once.
func CancelBatch(ctx context.Context, s *ledger.Store, msgID, outbox string, date settle.Day) error {
	var b Batch
	err := s.Write(ctx, func(w *ledger.Writer) error {
		var err error
		if b, err = BatchOf(w, msgID); err != nil {
			return err
		}
		if b.Status != BatchBatched {
			return settle.Errorf(settle.Conflict, "batch %s is %s: only a Batched batch (not yet sent) can be cancelled", msgID, b.Status)
		}
		if err := Unbatch(w, b, date, "cancelled"); err != nil {
			return err
		}
		_, err = w.Exec(`UPDATE batches SET status = 'Cancelled', cancelled_at = ? WHERE id = ?`, w.NowText(), b.ID)
		return err
	})
	if err != nil {
		return err
	}
	// Its files, and their temporary names where a run was killed before renaming them.
	for _, name := range []string{b.FileName, PrenotificationName(b.MsgID), partName(b.FileName), partName(PrenotificationName(b.MsgID))} {
		if err := os.Remove(filepath.Join(outbox, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("batch %s is cancelled but its file stays: %w", msgID, err)
		}
	}
	return nil
}

// Unbatch puts a batch's transactions back to Created (why: "cancelled", or a
// group-level reject): direct debits lose their collection data and give their
// mandates back the amendment they carried; payouts are credited back to the wallet.
func Unbatch(w *ledger.Writer, b Batch, date settle.Day, why string) error {
	if b.Kind == "sdd" {
		if _, err := w.Exec(`UPDATE mandates SET
			original_mandate_id = COALESCE(original_mandate_id, `+w.D().JSONText("b.amendment", "mandateId")+`),
			original_creditor_id = COALESCE(original_creditor_id, `+w.D().JSONText("b.amendment", "creditorId")+`),
			original_debtor_iban = COALESCE(original_debtor_iban, `+w.D().JSONText("b.amendment", "debtorIban")+`),
			last_collection_date = (SELECT MAX(d.collection_date) FROM direct_debits d WHERE d.mandate_id = mandates.mandate_id
				AND d.status IN ('Batched', 'Sent', 'Settled', 'Returned', 'Refunded') AND d.batch_id <> b.batch_id),
			updated_at = ?
			FROM (SELECT mandate_id, MAX(batch_id) AS batch_id, MAX(amendment) AS amendment FROM direct_debits
				WHERE batch_id = ? GROUP BY mandate_id) AS b
			WHERE mandates.mandate_id = b.mandate_id`, w.NowText(), b.ID); err != nil {
			return err
		}
		_, err := w.Exec(`UPDATE direct_debits SET status = 'Created', batch_id = NULL, pmt_inf_id = NULL, collection_date = NULL,
			sequence_type = NULL, amendment = NULL, updated_at = ? WHERE batch_id = ?`, w.NowText(), b.ID)
		return err
	}
	var cts []struct {
		ID       int64  `db:"id"`
		Partner  string `db:"partner_key"`
		WalletID string `db:"wallet_id"`
		Cents    int64  `db:"amount_cents"`
		Kind     string `db:"kind"`
	}
	if err := w.Select(&cts, `SELECT id, partner_key, COALESCE(wallet_id, '') AS wallet_id, amount_cents, kind
		FROM credit_transfers WHERE batch_id = ? AND transaction_id IS NOT NULL`, b.ID); err != nil {
		return err
	}
	for _, ct := range cts {
		if ct.WalletID == "" {
			continue // a refund: the money waits in payout_clearing for the next batch
		}
		if _, err := PostPayout(w, ct.Partner, ct.WalletID, ct.Cents, fmt.Sprintf("payout-back:%d:%d", ct.ID, b.ID),
			"PayoutBack", date, fmt.Sprintf("%s of batch %s %s", ct.Kind, b.MsgID, why), true); err != nil {
			return err
		}
	}
	_, err := w.Exec(`UPDATE credit_transfers SET status = 'Created', batch_id = NULL, pmt_inf_id = NULL, execution_date = NULL,
		transaction_id = CASE WHEN wallet_id IS NULL THEN transaction_id END, updated_at = ? WHERE batch_id = ?`, w.NowText(), b.ID)
	return err
}

// PostPayout moves a payout between a wallet's withdrawable bucket and the
// partner's payout_clearing: out of the wallet when the batch is made, back when
// it is cancelled or rejected.
func PostPayout(w *ledger.Writer, partner, walletID string, cents int64, key, typ string, date settle.Day, why string, back bool) (int64, error) {
	wallet, err := ledger.AccountID(w, ledger.WalletAccountCode(walletID, ledger.BucketWithdrawable))
	if err != nil {
		return 0, err
	}
	clearing, err := ledger.AccountID(w, ledger.PartnerAccountCode(partner, "payout_clearing"))
	if err != nil {
		return 0, err
	}
	if back {
		cents = -cents
	}
	id, _, err := w.Post(&ledger.Transaction{Key: key, Type: typ, PartnerKey: partner, WalletID: walletID, ValueDate: date,
		BookingDate: date, Description: why, CreatedBy: "settle", Postings: []ledger.Posting{{AccountID: wallet, AmountCents: cents}, {AccountID: clearing, AmountCents: -cents}}})
	return id, err
}

// errDryRun rolls back a dry run's transaction after it has decided everything.
var errDryRun = errors.New("dry run")

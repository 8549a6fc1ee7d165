package ledger

import (
	"context"
	"fmt"
	"settle"
	"strconv"
)

// Operation statuses (the seeds' operationStatus).
const (
	StatusPending   = "Pending"
	StatusCompleted = "Completed"
	StatusFailed    = "Failed"
	StatusReversed  = "Reversed"
)

// Operation is the business view of a transaction (the seeds' term): what happened,
// for whom, with its fee and the fee's shares. Amounts are cents.
type Operation struct {
	OperationID        string     `db:"operation_id"`
	TransactionID      *int64     `db:"transaction_id"` // nil: recorded, no money moved (Pending, Failed)
	OperationType      string     `db:"operation_type"`
	OperationStatus    string     `db:"operation_status"`
	AmountCents        int64      `db:"amount_cents"`
	CustomerNetCents   int64      `db:"customer_net_amount_cents"`
	CustomerFinalCents int64      `db:"customer_final_amount_cents"`
	FeeCents           int64      `db:"fee_cents"`
	FeePlatformCents   int64      `db:"fee_platform_cents"`
	FeePartnerCents    int64      `db:"fee_partner_cents"`
	FeeDealerCents     int64      `db:"fee_dealer_cents"`
	FeeStoreCents      int64      `db:"fee_store_cents"`
	FeeDebtor          string     `db:"fee_debtor"`
	PartnerKey         string     `db:"partner_key"`
	WalletID           *string    `db:"wallet_id"`
	DealerKey          *string    `db:"dealer_key"`
	StoreID            *string    `db:"store_id"`
	OperationDate      settle.Day `db:"operation_date"`
	CreatedAt          string     `db:"created_at"`
}

// AddOperation records op for the transaction the writer posted (op.TransactionID).
func (w *Writer) AddOperation(op *Operation) error {
	if op.FeeDebtor == "" {
		op.FeeDebtor = "None"
	}
	op.CreatedAt = w.createdAt
	_, err := w.NamedExec(`INSERT INTO operations (operation_id, transaction_id, operation_type,
		operation_status, amount_cents, customer_net_amount_cents, customer_final_amount_cents, fee_cents,
		fee_platform_cents, fee_partner_cents, fee_dealer_cents, fee_store_cents, fee_debtor, partner_key,
		wallet_id, dealer_key, store_id, operation_date, created_at)
		VALUES (:operation_id, :transaction_id, :operation_type, :operation_status, :amount_cents,
		:customer_net_amount_cents, :customer_final_amount_cents, :fee_cents, :fee_platform_cents,
		:fee_partner_cents, :fee_dealer_cents, :fee_store_cents, :fee_debtor, :partner_key, :wallet_id,
		:dealer_key, :store_id, :operation_date, :created_at)`, op)
	if err != nil {
		return fmt.Errorf("operation %s: %w", op.OperationID, err)
	}
	return nil
}

// OperationsOf returns the operations recorded for a transaction.
func (s *Store) OperationsOf(ctx context.Context, txID int64) ([]Operation, error) {
	var ops []Operation
	err := s.R.SelectContext(ctx, &ops, `SELECT * FROM operations WHERE transaction_id = ? ORDER BY operation_id`, txID)
	return ops, err
}

// reverseOperations marks the operations of transaction origID Reversed and adds, for
// each, a Reversal operation on the reversing transaction revID.
func reverseOperations(w *Writer, origID, revID int64, date settle.Day) error {
	var ops []Operation
	if err := w.tx.SelectContext(w.ctx, &ops, `SELECT * FROM operations WHERE transaction_id = ?`, origID); err != nil {
		return err
	}
	for _, op := range ops {
		if _, err := w.Exec(`UPDATE operations SET operation_status = ? WHERE operation_id = ?`,
			StatusReversed, op.OperationID); err != nil {
			return err
		}
		rev := op
		rev.OperationID = op.OperationID + ":reversal:" + strconv.FormatInt(revID, 10)
		rev.TransactionID = &revID
		rev.OperationType = "Reversal"
		rev.OperationStatus = StatusCompleted
		rev.OperationDate = date
		if err := w.AddOperation(&rev); err != nil {
			return err
		}
	}
	return nil
}

package feeds

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"settle"
	"settle/ledger"
	"settle/ledger/fees"
	"slices"
	"strings"
	"time"
)

// OperationRow is one row of operations.csv: an operation at a store (a cash
// deposit, a cash withdrawal, a payment) as the store's till reported it.
type OperationRow struct {
	OperationID     string `csv:"operationId"`
	WalletID        string `csv:"walletId"`
	StoreID         string `csv:"storeId"`
	OperationType   string `csv:"operationType"`
	Amount          string `csv:"amount"`
	OperationDate   string `csv:"operationDate"` // YYYY-MM-DD, or a time with its offset (its date in the configured zone)
	OperationStatus string `csv:"operationStatus"`
}

// storeFacts is what posting a store operation needs to know.
type storeFacts struct {
	PartnerKey string `db:"partner_key"`
	DealerKey  string `db:"dealer_key"`
	WalletPK   string `db:"wallet_partner"`
	Status     string `db:"status"`
	MaxBalance *int64 `db:"maximum_balance_cents"`
	MaxDeposit *int64 `db:"maximum_last_month_cash_deposit_cents"`
	MaxWithdr  *int64 `db:"maximum_last_month_cash_withdrawal_cents"`
}

// upsertOperationRow records a store operation with its fee and shares and, when
// Completed, posts it (DESIGN Conventions: Fees). A deposit brings cash to the
// store: the store owes it (store_cash) and the wallet is credited; a withdrawal
// or payment takes money from the wallet that the store pays out or keeps. The fee
// debtor pays the fee: the customer from the wallet, or the store on its cash
// account. The partner's rolling 30-day cash limits and maximum balance hold, and
// a wallet cannot go below zero. A Pending operation is recorded and posted once
// the feed reports it Completed; a Failed one moves nothing and earns no fee.
func upsertOperationRow(w *ledger.Writer, refs *refCache, r *OperationRow) error {
	var c fieldCheck
	id := c.key("operationId", r.OperationID)
	walletID := c.uuid("walletId", r.WalletID)
	storeID := c.required("storeId", r.StoreID)
	typ := c.required("operationType", r.OperationType)
	in, known := fees.OperationTypes[typ]
	if typ != "" && !known {
		c.fail("operationType", "%q is not CashDeposit, CashWithdrawal or Payment", typ)
	}
	cents := c.positive("amount", r.Amount)
	date := c.operationDate("operationDate", r.OperationDate, refs.loc)
	status := cmp.Or(strings.TrimSpace(r.OperationStatus), ledger.StatusCompleted)
	if !slices.Contains([]string{ledger.StatusPending, ledger.StatusCompleted, ledger.StatusFailed}, status) {
		c.fail("operationStatus", "%q is not Pending, Completed or Failed (a completed operation is undone with settle reverse)", status)
	}
	if c.err != nil {
		return c.err
	}
	var before string
	switch err := w.Get(&before, `SELECT operation_status FROM operations WHERE operation_id = ?`, id); {
	case err == nil && before != ledger.StatusPending:
		return errUnchanged // imported before: nothing to do
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	var f storeFacts
	err := w.Get(&f, `SELECT d.partner_key, d.dealer_key, w.partner_key AS wallet_partner, w.status, p.maximum_balance_cents,
		p.maximum_last_month_cash_deposit_cents, p.maximum_last_month_cash_withdrawal_cents
		FROM stores s JOIN dealers d ON d.dealer_key = s.dealer_key JOIN partners p ON p.partner_key = d.partner_key
		JOIN wallets w ON w.wallet_id = ? WHERE s.store_id = ?`, walletID, storeID)
	if errors.Is(err, sql.ErrNoRows) {
		ok, err := ledger.RowExists(w, `SELECT 1 FROM wallets WHERE wallet_id = ?`, walletID)
		if err != nil {
			return err
		}
		if !ok {
			return settle.FieldError("walletId", "wallet %s does not exist", walletID)
		}
		return settle.FieldError("storeId", "store %s does not exist", storeID)
	}
	if err != nil {
		return err
	}
	if f.WalletPK != f.PartnerKey {
		return settle.FieldError("storeId", "store %s is partner %s's, the wallet partner %s's", storeID, f.PartnerKey, f.WalletPK)
	}
	sched, err := fees.ScheduleOf(w, f.PartnerKey, typ)
	if err != nil {
		return err
	}
	op := ledger.Operation{OperationID: id, OperationType: typ, OperationStatus: status, AmountCents: cents, FeeDebtor: sched.FeeDebtor,
		PartnerKey: f.PartnerKey, WalletID: &walletID, DealerKey: &f.DealerKey, StoreID: &storeID, OperationDate: date}
	fee := sched.Price(cents)
	if status == ledger.StatusFailed {
		fee = fees.Fee{}
	}
	op.FeeCents, op.FeePlatformCents, op.FeePartnerCents, op.FeeDealerCents, op.FeeStoreCents =
		fee.Cents, fee.Shares[fees.SharePlatform], fee.Shares[fees.SharePartner], fee.Shares[fees.ShareDealer], fee.Shares[fees.ShareStore]
	var customerFee, storeFee int64
	switch sched.FeeDebtor {
	case fees.DebtorCustomer:
		customerFee = fee.Cents
	case fees.DebtorStore:
		storeFee = fee.Cents
	}
	// customerFinal: what the customer hands over (deposit) or is charged in all
	// (withdrawal, payment); customerNet: that less the fee the customer bears.
	op.CustomerFinalCents, op.CustomerNetCents = cents, cents-customerFee
	if !in {
		op.CustomerFinalCents, op.CustomerNetCents = cents+customerFee, cents
	}
	if status == ledger.StatusCompleted {
		if err := checkStoreOperation(w, f, walletID, typ, in, cents, customerFee, date); err != nil {
			return err
		}
		txID, err := postStoreOperation(w, op, in, customerFee, storeFee, fee)
		if err != nil {
			return err
		}
		op.TransactionID = &txID
	}
	if before == ledger.StatusPending {
		_, err = w.Exec(`UPDATE operations SET transaction_id = ?, operation_status = ?, fee_cents = ?, fee_platform_cents = ?,
			fee_partner_cents = ?, fee_dealer_cents = ?, fee_store_cents = ?, operation_date = ? WHERE operation_id = ?`, op.TransactionID,
			status, op.FeeCents, op.FeePlatformCents, op.FeePartnerCents, op.FeeDealerCents, op.FeeStoreCents, date, id)
		return err
	}
	return w.AddOperation(&op)
}

// checkStoreOperation refuses what the wallet may not do: an inactive wallet, the
// partner's 30-day cash maxima and maximum balance, money it does not have.
func checkStoreOperation(w *ledger.Writer, f storeFacts, walletID, typ string, in bool, cents, customerFee int64, date settle.Day) error {
	if f.Status != ledger.WalletActive {
		return settle.FieldError("walletId", "wallet %s is %s", walletID, f.Status)
	}
	limit := f.MaxWithdr
	if in {
		limit = f.MaxDeposit
	}
	if typ != "Payment" && limit != nil {
		from := date.AddDays(-29)
		var used int64
		if err := w.Get(&used, `SELECT COALESCE(SUM(amount_cents), 0) FROM operations WHERE wallet_id = ? AND operation_type = ?
			AND operation_status = 'Completed' AND operation_date BETWEEN ? AND ?`, walletID, typ, from, date); err != nil {
			return err
		}
		if used+cents > *limit {
			return settle.FieldError("amount", "the wallet's %s over the 30 days to %s would be %s, over the partner's maximum of %s",
				typ, date, ledger.FormatCents(used+cents), ledger.FormatCents(*limit))
		}
	}
	acct, err := ledger.AccountID(w, ledger.WalletAccountCode(walletID, ledger.BucketWithdrawable))
	if err != nil {
		return err
	}
	withdrawable, err := w.Balance(acct)
	if err != nil {
		return err
	}
	if in {
		restricted, err := ledger.AccountID(w, ledger.WalletAccountCode(walletID, ledger.BucketRestricted))
		if err != nil {
			return err
		}
		r, err := w.Balance(restricted)
		if err != nil {
			return err
		}
		if total := -(withdrawable + r) + cents - customerFee; f.MaxBalance != nil && total > *f.MaxBalance {
			return settle.FieldError("amount", "the wallet would hold %s, over the partner's maximum balance of %s", ledger.FormatCents(total), ledger.FormatCents(*f.MaxBalance))
		}
		return nil
	}
	if need := cents + customerFee; -withdrawable < need {
		return settle.FieldError("amount", "the wallet has %s withdrawable, the %s needs %s", ledger.FormatCents(-withdrawable), typ, ledger.FormatCents(need))
	}
	return nil
}

// postStoreOperation posts a completed store operation: the wallet, the store's
// cash account and the four fee shares.
func postStoreOperation(w *ledger.Writer, op ledger.Operation, in bool, customerFee, storeFee int64, fee fees.Fee) (int64, error) {
	store, dealer := *op.StoreID, *op.DealerKey
	codes := []string{ledger.WalletAccountCode(*op.WalletID, ledger.BucketWithdrawable), ledger.PartnerAccountCode(op.PartnerKey, "store_cash:"+store),
		ledger.PartnerAccountCode(op.PartnerKey, "fees:platform"), ledger.PartnerAccountCode(op.PartnerKey, "fees:partner"),
		ledger.PartnerAccountCode(op.PartnerKey, "fees:dealer:"+dealer), ledger.PartnerAccountCode(op.PartnerKey, "fees:store:"+store)}
	ids := make([]int64, len(codes))
	for i, code := range codes {
		if i >= 1 && i != 2 && i != 3 { // per store and per dealer: made on first use
			if err := ledger.EnsureAccount(w, code, op.PartnerKey, nil, strings.TrimPrefix(code, "partner:"+op.PartnerKey+":")); err != nil {
				return 0, err
			}
		}
		var err error
		if ids[i], err = ledger.AccountID(w, code); err != nil {
			return 0, err
		}
	}
	// Debit-positive; the wallet is a liability (credit = money in it).
	wallet, cash := -(op.AmountCents - customerFee), op.AmountCents+storeFee // a deposit
	if !in {
		wallet, cash = op.AmountCents+customerFee, -(op.AmountCents - storeFee)
	}
	postings := []ledger.Posting{{AccountID: ids[0], AmountCents: wallet}, {AccountID: ids[1], AmountCents: cash}}
	for i, share := range fee.Shares {
		postings = append(postings, ledger.Posting{AccountID: ids[2+i], AmountCents: -share})
	}
	postings = slices.DeleteFunc(postings, func(p ledger.Posting) bool { return p.AmountCents == 0 })
	id, _, err := w.Post(&ledger.Transaction{Key: "operation:" + op.OperationID, Type: op.OperationType, PartnerKey: op.PartnerKey,
		WalletID: *op.WalletID, ValueDate: op.OperationDate, BookingDate: op.OperationDate, Source: ledger.Source{Row: "operations:" + op.OperationID},
		CreatedBy: "import", Description: fmt.Sprintf("%s at store %s", op.OperationType, store), Postings: postings})
	return id, err
}

// operationDate takes a date, or a time with its offset whose date in the configured
// zone is the operation's day.
func (c *fieldCheck) operationDate(field, v string, loc *time.Location) settle.Day {
	v = c.required(field, v)
	if v == "" {
		return settle.Day{}
	}
	if d, err := settle.ParseDay(v); err == nil {
		return d
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		c.fail(field, "%q is not a date (YYYY-MM-DD) or a time with its offset (RFC 3339)", v)
		return settle.Day{}
	}
	if loc == nil {
		loc = time.UTC
	}
	return settle.DayOf(t, loc)
}

package payments

import (
	"cmp"
	"context"
	"fmt"
	"settle"
	"settle/ledger"
	"strings"
)

// Reset reasons (DESIGN Flows: Balance reset).
const (
	ResetRedeem    = "redeem"    // a positive balance paid out to the validated IBAN by the next SCT batch
	ResetUnclaimed = "unclaimed" // a positive balance with no validated IBAN: kept as a liability
	ResetWriteOff  = "write-off" // a negative balance (a debt) written off to bad_debt
)

// Check tells what is wrong with a reset's request itself: which wallets (a wallet,
// a partner's or the closed ones) and why must be said.
func (o ResetOptions) Check() error {
	switch {
	case o.WalletID == "" && o.PartnerKey == "" && !o.Closed:
		return settle.FieldError("selector", "choose the wallets: --wallet ID, --partner KEY or --closed")
	case o.Reason != ResetRedeem && o.Reason != ResetUnclaimed && o.Reason != ResetWriteOff:
		return settle.FieldError("reason", "%q is not redeem, unclaimed or write-off", o.Reason)
	}
	return nil
}

// ResetOptions choose the wallets to reset and why. At least one selector and a
// reason are required.
type ResetOptions struct {
	WalletID   string
	PartnerKey string
	Closed     bool       // closed wallets only
	Reason     string     // redeem, unclaimed or write-off
	Day        settle.Day // the reset's booking date; one reset per wallet and day
	By         string
	ChunkSize  int // wallets per committed transaction (default 1,000)
	DryRun     bool
}

// ResetResult counts what a reset did.
type ResetResult struct {
	Wallets int            // reset
	Cents   int64          // the money moved, positive
	Skipped map[string]int // wallets selected but not reset, by why
}

// resetWallet is a selected wallet with its buckets' accounts and balances.
type resetWallet struct {
	WalletID   string  `db:"wallet_id"`
	PartnerKey string  `db:"partner_key"`
	Name       string  `db:"name"`
	IBAN       *string `db:"iban"`
	BIC        *string `db:"bic"`
	Validated  bool    `db:"is_iban_validated"`
	WID        int64   `db:"wid"`
	RID        int64   `db:"rid"`
	WBal, RBal int64   `db:"-"` // read in the reset's own transaction
}

// ResetBalances brings the selected wallets' buckets to zero with one transaction
// each (key reset:<wallet>:<day>, so a rerun the same day does nothing), never by
// updating a balance. The reason decides where the money goes: redeem moves it to
// payout_clearing and queues a Redemption credit transfer to the wallet's
// validated IBAN; unclaimed moves it to the partner's unclaimed account; write-off
// clears a debt against bad_debt. A wallet the reason does not fit is skipped and
// counted with why.
func ResetBalances(ctx context.Context, s *ledger.Store, opt ResetOptions) (ResetResult, error) {
	res := ResetResult{Skipped: map[string]int{}}
	where, args := []string{}, []any{}
	if opt.WalletID != "" {
		where, args = append(where, "w.wallet_id = ?"), append(args, strings.ToLower(opt.WalletID))
	}
	if opt.PartnerKey != "" {
		where, args = append(where, "w.partner_key = ?"), append(args, opt.PartnerKey)
	}
	if opt.Closed {
		where = append(where, "w.status = 'Closed'")
	}
	if err := opt.Check(); err != nil {
		return res, err
	}
	if opt.Day.IsZero() {
		return res, settle.FieldError("date", "a day is required")
	}
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = 1000
	}
	last := ""
	for {
		var ws []resetWallet
		err := s.R.SelectContext(ctx, &ws, `SELECT w.wallet_id, w.partner_key, w.first_name || ' ' || w.last_name AS name, w.iban, w.bic,
			w.is_iban_validated, aw.id AS wid, ar.id AS rid
			FROM wallets w JOIN accounts aw ON aw.code = 'wallet:' || w.wallet_id || ':withdrawable'
			JOIN accounts ar ON ar.code = 'wallet:' || w.wallet_id || ':restricted'
			WHERE `+strings.Join(where, " AND ")+` AND w.wallet_id > ? ORDER BY w.wallet_id LIMIT ?`, append(args, last, opt.ChunkSize)...)
		if err != nil || len(ws) == 0 {
			return res, err
		}
		last = ws[len(ws)-1].WalletID
		chunk := ResetResult{Skipped: map[string]int{}}
		err = s.Write(ctx, func(w *ledger.Writer) error {
			chunk = ResetResult{Skipped: map[string]int{}}
			for _, wl := range ws {
				if err := resetOne(w, wl, opt, &chunk); err != nil {
					return fmt.Errorf("wallet %s: %w", wl.WalletID, err)
				}
			}
			if opt.DryRun {
				return errDryRun
			}
			return nil
		})
		if err != nil && err != errDryRun {
			return res, err
		}
		res.Wallets, res.Cents = res.Wallets+chunk.Wallets, res.Cents+chunk.Cents
		for k, v := range chunk.Skipped {
			res.Skipped[k] += v
		}
	}
}

func resetOne(w *ledger.Writer, wl resetWallet, opt ResetOptions, res *ResetResult) error {
	key := "reset:" + wl.WalletID + ":" + opt.Day.String()
	if done, err := ledger.RowExists(w, `SELECT 1 FROM transactions WHERE idempotency_key = ?`, key); err != nil || done {
		if done {
			res.Skipped["reset already on "+opt.Day.String()]++
		}
		return err
	}
	// The balances as of this transaction: the chunk was listed before it began, and
	// an ingest may have committed since.
	var err error
	if wl.WBal, err = w.Balance(wl.WID); err != nil {
		return err
	}
	if wl.RBal, err = w.Balance(wl.RID); err != nil {
		return err
	}
	held := -(wl.WBal + wl.RBal) // the owner's money: wallets are liabilities
	skip := ""
	switch {
	case held == 0:
		skip = "balance is zero"
	case opt.Reason == ResetWriteOff && held > 0:
		skip = "balance is positive: redeem or unclaimed"
	case opt.Reason != ResetWriteOff && held < 0:
		skip = "balance is negative (a debt): write-off"
	case opt.Reason == ResetRedeem && (!wl.Validated || wl.IBAN == nil):
		skip = "no validated IBAN: unclaimed"
	case opt.Reason == ResetUnclaimed && wl.Validated && wl.IBAN != nil:
		skip = "has a validated IBAN: redeem"
	}
	if skip != "" {
		res.Skipped[skip]++
		return nil
	}
	counter := map[string]string{ResetRedeem: "payout_clearing", ResetUnclaimed: "unclaimed", ResetWriteOff: "bad_debt"}[opt.Reason]
	cid, err := ledger.AccountID(w, ledger.PartnerAccountCode(wl.PartnerKey, counter))
	if err != nil {
		return err
	}
	postings := []ledger.Posting{{AccountID: cid, AmountCents: -held}}
	for _, b := range []struct{ id, bal int64 }{{wl.WID, wl.WBal}, {wl.RID, wl.RBal}} {
		if b.bal != 0 {
			postings = append(postings, ledger.Posting{AccountID: b.id, AmountCents: -b.bal})
		}
	}
	txID, _, err := w.Post(&ledger.Transaction{Key: key, Type: "BalanceReset", PartnerKey: wl.PartnerKey, WalletID: wl.WalletID,
		ValueDate: opt.Day, BookingDate: opt.Day, CreatedBy: cmp.Or(opt.By, "settle"),
		Description: fmt.Sprintf("balance reset (%s) of %s", opt.Reason, ledger.FormatCents(abs(held))), Postings: postings})
	if err != nil {
		return err
	}
	walletID := wl.WalletID
	if err := w.AddOperation(&ledger.Operation{OperationID: key, TransactionID: &txID, OperationType: "BalanceReset", OperationStatus: ledger.StatusCompleted,
		AmountCents: abs(held), CustomerNetCents: abs(held), CustomerFinalCents: abs(held), PartnerKey: wl.PartnerKey, WalletID: &walletID,
		OperationDate: opt.Day}); err != nil {
		return err
	}
	if opt.Reason == ResetRedeem {
		next, err := ledger.NextID(w, "credit_transfers")
		if err != nil {
			return err
		}
		// Debited already (into payout_clearing): no wallet on the transfer, and a
		// reject, return or cancel puts the money back on the wallet's withdrawable bucket.
		if _, err := w.Exec(`INSERT INTO credit_transfers (id, request_id, kind, partner_key, creditor_name, creditor_iban, creditor_bic,
			amount_cents, remittance, requested_date, end_to_end_id, status, transaction_id, back_account_id, created_at, updated_at)
			VALUES (?, ?, 'Redemption', ?, ?, ?, ?, ?, ?, ?, ?, 'Created', ?, ?, ?, ?)`, next, key, wl.PartnerKey, wl.Name, *wl.IBAN, wl.BIC,
			held, "Rimborso saldo wallet "+wl.WalletID[:8], opt.Day, fmt.Sprintf("STL-CT-%d", next), txID, wl.WID, w.NowText(), w.NowText()); err != nil {
			return err
		}
	}
	res.Wallets++
	res.Cents += abs(held)
	return nil
}

func abs(c int64) int64 {
	if c < 0 {
		return -c
	}
	return c
}

package reconcile

import (
	"context"
	"settle"

	"settle/ledger"
)

// Safeguarding is a partner's daily safeguarding check: the money on its bank
// account, and the cash its stores took and owe it, against what it holds for
// others. Customer money is what wallet owners and senders are owed (wallets,
// suspense, payout_clearing, unclaimed); own money is the rest of the ledger (fees
// earned, charges, bad debt). Drift = bank + store cash − customer − own: zero when
// the bank's balance is the ledger's; a shortfall is bank + store cash below the
// customer money.
type Safeguarding struct {
	Day             settle.Day `db:"day"`
	PartnerKey      string     `db:"partner_key"`
	BankCents       int64      `db:"bank_cents"`
	FromStatement   bool       `db:"from_statement"`
	LedgerBankCents int64      `db:"ledger_bank_cents"`
	StoreCashCents  int64      `db:"store_cash_cents"`
	WalletsCents    int64      `db:"wallets_cents"`
	CustomerCents   int64      `db:"customer_cents"`
	OwnCents        int64      `db:"own_cents"`
	DriftCents      int64      `db:"drift_cents"`
	Shortfall       bool       `db:"shortfall"`
	CreatedAt       string     `db:"created_at"`
}

// Safeguard computes and stores every partner's safeguarding for the end of day,
// from the ledger by booking date and the latest statement ending that day.
func Safeguard(ctx context.Context, s *ledger.Store, day settle.Day, dryRun bool) ([]Safeguarding, error) {
	var out []Safeguarding
	err := s.Write(ctx, func(w *ledger.Writer) error {
		out = nil
		if err := w.Select(&out, `WITH bal AS (
				SELECT a.partner_key, a.code, a.wallet_id, SUM(p.amount_cents) AS cents
				FROM postings p JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id
				WHERE t.booking_date <= ? GROUP BY a.id)
			SELECT pa.partner_key, ? AS day,
				COALESCE(SUM(CASE WHEN b.code = 'partner:' || pa.partner_key || ':bank' THEN b.cents END), 0) AS ledger_bank_cents,
				-COALESCE(SUM(CASE WHEN b.wallet_id IS NOT NULL THEN b.cents END), 0) AS wallets_cents,
				-COALESCE(SUM(CASE WHEN b.wallet_id IS NOT NULL OR b.code IN ('partner:' || pa.partner_key || ':suspense',
					'partner:' || pa.partner_key || ':payout_clearing', 'partner:' || pa.partner_key || ':unclaimed') THEN b.cents END), 0) AS customer_cents,
				COALESCE(SUM(CASE WHEN b.code LIKE 'partner:' || pa.partner_key || ':store_cash:%' THEN b.cents END), 0) AS store_cash_cents,
				-COALESCE(SUM(CASE WHEN b.wallet_id IS NULL AND b.code NOT IN ('partner:' || pa.partner_key || ':bank',
					'partner:' || pa.partner_key || ':suspense', 'partner:' || pa.partner_key || ':payout_clearing',
					'partner:' || pa.partner_key || ':unclaimed') AND b.code NOT LIKE 'partner:' || pa.partner_key || ':store_cash:%'
					THEN b.cents END), 0) AS own_cents
			FROM partners pa LEFT JOIN bal b ON b.partner_key = pa.partner_key
			GROUP BY pa.partner_key ORDER BY pa.partner_key`, day, day); err != nil {
			return err
		}
		now := s.NowText()
		for i := range out {
			sg := &out[i]
			var closing *int64
			if err := w.Get(&closing, `SELECT MAX(closing_cents) FROM (SELECT closing_cents FROM bank_statements WHERE partner_key = ?
				AND to_date = ? ORDER BY id DESC LIMIT 1) AS last`, sg.PartnerKey, day); err != nil {
				return err
			}
			sg.BankCents, sg.FromStatement = sg.LedgerBankCents, closing != nil
			if closing != nil {
				sg.BankCents = *closing
			}
			sg.DriftCents = sg.BankCents + sg.StoreCashCents - sg.CustomerCents - sg.OwnCents
			sg.Shortfall = sg.BankCents+sg.StoreCashCents < sg.CustomerCents
			sg.CreatedAt = now
			if _, err := w.NamedExec(`INSERT INTO safeguarding (day, partner_key, bank_cents, from_statement, ledger_bank_cents, store_cash_cents,
				wallets_cents, customer_cents, own_cents, drift_cents, shortfall, created_at) VALUES (:day, :partner_key, :bank_cents,
				:from_statement, :ledger_bank_cents, :store_cash_cents, :wallets_cents, :customer_cents, :own_cents, :drift_cents, :shortfall,
				:created_at)
				ON CONFLICT (day, partner_key) DO UPDATE SET bank_cents = excluded.bank_cents, from_statement = excluded.from_statement,
				ledger_bank_cents = excluded.ledger_bank_cents, store_cash_cents = excluded.store_cash_cents, wallets_cents = excluded.wallets_cents, customer_cents = excluded.customer_cents,
				own_cents = excluded.own_cents, drift_cents = excluded.drift_cents, shortfall = excluded.shortfall, created_at = excluded.created_at`,
				sg); err != nil {
				return err
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		err = nil
	}
	return out, err
}

package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"settle"

	"settle/ledger"
)

// Statement is what a dealer or a store is told of a period: its operations, the
// fees they earned (with the four shares), the fee payouts made to it, and the cash
// its stores took for wallets and owe the partner.
type Statement struct {
	Kind       string // "store" or "dealer"
	ID, Name   string
	PartnerKey string
	DealerKey  string // a store's dealer
	From, To   settle.Day
	Operations []StatementOperation
	Fees       StatementFees
	Payouts    []StatementPayout
	// FeesEarned, FeesPaid: the fee account's movements in the period; FeesOwed:
	// what the account holds for the dealer or store at the end of the period.
	FeesEarned, FeesPaid, FeesOwed int64
	// Cash owed to the partner by the store (a dealer: all its stores) at the start
	// and end of the period, what the stores took in, what they remitted to the
	// partner's bank (by their RF reference), and what else they paid out (cash
	// withdrawals, payments, fees set against it).
	CashStart, CashIn, CashRemitted, CashOut, CashEnd int64
}

// StatementOperation is the period's operations of one type and status.
type StatementOperation struct {
	Type   string `db:"operation_type"`
	Status string `db:"operation_status"`
	Count  int64  `db:"n"`
	Amount int64  `db:"amount"`
	Fee    int64  `db:"fee"`
}

// StatementFees are the fees of the period's completed operations and their shares.
type StatementFees struct {
	Fee      int64 `db:"fee"`
	Platform int64 `db:"platform"`
	Partner  int64 `db:"partner"`
	Dealer   int64 `db:"dealer"`
	Store    int64 `db:"store"`
}

// StatementPayout is a fee payout booked in the period.
type StatementPayout struct {
	Day      settle.Day `db:"booking_date"`
	Cents    int64      `db:"cents"`
	EndToEnd string     `db:"e2e"`
	Status   string     `db:"status"`
}

// BuildStatement gathers the statement of a store (kind "store") or a dealer
// ("dealer") for the days from..to, both included, as the ledger holds them by
// booking date.
func BuildStatement(ctx context.Context, s *ledger.Store, kind, id string, from, to settle.Day) (*Statement, error) {
	if to.Before(from) {
		return nil, settle.FieldError("to", "the period ends (%s) before it starts (%s)", to, from)
	}
	st := &Statement{Kind: kind, ID: id, From: from, To: to}
	var who struct {
		Name    string `db:"name"`
		Partner string `db:"partner"`
		Dealer  string `db:"dealer"`
	}
	var where string // the operations of the statement
	switch kind {
	case "store":
		err := s.R.GetContext(ctx, &who, `SELECT s.store_name AS name, d.partner_key AS partner, s.dealer_key AS dealer
			FROM stores s JOIN dealers d ON d.dealer_key = s.dealer_key WHERE s.store_id = ?`, id)
		if err != nil {
			return nil, notFound(err, "store", id)
		}
		where = "o.store_id = ?"
	case "dealer":
		err := s.R.GetContext(ctx, &who, `SELECT dealer_name AS name, partner_key AS partner, '' AS dealer FROM dealers WHERE dealer_key = ?`, id)
		if err != nil {
			return nil, notFound(err, "dealer", id)
		}
		where = "o.dealer_key = ?"
	default:
		return nil, settle.FieldError("kind", "%q: a statement is for a store or a dealer", kind)
	}
	st.Name, st.PartnerKey, st.DealerKey = who.Name, who.Partner, who.Dealer
	if err := s.R.SelectContext(ctx, &st.Operations, `SELECT o.operation_type, o.operation_status, COUNT(*) AS n,
		SUM(o.amount_cents) AS amount, SUM(o.fee_cents) AS fee FROM operations o
		WHERE `+where+` AND o.operation_date >= ? AND o.operation_date <= ?
		GROUP BY o.operation_type, o.operation_status ORDER BY o.operation_type, o.operation_status`, id, from, to); err != nil {
		return nil, fmt.Errorf("statement operations: %w", err)
	}
	if err := s.R.GetContext(ctx, &st.Fees, `SELECT COALESCE(SUM(fee_cents), 0) AS fee, COALESCE(SUM(fee_platform_cents), 0) AS platform,
		COALESCE(SUM(fee_partner_cents), 0) AS partner, COALESCE(SUM(fee_dealer_cents), 0) AS dealer,
		COALESCE(SUM(fee_store_cents), 0) AS store FROM operations o
		WHERE `+where+` AND o.operation_status = 'Completed' AND o.operation_date >= ? AND o.operation_date <= ?`, id, from, to); err != nil {
		return nil, fmt.Errorf("statement fees: %w", err)
	}
	feeAccount := "partner:" + st.PartnerKey + ":fees:" + kind + ":" + id
	if err := s.R.SelectContext(ctx, &st.Payouts, `SELECT t.booking_date, p.amount_cents AS cents,
		COALESCE(ct.end_to_end_id, '') AS e2e, COALESCE(ct.status, '') AS status
		FROM postings p JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id
		LEFT JOIN credit_transfers ct ON ct.transaction_id = t.id
		WHERE a.code = ? AND t.type = 'FeePayout' AND t.booking_date >= ? AND t.booking_date <= ? ORDER BY t.booking_date, t.id`,
		feeAccount, from, to); err != nil {
		return nil, fmt.Errorf("statement payouts: %w", err)
	}
	// a fee account is credited as fees are earned and debited as they are paid out
	paid, earned, balance, err := accountFlows(ctx, s, `a.code = ?`, feeAccount, from, to)
	if err != nil {
		return nil, err
	}
	st.FeesEarned, st.FeesPaid, st.FeesOwed = earned, paid, -balance
	cash, cashArg := `a.code = ?`, "partner:"+st.PartnerKey+":store_cash:"+id
	if kind == "dealer" {
		cash, cashArg = `a.code LIKE 'partner:%:store_cash:%' AND substr(a.code, length('partner:' || a.partner_key || ':store_cash:') + 1)
			IN (SELECT store_id FROM stores WHERE dealer_key = ?)`, id
	}
	if st.CashIn, st.CashOut, st.CashEnd, err = accountFlows(ctx, s, cash, cashArg, from, to); err != nil {
		return nil, err
	}
	st.CashStart = st.CashEnd - st.CashIn + st.CashOut
	if err := s.R.GetContext(ctx, &st.CashRemitted, `SELECT COALESCE(SUM(-p.amount_cents), 0) FROM postings p
		JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id
		WHERE `+cash+` AND t.type = 'StoreRemittance' AND t.booking_date >= ? AND t.booking_date <= ?`, cashArg, from, to); err != nil {
		return nil, fmt.Errorf("statement remittances: %w", err)
	}
	st.CashOut -= st.CashRemitted
	return st, nil
}

// Empty tells whether the statement has nothing to say: no operation, no payout,
// nothing earned, owed or moved.
func (st *Statement) Empty() bool {
	return len(st.Operations) == 0 && len(st.Payouts) == 0 && st.FeesEarned == 0 && st.FeesPaid == 0 && st.FeesOwed == 0 &&
		st.CashStart == 0 && st.CashIn == 0 && st.CashRemitted == 0 && st.CashOut == 0 && st.CashEnd == 0
}

// MonthlyStatements builds the statement of every store and dealer for the days
// from..to, leaving out the empty ones, and calls fn with each.
func MonthlyStatements(ctx context.Context, s *ledger.Store, from, to settle.Day, fn func(*Statement) error) error {
	var subjects []struct {
		Kind string `db:"kind"`
		ID   string `db:"id"`
	}
	if err := s.R.SelectContext(ctx, &subjects, `SELECT 'dealer' AS kind, dealer_key AS id FROM dealers
		UNION ALL SELECT 'store', store_id FROM stores ORDER BY 1, 2`); err != nil {
		return err
	}
	for _, sub := range subjects {
		st, err := BuildStatement(ctx, s, sub.Kind, sub.ID, from, to)
		if err != nil {
			return fmt.Errorf("%s %s: %w", sub.Kind, sub.ID, err)
		}
		if st.Empty() {
			continue
		}
		if err := fn(st); err != nil {
			return err
		}
	}
	return nil
}

// accountFlows sums the debits and credits (as positive amounts) booked from..to on
// the accounts matching cond (with its one argument), and their balance at the end
// of to.
func accountFlows(ctx context.Context, s *ledger.Store, cond string, arg any, from, to settle.Day) (debits, credits, end int64, err error) {
	var r struct {
		Debits  int64 `db:"debits"`
		Credits int64 `db:"credits"`
		End     int64 `db:"ending"`
	}
	err = s.R.GetContext(ctx, &r, `SELECT
		COALESCE(SUM(CASE WHEN t.booking_date >= ? AND p.amount_cents > 0 THEN p.amount_cents END), 0) AS debits,
		COALESCE(SUM(CASE WHEN t.booking_date >= ? AND p.amount_cents < 0 THEN -p.amount_cents END), 0) AS credits,
		COALESCE(SUM(p.amount_cents), 0) AS ending
		FROM postings p JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id
		WHERE `+cond+` AND t.booking_date <= ?`, from, from, arg, to)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("statement balances: %w", err)
	}
	return r.Debits, r.Credits, r.End, nil
}

func notFound(err error, kind, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return settle.Errorf(settle.NotFound, "%s %q does not exist", kind, id)
	}
	return err
}

// StatementColumns are the columns of a statement's CSV: one line per figure.
var StatementColumns = []Column{{"section", Text}, {"item", Text}, {"day", Date}, {"count", Number}, {"amount", Cents}}

// Rows calls fn with the statement's lines, section by section.
func (st *Statement) Rows(fn func(row []string) error) error {
	c := ledger.FormatCents
	var rows [][]string
	add := func(section, item, day, count string, cents int64) {
		rows = append(rows, []string{section, item, day, count, c(cents)})
	}
	for _, o := range st.Operations {
		add("operations", o.Type+" "+o.Status, "", fmt.Sprint(o.Count), o.Amount)
	}
	add("fees", "fees of completed operations", "", "", st.Fees.Fee)
	add("fees", "platform share", "", "", st.Fees.Platform)
	add("fees", "partner share", "", "", st.Fees.Partner)
	add("fees", "dealer share", "", "", st.Fees.Dealer)
	add("fees", "store share", "", "", st.Fees.Store)
	add("fee account", "earned", "", "", st.FeesEarned)
	add("fee account", "paid out", "", "", st.FeesPaid)
	add("fee account", "owed at the end", st.To.String(), "", st.FeesOwed)
	for _, p := range st.Payouts {
		item := "fee payout " + p.EndToEnd
		if p.Status != "" {
			item += " (" + p.Status + ")"
		}
		add("fee payouts", item, p.Day.String(), "", p.Cents)
	}
	add("cash", "owed at the start", st.From.AddDays(-1).String(), "", st.CashStart)
	add("cash", "taken for wallets", "", "", st.CashIn)
	add("cash", "remitted to the bank", "", "", st.CashRemitted)
	add("cash", "paid out", "", "", st.CashOut)
	add("cash", "owed at the end", st.To.String(), "", st.CashEnd)
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// FileName is the statement's file name with ext: store-statement-ID-2026-11-01-2026-11-30.csv.
func (st *Statement) FileName(ext string) string {
	return st.Kind + "-statement-" + SafeFileName(st.ID) + "-" + st.From.String() + "-" + st.To.String() + ext
}

// WriteCSV writes the statement as CSV.
func (st *Statement) WriteCSV(w io.Writer, f Format) error {
	c, err := NewCSV(w, f, "section", "item", "day", "count", "amount")
	if err != nil {
		return err
	}
	if err := st.Rows(func(row []string) error { return c.Row(StatementColumns, row) }); err != nil {
		return err
	}
	return c.Flush()
}

// SafeFileName keeps letters, digits, '-', '_' and '.' of an id, so that it can name
// a file; anything else becomes '_'.
func SafeFileName(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 100 {
		b = b[:100]
	}
	return string(b)
}

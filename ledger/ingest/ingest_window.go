package ingest

import (
	"cmp"
	"fmt"
	"settle"
	"settle/ledger"
	"strings"
)

// windowSize is how many units are decided together. What a window needs from the
// database is read in a few queries before its units are decided, and what they
// write is inserted in a few multi-row statements after: a handful of statements per
// window instead of ten per unit.
const windowSize = 512

// maxCachedWallets bounds the wallets whose accounts an ingestion keeps (about 100
// bytes each).
const maxCachedWallets = 100_000

// window is the units of a file being decided together, with what they read.
type window struct {
	units    []unit
	keys     []string                // each unit's dedupe key
	entryIDs map[string]int64        // dedupe key → bank entry, in the database or earlier in the file's window
	byCode   map[string][]*walletRef // partner|validation code → pending wallets, oldest first
	byReason map[string]*walletRef   // partner|SCT reason → wallet
	accounts map[string]walletAccounts
	statuses int                     // pain.002 statuses buffered
	used     map[settle.Day][]string // wallets credited, by the booking day: last_usage_date
	valid    map[settle.Day][]string // wallets whose IBAN got validated, by the booking day: last_update_date
	refunds  []autoRefund
}

// walletAccounts are a wallet's two bucket accounts with their balances as stored
// (pending changes of the transaction are in Writer.deltas). The stored balances do
// not change while a file is ingested (the Writer flushes its deltas when the file's
// transaction ends), so a file reads each wallet's accounts once, in the first window
// that needs them, keeping at most maxCachedWallets.
type walletAccounts struct {
	withdrawable, restricted int64 // account ids
	balW, balR               int64 // stored balances
}

// autoRefund is an exception refunded once its window is written.
type autoRefund struct {
	excID int64
	note  string
	date  settle.Day
}

func (win *window) size() int { return len(win.units) + win.statuses }

// insertBuffer is the rows of a table that a window inserts, written in bulk.
type insertBuffer struct {
	table string
	cols  []string
	args  []any
}

func newInsertBuffer(table, cols string) insertBuffer {
	b := insertBuffer{table: table}
	for _, c := range strings.Split(cols, ",") {
		b.cols = append(b.cols, strings.TrimSpace(c))
	}
	return b
}

func (b *insertBuffer) add(vals ...any) {
	if len(vals) != len(b.cols) {
		panic(fmt.Sprintf("%s: %d values for %d columns", b.table, len(vals), len(b.cols)))
	}
	b.args = append(b.args, vals...)
}

// flush inserts the buffered rows (ledger.Writer.InsertRows) and empties the buffer.
func (b *insertBuffer) flush(w *ledger.Writer) error {
	if len(b.args) > 0 {
		if err := w.InsertRows(b.table, b.cols, b.args); err != nil {
			return err
		}
	}
	clear(b.args)
	b.args = b.args[:0]
	return nil
}

// writes are the rows a window inserts, in an order that satisfies the foreign keys.
type writes struct {
	transactions, postings, operations, entries, exceptions, statuses insertBuffer
	nextTx, nextEntry, nextExc                                        int64
}

func newWrites() *writes {
	return &writes{
		transactions: newInsertBuffer("transactions", `id, idempotency_key, type, partner_key, wallet_id, value_date,
			booking_date, source_file_id, source_entry, description, created_by, created_at`),
		postings: newInsertBuffer("postings", "transaction_id, account_id, amount_cents"),
		operations: newInsertBuffer("operations", `operation_id, transaction_id, operation_type, operation_status,
			amount_cents, customer_net_amount_cents, customer_final_amount_cents, partner_key, wallet_id, operation_date, created_at`),
		entries: newInsertBuffer("bank_entries", `id, file_id, position, detail, dedupe_key, duplicate_of, outcome,
			partner_key, account, currency, amount_cents, amount, credit, status, booking_date, value_date, acct_svcr_ref,
			end_to_end_id, pmt_inf_id, msg_id, mandate_id, bank_tx_code, return_reason, charges_cents, debtor_iban,
			debtor_name, creditor_iban, remittance, transaction_id`),
		exceptions: newInsertBuffer("exceptions", `id, reason, detail, bank_entry_id, partner_key, wallet_id, amount_cents,
			amount, currency, debtor_iban, debtor_name, in_suspense, status, created_at`),
		statuses: newInsertBuffer("payment_statuses", `file_id, position, level, orig_msg_id, orig_pmt_inf_id, orig_e2e_id,
			status, reason_code, reason_info, amount_cents, currency`),
	}
}

// nextIDs reads where the ids of the tables the ingest numbers itself stand. The
// ingest holds the write lock, so nothing else inserts until it commits.
func (wr *writes) nextIDs(w *ledger.Writer) error {
	for _, t := range []struct {
		table string
		next  *int64
	}{{"transactions", &wr.nextTx}, {"bank_entries", &wr.nextEntry}, {"exceptions", &wr.nextExc}} {
		if err := w.Get(t.next, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+t.table); err != nil {
			return err
		}
	}
	return nil
}

func (wr *writes) flush(w *ledger.Writer) error {
	for _, b := range []*insertBuffer{&wr.transactions, &wr.postings, &wr.operations, &wr.entries, &wr.exceptions, &wr.statuses} {
		if err := b.flush(w); err != nil {
			return fmt.Errorf("%s: %w", b.table, err)
		}
	}
	return nil
}

// post buffers a transaction, numbering it, and adds its postings to the pending
// balances. The ingest's keys derive from dedupe keys found new, so they are new too.
func (wr *writes) post(w *ledger.Writer, t *ledger.Transaction) (int64, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	id := wr.nextTx
	wr.nextTx++
	wr.transactions.add(id, t.Key, t.Type, ledger.Nullable(t.PartnerKey), ledger.Nullable(t.WalletID), t.ValueDate, t.BookingDate,
		t.Source.FileID, t.Source.Entry, t.Description, t.CreatedBy, w.NowText())
	for _, p := range t.Postings {
		wr.postings.add(id, p.AccountID, p.AmountCents)
	}
	if err := w.AddDeltas(t); err != nil {
		return 0, err
	}
	return id, nil
}

// prefetch reads what the window's units need: which dedupe keys exist, the wallets
// their remittances name, and those wallets' accounts and balances.
func (in *ingestion) prefetch(win *window) error {
	win.entryIDs = make(map[string]int64, len(win.keys))
	var found []struct {
		Key string `db:"dedupe_key"`
		ID  int64  `db:"id"`
	}
	if err := in.w.Select(&found, `SELECT dedupe_key, id FROM bank_entries
		WHERE dedupe_key `+in.w.D().InList, ledger.ListArg(win.keys)); err != nil {
		return err
	}
	for _, f := range found {
		win.entryIDs[f.Key] = f.ID
	}
	// Each token once: the words every remittance repeats would otherwise be sent,
	// parsed and sorted by the database hundreds of times per window.
	var toks []string
	seen := map[string]bool{}
	for i := range win.units {
		for _, t := range tokens(remittanceOf(&win.units[i].d)) {
			if !seen[t] {
				seen[t] = true
				toks = append(toks, t)
			}
		}
	}
	win.byCode, win.byReason = map[string][]*walletRef{}, map[string]*walletRef{}
	if len(in.accounts) > maxCachedWallets {
		clear(in.accounts) // a bound on memory: the next windows read theirs again
	}
	win.accounts = in.accounts
	if len(toks) == 0 {
		return nil
	}
	var ws []walletRef
	if err := in.w.Select(&ws, `SELECT wallet_id, partner_key, iban, is_iban_validated, status,
		iban_validation_code, sct_reason FROM wallets WHERE iban_validation_code `+in.w.D().InList+`
		AND NOT is_iban_validated AND iban IS NOT NULL
		UNION ALL SELECT wallet_id, partner_key, iban, is_iban_validated, status, iban_validation_code, sct_reason
		FROM wallets WHERE sct_reason `+in.w.D().InList, ledger.ListArg(toks), ledger.ListArg(toks)); err != nil {
		return err
	}
	byID := map[string]*walletRef{}
	var ids []string // wallets whose accounts are not read yet
	for i := range ws {
		wl := byID[ws[i].WalletID]
		if wl == nil {
			wl = &ws[i]
			byID[wl.WalletID] = wl
			if _, ok := win.accounts[wl.WalletID]; !ok {
				ids = append(ids, wl.WalletID)
			}
		}
		if wl.Code != nil && !wl.Validated && wl.IBAN != nil {
			k := wl.PartnerKey + "|" + *wl.Code
			if !containsWallet(win.byCode[k], wl) {
				win.byCode[k] = append(win.byCode[k], wl)
			}
		}
		if wl.Reason != nil {
			win.byReason[wl.PartnerKey+"|"+*wl.Reason] = wl
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var accts []struct {
		ID      int64  `db:"id"`
		Wallet  string `db:"wallet_id"`
		Name    string `db:"name"`
		Balance int64  `db:"balance_cents"`
	}
	if err := in.w.Select(&accts, `SELECT id, wallet_id, name, balance_cents FROM accounts
		WHERE wallet_id `+in.w.D().InList, ledger.ListArg(ids)); err != nil {
		return err
	}
	for _, a := range accts {
		wa := win.accounts[a.Wallet]
		switch a.Name {
		case ledger.BucketWithdrawable:
			wa.withdrawable, wa.balW = a.ID, a.Balance
		case ledger.BucketRestricted:
			wa.restricted, wa.balR = a.ID, a.Balance
		}
		win.accounts[a.Wallet] = wa
	}
	return nil
}

func containsWallet(ws []*walletRef, w *walletRef) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// decideWindow decides the window's units in file order, writes what they wrote and
// runs the automatic refunds they queued.
func (in *ingestion) decideWindow(sum *FileSummary) error {
	win := in.win
	if win.size() == 0 {
		return nil
	}
	if err := in.wr.nextIDs(in.w); err != nil {
		return err
	}
	if err := in.prefetch(win); err != nil {
		return fmt.Errorf("%s: %w", in.name, err)
	}
	for i := range win.units {
		if err := in.unit(&win.units[i], win.keys[i], sum); err != nil {
			return err
		}
	}
	first, last := 0, 0
	if len(win.units) > 0 {
		first, last = win.units[0].e.Position, win.units[len(win.units)-1].e.Position
	}
	if err := in.wr.flush(in.w); err != nil {
		return fmt.Errorf("%s: entries %d to %d: %w", in.name, first, last, err)
	}
	// A wallet's dates are those of the business events: the booking day of the entry
	// that validated or used it, never the day the file happened to be read. They only
	// move forward (an older file read late leaves a later date alone).
	for day, ids := range win.valid {
		if _, err := in.w.Exec(`UPDATE wallets SET is_iban_validated = TRUE, last_update_date = CASE
			WHEN last_update_date IS NULL OR last_update_date < ? THEN ? ELSE last_update_date END
			WHERE wallet_id `+in.w.D().InList, dayStamp(day), dayStamp(day), ledger.ListArg(ids)); err != nil {
			return err
		}
	}
	for day, ids := range win.used {
		if _, err := in.w.Exec(`UPDATE wallets SET last_usage_date = ? WHERE wallet_id `+in.w.D().InList+`
			AND (last_usage_date IS NULL OR last_usage_date < ?)`, dayStamp(day), ledger.ListArg(ids), dayStamp(day)); err != nil {
			return err
		}
	}
	for _, r := range win.refunds {
		if err := ledger.RefundException(in.w, r.excID, cmp.Or(in.opt.By, "settle"), r.note, r.date); err != nil {
			return err
		}
	}
	*win = window{units: win.units[:0], keys: win.keys[:0]}
	return nil
}

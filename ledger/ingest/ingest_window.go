package ingest

import (
	"cmp"
	"fmt"
	"settle"
	"settle/ledger"
	"slices"
	"strconv"
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
//
// The ids of the window's new rows are reserved exactly (ledger.ReserveIDs): its bank
// entries' before it is decided (one per unit), its transactions' and exceptions'
// after, once they are counted. Until then a transaction or an exception of the
// window is known by a stand-in id, -1 for the first, -2 for the next…, which
// numberRows replaces. So a worker alone numbers rows without gaps, on PostgreSQL as
// on SQLite, and one beside others takes only the sequence values it uses.
type writes struct {
	transactions, postings, operations, entries, exceptions, statuses insertBuffer
	entryIDs                                                          []int64
	txs, excs                                                         int64 // stand-in ids given
	txIDs, excIDs                                                     []int64
}

// opKey is an operation id made of a prefix and the id of its transaction, a stand-in
// until numberRows writes it out.
type opKey struct {
	prefix string
	tx     int64
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

// reserveEntries reserves the ids of the bank entries of a window of n units.
func (wr *writes) reserveEntries(w *ledger.Writer, n int) error {
	ids, err := ledger.ReserveIDs(w, "bank_entries", n)
	wr.entryIDs = ids
	return err
}

// entryID hands out the next reserved bank entry id: a unit makes one bank entry.
func (wr *writes) entryID() int64 {
	if len(wr.entryIDs) == 0 {
		panic("ingest: more bank entries than units in the window")
	}
	id := wr.entryIDs[0]
	wr.entryIDs = wr.entryIDs[1:]
	return id
}

// newException is the stand-in id of the window's next exception.
func (wr *writes) newException() int64 {
	wr.excs++
	return -wr.excs
}

// numberRows reserves the ids of the transactions and exceptions the window made
// and writes them over their stand-ins in the buffered rows.
func (wr *writes) numberRows(w *ledger.Writer) error {
	var err error
	if wr.txIDs, err = ledger.ReserveIDs(w, "transactions", int(wr.txs)); err != nil {
		return err
	}
	if wr.excIDs, err = ledger.ReserveIDs(w, "exceptions", int(wr.excs)); err != nil {
		return err
	}
	for _, ref := range []struct {
		b    *insertBuffer
		col  string
		real func(int64) int64
	}{
		{&wr.transactions, "id", wr.txID}, {&wr.postings, "transaction_id", wr.txID},
		{&wr.operations, "transaction_id", wr.txID}, {&wr.entries, "transaction_id", wr.txID},
		{&wr.exceptions, "id", wr.excID},
	} {
		col := slices.Index(ref.b.cols, ref.col)
		for i := col; i < len(ref.b.args); i += len(ref.b.cols) {
			switch v := ref.b.args[i].(type) {
			case int64:
				ref.b.args[i] = ref.real(v)
			case *int64:
				if v != nil {
					ref.b.args[i] = ref.real(*v)
				}
			}
		}
	}
	for i := 0; i < len(wr.operations.args); i += len(wr.operations.cols) {
		if k, ok := wr.operations.args[i].(opKey); ok {
			wr.operations.args[i] = k.prefix + strconv.FormatInt(wr.txID(k.tx), 10)
		}
	}
	return nil
}

// txID is the id a transaction of the window got, for its stand-in (numberRows).
func (wr *writes) txID(id int64) int64 {
	if id < 0 {
		return wr.txIDs[-id-1]
	}
	return id
}

// excID is the id an exception of the window got, for its stand-in (numberRows).
func (wr *writes) excID(id int64) int64 {
	if id < 0 {
		return wr.excIDs[-id-1]
	}
	return id
}

func (wr *writes) flush(w *ledger.Writer) error {
	if err := wr.numberRows(w); err != nil {
		return err
	}
	for _, b := range []*insertBuffer{&wr.transactions, &wr.postings, &wr.operations, &wr.entries, &wr.exceptions, &wr.statuses} {
		if err := b.flush(w); err != nil {
			return fmt.Errorf("%s: %w", b.table, err)
		}
	}
	return nil
}

// post buffers a transaction, with a stand-in id (see writes), and adds its postings
// to the pending balances. The ingest's keys derive from dedupe keys found new, so
// they are new too.
func (wr *writes) post(w *ledger.Writer, t *ledger.Transaction) (int64, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	wr.txs++
	id := -wr.txs
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
	if err := in.wr.reserveEntries(in.w, len(win.units)); err != nil {
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
		if err := ledger.RefundException(in.w, in.wr.excID(r.excID), cmp.Or(in.opt.By, "settle"), r.note, r.date); err != nil {
			return err
		}
	}
	*win = window{units: win.units[:0], keys: win.keys[:0]}
	in.wr.txs, in.wr.excs = 0, 0
	return nil
}

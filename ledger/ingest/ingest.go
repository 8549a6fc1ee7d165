package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"settle"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"settle/ledger"
	"settle/ledger/payments"
	"settle/sepa"
)

// Outcomes of an ingested unit: every unit of every file ends as exactly one.
const (
	OutcomePosted    = "posted"
	OutcomeException = "exception"
	OutcomeDuplicate = "duplicate"
	OutcomeRecorded  = "recorded"
)

// Outcomes lists the outcomes in the order summaries print them.
var Outcomes = []string{OutcomePosted, OutcomeException, OutcomeDuplicate, OutcomeRecorded}

// FileSummary counts what an ingested file held and what became of it, with amounts
// per currency. AmountsIn is what the file's entries say; the outcomes' amounts add
// up to it for every currency (Ingest refuses a file where they would not). Amounts
// are summed exactly as the bank wrote them, whole cents or not.
type FileSummary struct {
	File      string                             `json:"file"`
	Kind      string                             `json:"kind"`
	MessageID string                             `json:"messageId"`
	Units     int                                `json:"units"`
	Counts    map[string]int                     `json:"counts"`
	Amounts   map[string]map[string]settle.Money `json:"amounts"` // outcome → currency → amount
	AmountsIn map[string]settle.Money            `json:"amountsIn"`
	Acted     int                                `json:"statusesActedOn"` // pain.002 statuses that changed a batch of ours
	// RanAlone says that the file met another writer ingesting beside it
	// (ledger.IsContended), was rolled back and ingested again alone.
	RanAlone bool           `json:"ranAlone,omitempty"`
	batches  map[int64]bool // batches whose transactions this file settled, returned or rejected
}

func newFileSummary(file string) *FileSummary {
	return &FileSummary{File: file, Counts: map[string]int{}, Amounts: map[string]map[string]settle.Money{}, AmountsIn: map[string]settle.Money{}}
}

// in counts an amount the file says it holds.
func (s *FileSummary) in(currency string, amount decimal.Decimal) {
	s.AmountsIn[currency] = settle.Money{Decimal: s.AmountsIn[currency].Add(amount)}
}

// add counts a unit and its amount under its outcome.
func (s *FileSummary) add(outcome, currency string, amount decimal.Decimal) {
	s.Units++
	s.Counts[outcome]++
	if s.Amounts[outcome] == nil {
		s.Amounts[outcome] = map[string]settle.Money{}
	}
	s.Amounts[outcome][currency] = settle.Money{Decimal: s.Amounts[outcome][currency].Add(amount)}
}

// finish checks that amounts in equal amounts accounted for, per currency.
func (s *FileSummary) finish() error {
	accounted := map[string]decimal.Decimal{}
	for _, byCcy := range s.Amounts {
		for ccy, m := range byCcy {
			accounted[ccy] = accounted[ccy].Add(m.Decimal)
		}
	}
	for ccy, m := range s.AmountsIn {
		if !accounted[ccy].Equal(m.Decimal) {
			return settle.Errorf(settle.Internal, "%s: %s in, %s accounted for", ccy, m.String(), accounted[ccy].String())
		}
	}
	for ccy := range accounted {
		if _, ok := s.AmountsIn[ccy]; !ok {
			return settle.Errorf(settle.Internal, "%s accounted for but not in the file", ccy)
		}
	}
	return nil
}

// Line is the summary as one line: counts and amounts per outcome.
func (s *FileSummary) Line() string {
	var parts []string
	for _, o := range Outcomes {
		if s.Counts[o] == 0 {
			continue
		}
		var amts []string
		ccys := make([]string, 0, len(s.Amounts[o]))
		for c := range s.Amounts[o] {
			ccys = append(ccys, c)
		}
		sort.Strings(ccys)
		for _, c := range ccys {
			amts = append(amts, s.Amounts[o][c].Text()+" "+c)
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", s.Counts[o], o, strings.Join(amts, ", ")))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%s: nothing in it", s.File)
	}
	return fmt.Sprintf("%s: %s", s.File, strings.Join(parts, ", "))
}

// IngestOptions tune an ingest.
type IngestOptions struct {
	SHA256     string   // of the file's bytes (the caller hashes while it reads or before)
	Size       int64    // bytes
	JobRunID   int64    // the run that ingests it
	AutoRefund []string // exception reasons refunded at once (config autoRefundReasons)
	MaxBytes   int64    // refuse larger files
	By         string   // who ingests (journaled on automatic refunds)
	DryRun     bool     // read and decide everything, then roll back
	// Day is the ingest's business day: statuses act on it, and an entry with neither
	// a booking nor a value date is booked on it.
	Day settle.Day
	// Window is how many units are decided together (default 512); any size decides
	// the same way (a test runs windows of 1, 2 and 3).
	Window int
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ErrDuplicateFile is returned when a file with the same sha256 was ingested before.
var ErrDuplicateFile = errors.New("this file was ingested before (same sha256)")

// IngestBank ingests one bank file atomically: every unit is posted, made an
// exception, found a duplicate, or recorded, all in one write transaction that
// commits only once the whole file has been read and found well-formed. A reader
// error (truncated or malformed file) returns a *sepa.ParseError and leaves nothing.
//
// A camt.052, camt.053 or camt.054 read from a file (r is an io.Seeker) is ingested
// beside other writers on PostgreSQL (ledger.Store.WriteShared), claiming the
// partners whose accounts it names: workers on several hosts ingest different
// partners' files at once. If that meets another writer (ledger.IsContended), the
// file is read again and ingested alone.
func IngestBank(ctx context.Context, s *ledger.Store, name string, r io.Reader, opt IngestOptions) (*FileSummary, error) {
	if opt.Day.IsZero() {
		return nil, settle.Errorf(settle.Internal, "ingest %s: no business day given", name)
	}
	rd, err := sepa.NewReader(r, name, sepa.Options{MaxBytes: opt.MaxBytes})
	if err != nil {
		return nil, err
	}
	seeker, rereadable := r.(io.Seeker)
	switch rd.Document().Kind {
	case sepa.Camt052, sepa.Camt053, sepa.Camt054:
	default:
		rereadable = false // statuses and transfers act on batches of any partner
	}
	if opt.DryRun {
		rereadable = false // alone: a rolled-back shared writer would leave gaps in the ids
	}
	sum := newFileSummary(name)
	err = ingestWith(ctx, s, rd, opt, rereadable, sum)
	if rereadable && ledger.IsContended(err) {
		if _, serr := seeker.Seek(0, io.SeekStart); serr != nil {
			return nil, errors.Join(err, serr)
		}
		if rd, err = sepa.NewReader(r, name, sepa.Options{MaxBytes: opt.MaxBytes}); err != nil {
			return nil, err
		}
		sum = newFileSummary(name)
		sum.RanAlone = true
		err = ingestWith(ctx, s, rd, opt, false, sum)
	}
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return sum, nil
}

// ingestWith ingests what rd reads in one write transaction, shared or exclusive,
// counting in sum.
func ingestWith(ctx context.Context, s *ledger.Store, rd *sepa.Reader, opt IngestOptions, shared bool, sum *FileSummary) error {
	write := s.Write
	if shared {
		write = s.WriteShared
	}
	name := sum.File
	return write(ctx, func(w *ledger.Writer) error {
		in, err := newIngestion(w, name, rd.Document().Kind, opt)
		if err != nil {
			return err
		}
		items, stop := readAhead(rd)
		defer stop()
		for batch := range items {
			for _, item := range batch.items {
				if err := in.item(item, sum); err != nil {
					return err
				}
			}
			if batch.err != nil {
				return batch.err
			}
		}
		if err := in.decideWindow(sum); err != nil {
			return err
		}
		if err := settleOurs(w, in.fileID, opt.Day, sum); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if sum.Acted, err = applyStatuses(w, in.fileID, opt.Day, sum); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := payments.RefreshBatches(w, sum.batches, opt.Day); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sum.Kind, sum.MessageID = rd.Document().Kind, rd.Document().MessageID
		if err := sum.finish(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := in.close(sum); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
}

// readBatch is what the reader read ahead: items, then the error that stopped it
// (nil at the end of the file).
type readBatch struct {
	items []any
	err   error
}

// readAhead reads the file in its own goroutine, so that parsing the next entries
// overlaps deciding and writing the last ones. stop ends the goroutine early.
func readAhead(rd *sepa.Reader) (<-chan readBatch, func()) {
	const batchItems = 256
	out, done := make(chan readBatch, 4), make(chan struct{})
	go func() {
		defer close(out)
		items := make([]any, 0, batchItems)
		for {
			item, err := rd.Next()
			if err == nil {
				items = append(items, item)
			}
			last := err != nil
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if !last && len(items) < batchItems {
				continue
			}
			select {
			case out <- readBatch{items, err}:
			case <-done:
				return
			}
			if last {
				return
			}
			items = make([]any, 0, batchItems)
		}
	}()
	return out, func() { close(done) }
}

// FileIngested tells whether a file with this sha256 was ingested before.
func FileIngested(ctx context.Context, s *ledger.Store, sha string) (bool, error) {
	var n int
	err := s.R.GetContext(ctx, &n, `SELECT COUNT(*) FROM input_files WHERE sha256 = ?`, sha)
	return n > 0, err
}

// RecordInputFile notes a file ingested by other means (a CSV feed), so that sending
// it again is recognised as a duplicate.
func RecordInputFile(ctx context.Context, s *ledger.Store, name, kind, sha string, size, runID int64, units int) error {
	return s.Write(ctx, func(w *ledger.Writer) error {
		_, err := w.Exec(`INSERT INTO input_files (sha256, name, kind, size_bytes, job_run_id, units, posted, ingested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, sha, name, kind, size, ledger.NullableID(runID), units, units, w.NowText())
		return err
	})
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func summaryJSON(s *FileSummary) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// StartAttempt notes that this process starts on the inbox file with this sha256 and
// returns how many earlier attempts on it never finished (their process died). Like
// FinishAttempt it writes beside the writer lock (ledger.Store.LeaseTx): a worker
// notes its next file while another worker's file is being ingested. The caller
// holds the file's claim, so no other worker writes its row.
func StartAttempt(ctx context.Context, s *ledger.Store, sha, name, holder string) (unfinished int, err error) {
	err = s.LeaseTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &unfinished, `SELECT attempts FROM inbox_attempts WHERE sha256 = ?`, sha); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO inbox_attempts (sha256, name, attempts, last_at, holder) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (sha256) DO UPDATE SET attempts = inbox_attempts.attempts + 1, name = excluded.name, last_at = excluded.last_at,
			holder = excluded.holder`, sha, name, s.NowText(), holder)
		return err
	})
	return unfinished, err
}

// FinishAttempt notes that the inbox file with this sha256 was dealt with (ingested,
// a duplicate or rejected).
func FinishAttempt(ctx context.Context, s *ledger.Store, sha string) error {
	return s.LeaseTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM inbox_attempts WHERE sha256 = ?`, sha)
		return err
	})
}

// touchBatch notes that a transaction of batch id changed status in this file, so
// that payments.RefreshBatches brings the batch's outcome up to date before the commit.
func (s *FileSummary) touchBatch(id *int64) {
	if id == nil {
		return
	}
	if s.batches == nil {
		s.batches = map[int64]bool{}
	}
	s.batches[*id] = true
}

package feeds

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"settle"
	"settle/ledger"
	"sort"
	"strings"
	"time"

	"github.com/gocarina/gocsv"
)

// RowError is one rejected row of an imported file.
type RowError struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Field string `json:"field"`
	Err   string `json:"error"`
}

func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Err)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Kind      string     `json:"kind"`
	File      string     `json:"file"`
	Rows      int        `json:"rows"`
	Imported  int        `json:"imported"`  // rows that added or changed something
	Unchanged int        `json:"unchanged"` // rows of requests or operations imported before: nothing to do
	Rejected  int        `json:"rejected"`
	Errors    []RowError `json:"errors"`
}

// ImportOptions tune an import. Zero values are sensible.
type ImportOptions struct {
	ChunkSize int            // rows per committed transaction (default 5,000)
	Progress  func(rows int) // called after each chunk with the rows it held
	Stop      func() bool    // asked between chunks; true ends the import after the last commit
	MaxErrors int            // row errors kept in the result (default 1,000); all are counted
	Location  *time.Location // the configured zone: an operation time's date is taken there (default UTC)
	// Day is the business day of the import (the job's day): a top-up or withdrawal
	// with no requested date is asked on it, and a mandate may not be signed after it.
	Day settle.Day
}

// ImportKinds lists the kinds of reference data Import takes.
var ImportKinds = []string{"partners", "dealers", "stores", "wallets", "mandates", "topups", "withdrawals", "fees", "operations"}

// ErrStopped is returned when ImportOptions.Stop ended an import between chunks.
var ErrStopped = errors.New("stopped between chunks; rerun to resume")

// Import reads a CSV of the given kind and upserts its rows in chunks, each chunk one
// transaction. A bad row is reported with its line and field and skipped; the good
// rows land. Upserts make a rerun after an interruption complete the work.
func Import(ctx context.Context, s *ledger.Store, kind, file string, r io.Reader, opt ImportOptions) (ImportResult, error) {
	switch kind {
	case "partners":
		return importRows(ctx, s, kind, file, r, opt, upsertPartnerRow)
	case "dealers":
		return importRows(ctx, s, kind, file, r, opt, upsertDealerRow)
	case "stores":
		return importRows(ctx, s, kind, file, r, opt, upsertStoreRow)
	case "wallets":
		return importRows(ctx, s, kind, file, r, opt, upsertWalletRow)
	case "mandates":
		return importRows(ctx, s, kind, file, r, opt, upsertMandateRow)
	case "topups":
		return importRows(ctx, s, kind, file, r, opt, upsertTopUpRow)
	case "withdrawals":
		return importRows(ctx, s, kind, file, r, opt, upsertWithdrawalRow)
	case "fees":
		return importRows(ctx, s, kind, file, r, opt, upsertFeeRow)
	case "operations":
		return importRows(ctx, s, kind, file, r, opt, upsertOperationRow)
	}
	return ImportResult{}, settle.FieldError("kind", "%q is not one of %s", kind, strings.Join(ImportKinds, ", "))
}

type lineRow[R any] struct {
	line int
	row  R
}

func importRows[R any](ctx context.Context, s *ledger.Store, kind, file string, r io.Reader, opt ImportOptions,
	upsert func(*ledger.Writer, *refCache, *R) error) (ImportResult, error) {
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = 5000
	}
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 1000
	}
	res := ImportResult{Kind: kind, File: file}
	r, err := utf8Text(r)
	if err != nil {
		return res, settle.FieldError("encoding", "%s: %v", file, err)
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	um, err := gocsv.NewUnmarshaller(cr, new(R))
	if err != nil {
		return res, settle.FieldError("header", "%s: %v", file, err)
	}
	if missing := missingHeaders[R](um.Headers); len(missing) > 0 {
		return res, settle.FieldError("header", "%s: missing column(s) %s", file, strings.Join(missing, ", "))
	}
	reject := func(line int, err error) {
		res.Rejected++
		re := RowError{File: file, Line: line, Err: err.Error()}
		var e *settle.Error
		if errors.As(err, &e) {
			re.Field, re.Err = e.Field, e.Message
		}
		if len(res.Errors) < opt.MaxErrors {
			res.Errors = append(res.Errors, re)
		}
	}
	refs := newRefCache()
	refs.loc, refs.day = opt.Location, opt.Day
	chunk := make([]lineRow[R], 0, opt.ChunkSize)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		var rejected []lineRow[error]
		unchanged := 0
		err := s.Write(ctx, func(w *ledger.Writer) error {
			rejected, unchanged = rejected[:0], 0
			for i := range chunk {
				err := w.Try(func() error { return upsert(w, refs, &chunk[i].row) })
				if errors.Is(err, errUnchanged) {
					unchanged++
					continue
				}
				if err != nil {
					if settle.CodeOf(err) == settle.Internal {
						return fmt.Errorf("%s:%d: %w", file, chunk[i].line, err)
					}
					rejected = append(rejected, lineRow[error]{chunk[i].line, err})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, rj := range rejected {
			reject(rj.line, rj.row)
		}
		res.Imported += len(chunk) - len(rejected) - unchanged
		res.Unchanged += unchanged
		if opt.Progress != nil {
			opt.Progress(len(chunk))
		}
		chunk = chunk[:0]
		return nil
	}
	for {
		v, err := um.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A malformed row (a stray quote, a wrong number of fields) is that row's
			// rejection; the reader goes on at the next line.
			var pe *csv.ParseError
			if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrFieldCount) || errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote)) {
				res.Rows++
				reject(pe.Line, pe.Err)
				continue
			}
			if ferr := flush(); ferr != nil {
				return res, ferr
			}
			return res, settle.FieldError("csv", "%s: %v", file, err)
		}
		line, _ := cr.FieldPos(0) // only valid after a successful read
		res.Rows++
		chunk = append(chunk, lineRow[R]{line, *v.(*R)})
		if len(chunk) == opt.ChunkSize {
			if err := flush(); err != nil {
				return res, err
			}
			if opt.Stop != nil && opt.Stop() {
				return res, ErrStopped
			}
		}
	}
	return res, flush()
}

// errUnchanged is an upsert's answer for a row that was imported before and has
// nothing left to do (a request or an operation is imported once): counted as
// unchanged, not imported.
var errUnchanged = errors.New("imported before")

// unchangedIf is errUnchanged when a row exists, else err.
func unchangedIf(exists bool, err error) error {
	if err == nil && exists {
		return errUnchanged
	}
	return err
}

// utf8Text skips the UTF-8 byte order mark Excel writes and refuses UTF-16 (which
// Excel's "Unicode text" writes) with a reason a person can act on.
func utf8Text(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case IsUTF16(head):
		return nil, errors.New("the file is UTF-16 text: save it as CSV UTF-8")
	}
	return br, nil
}

// IsUTF16 tells UTF-16 text by its byte order mark, or by a zero byte among the
// first two (ASCII in UTF-16 without a mark).
func IsUTF16(head []byte) bool {
	return bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) ||
		(len(head) >= 2 && (head[0] == 0 || head[1] == 0))
}

// KindOfHeader tells which import kind a CSV header row is: the one whose columns
// are exactly those of the header, in any order.
func KindOfHeader(header []string) (string, bool) {
	have := map[string]bool{}
	for _, h := range header {
		have[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = true
	}
	for kind, cols := range map[string][]string{"partners": CSVHeaders[ledger.PartnerRow](), "dealers": CSVHeaders[ledger.DealerRow](),
		"stores": CSVHeaders[ledger.StoreRow](), "wallets": CSVHeaders[ledger.WalletRow](), "mandates": CSVHeaders[ledger.MandateRow](),
		"topups": CSVHeaders[ledger.TopUpRow](), "withdrawals": CSVHeaders[ledger.WithdrawalRow](), "fees": CSVHeaders[FeeRow](),
		"operations": CSVHeaders[OperationRow]()} {
		if len(cols) != len(have) {
			continue
		}
		all := true
		for _, c := range cols {
			all = all && have[c]
		}
		if all {
			return kind, true
		}
	}
	return "", false
}

// missingHeaders lists the csv tags of R that the file's header lacks.
func missingHeaders[R any](headers []string) []string {
	have := map[string]bool{}
	for _, h := range headers {
		have[strings.TrimSpace(h)] = true
	}
	var missing []string
	for _, h := range CSVHeaders[R]() {
		if !have[h] {
			missing = append(missing, h)
		}
	}
	sort.Strings(missing)
	return missing
}

package jobs

import (
	"context"
	"os"
	"path/filepath"
	"settle"
	"strings"
	"syscall"
	"testing"

	"settle/gen"
	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ingest"
)

// worldInbox generates a world with bank files into the runner's inbox.
func worldInbox(t *testing.T, r *Runner, wallets, entries int) []gen.File {
	t.Helper()
	files, err := gen.Generate(r.Dirs.Inbox, gen.Options{Wallets: wallets, Entries: entries}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func ls(t *testing.T, dir string) []string {
	des, _ := os.ReadDir(dir)
	var names []string
	for _, d := range des {
		if !d.IsDir() {
			names = append(names, d.Name())
		}
	}
	return names
}

func TestIngestInbox(t *testing.T) {
	r, s := testRunner(t)
	r.Dirs.Inbox = filepath.Join(t.TempDir(), "inbox")
	files := worldInbox(t, r, 600, 900)
	camt054, _ := os.ReadFile(mustFind(t, files, "camt.054").Path)
	in := r.Dirs.Inbox
	os.WriteFile(filepath.Join(in, "resent-copy.xml"), camt054, 0o644)                       // same bytes: a duplicate file
	os.WriteFile(filepath.Join(in, "cut.xml"), camt054[:len(camt054)/2], 0o644)              // truncated
	os.WriteFile(filepath.Join(in, "notes.txt"), []byte("call the bank on Monday\n"), 0o644) // neither
	ctx := context.Background()

	// A dry run decides every file against the database as it is, and commits and
	// moves nothing: the feeds are not imported, so no entry finds its wallet yet.
	dry, err := r.Run(ctx, "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20"), DryRun: true})
	if err != nil || dry.Counts["files"] != 3 || dry.Counts[ingest.OutcomePosted] != 0 || len(ls(t, in)) != 12 {
		t.Fatalf("dry run: %+v %v; inbox %v", dry, err, ls(t, in))
	}
	if v, _ := s.Verify(ctx, 1); v.Transactions != 0 {
		t.Fatalf("the dry run committed %d transactions", v.Transactions)
	}

	res, err := r.Run(ctx, "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil {
		t.Fatal(err)
	}
	// Every generated feed row lands: withdrawals draw on what the bank files credited before them.
	if res.Status != StatusPartial || res.Counts["feeds"] != 7 || res.Counts["feedRowsRejected"] != 0 || res.Counts["files"] != 2 ||
		res.Counts["duplicateFiles"] != 1 || res.Counts["rejectedFiles"] != 2 {
		t.Fatalf("%s %s %v", res.Status, res.Line, res.Counts)
	}
	// The statement (read after the notification) repeats its bookings: all its units are duplicates.
	if res.Counts[ingest.OutcomeDuplicate] < 800 || res.Counts[ingest.OutcomePosted] < 400 || res.Counts[ingest.OutcomeException] < 50 {
		t.Fatalf("units: %v", res.Counts)
	}
	if left := ls(t, in); len(left) != 0 {
		t.Fatalf("left in the inbox: %v", left)
	}
	rejected := ls(t, filepath.Join(in, "rejected"))
	if strings.Join(rejected, ",") != "cut.xml,cut.xml.reason,notes.txt,notes.txt.reason" {
		t.Fatalf("rejected/: %v", rejected)
	}
	reason, _ := os.ReadFile(filepath.Join(in, "rejected", "cut.xml.reason"))
	if !strings.Contains(string(reason), "cut.xml") || !strings.Contains(string(reason), "truncated") {
		t.Fatalf("reason: %s", reason)
	}
	if n := len(ls(t, filepath.Join(in, "processed"))); n != 10 {
		t.Fatalf("%d processed files", n)
	}
	v, _ := s.Verify(ctx, 5)
	if v.Count != 0 || v.Transactions < 400 {
		t.Fatalf("verify %+v", v)
	}
	if s.D == ledger.Postgres {
		// The planner knows the rows the run wrote (it plans the API's reads on them).
		var known, counted int64
		s.R.Get(&known, `SELECT reltuples::bigint FROM pg_class WHERE relname = 'postings'`)
		s.R.Get(&counted, `SELECT COUNT(*) FROM postings`)
		if known != counted {
			t.Errorf("the planner believes postings holds %d rows; it holds %d", known, counted)
		}
	}
	// A second run finds nothing to do.
	again, err := r.Run(ctx, "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil || !again.OK() || again.Counts["files"] != 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}
	// The same notification sent again later is a duplicate file, moved aside.
	os.WriteFile(filepath.Join(in, "again.xml"), camt054, 0o644)
	again, _ = r.Run(ctx, "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if again.Counts["duplicateFiles"] != 1 || len(ls(t, in)) != 0 {
		t.Fatalf("resent: %v", again.Counts)
	}
}

func mustFind(t *testing.T, files []gen.File, kind string) gen.File {
	t.Helper()
	f, ok := gen.Find(files, kind)
	if !ok {
		t.Fatalf("no %s", kind)
	}
	return f
}

// Regression: one bad file stopped all ingestion, on every run: a CSV row with a
// stray quote panicked, a zero-amount entry failed as internal, a 250-character
// name could not get its .reason, a file named "processed" broke the move. Each is
// quarantined or handled, and the good bank file after them is ingested.
func TestBadFilesNeverBlockTheInbox(t *testing.T) {
	r, s := testRunner(t)
	r.Dirs.Inbox = filepath.Join(t.TempDir(), "inbox")
	files := worldInbox(t, r, 50, 40)
	in := r.Dirs.Inbox
	long := strings.Repeat("è", 120) + ".xml" // 244 bytes
	os.WriteFile(filepath.Join(in, long), []byte("<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.08'><Bk"), 0o644)
	os.WriteFile(filepath.Join(in, "processed"), []byte("not a folder\n"), 0o644)
	mandates, _ := os.ReadFile(mustFind(t, files, "mandates").Path)
	os.WriteFile(filepath.Join(in, "stray.csv"), append(mandates, []byte(`"M-X"x,w,n,IT27X0300203280335719971372,,2026-01-15,Active,`+"\n")...), 0o644)
	camt, _ := os.ReadFile(mustFind(t, files, "camt.054").Path)
	zero := strings.Replace(string(camt), "<MsgId>", "<MsgId>Z", 1)
	zero = strings.Replace(zero, `<Amt Ccy="EUR">`, `<Amt Ccy="EUR">0.00</Amt><!--`, 1)
	zero = strings.Replace(zero, `</Amt><CdtDbtInd>`, `--><CdtDbtInd>`, 1)
	zero = strings.Replace(zero, `<AcctSvcrRef>`, `<AcctSvcrRef>Z`, 1) // a new entry, not a duplicate
	os.WriteFile(filepath.Join(in, "zero.xml"), []byte(zero), 0o644)

	res, err := r.Run(context.Background(), "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	if left := ls(t, in); len(left) != 0 {
		t.Fatalf("left in the inbox: %v", left)
	}
	// The file named "processed" was renamed aside and, being no feed or bank file, rejected.
	rejected := ls(t, filepath.Join(in, "rejected"))
	if len(rejected) != 4 || rejected[0] != "processed.file" || !strings.HasSuffix(rejected[3], ".reason") || len(rejected[3]) > 255 {
		t.Fatalf("rejected %v", rejected)
	}
	reason, _ := os.ReadFile(filepath.Join(in, "rejected", rejected[3]))
	if !strings.Contains(string(reason), "original name: "+long) {
		t.Fatalf("reason %q", reason)
	}
	if res.Counts["files"] != 3 || res.Counts["feedRowsRejected"] != 1 || res.Counts["rejectedFiles"] != 2 {
		t.Fatalf("%s %v", res.Line, res.Counts)
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM exceptions WHERE reason = 'AMOUNT_OUT_OF_RANGE'`)
	if n != 1 {
		t.Fatalf("%d AMOUNT_OUT_OF_RANGE exceptions", n)
	}
	if v, err := s.Verify(context.Background(), 5); err != nil || v.Count != 0 {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

// Regression (issue 14): maxFileBytes was applied to bank files only.
func TestMaxFileBytesAppliesToEveryInboxFile(t *testing.T) {
	r, _ := testRunner(t)
	r.Dirs.Inbox = filepath.Join(t.TempDir(), "inbox")
	files := worldInbox(t, r, 50, 40)
	mandates := mustFind(t, files, "mandates")
	st, err := os.Stat(mandates.Path)
	if err != nil {
		t.Fatal(err)
	}
	r.Config.MaxFileBytes = st.Size() - 1
	res, err := r.Run(context.Background(), "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	reason, err := os.ReadFile(filepath.Join(r.Dirs.Inbox, "rejected", filepath.Base(mandates.Path)+".reason"))
	if err != nil || !strings.Contains(string(reason), "over maxFileBytes") {
		t.Fatalf("reason %q %v; rejected: %v", reason, err, ls(t, filepath.Join(r.Dirs.Inbox, "rejected")))
	}
	if res.Counts["rejectedFiles"] < 1 || res.Status != StatusPartial {
		t.Fatalf("%s %v", res.Line, res.Counts)
	}
}

// A file that killed the process twice is quarantined on the next run instead of
// killing it a third time; the attempts of files dealt with are not kept.
func TestAFileThatKilledTheProcessTwiceIsQuarantined(t *testing.T) {
	r, s := testRunner(t)
	r.Dirs.Inbox = filepath.Join(t.TempDir(), "inbox")
	files := worldInbox(t, r, 50, 40)
	camt := mustFind(t, files, "camt.054")
	sha, _, err := hashFile(camt.Path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 2; i++ { // two runs that died inside the file
		if _, err := ingest.StartAttempt(ctx, s, sha, camt.Path, "a run that died"); err != nil {
			t.Fatal(err)
		}
	}
	res, err := r.Run(ctx, "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil || res.Counts["rejectedFiles"] != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	reason, _ := os.ReadFile(filepath.Join(r.Dirs.Inbox, "rejected", filepath.Base(camt.Path)+".reason"))
	if !strings.Contains(string(reason), "died 2 times while handling this file") {
		t.Fatalf("reason %q", reason)
	}
	var left int
	s.R.Get(&left, `SELECT COUNT(*) FROM inbox_attempts`)
	if left != 0 {
		t.Fatalf("%d attempts kept after the run", left)
	}
	// Moved back by an operator, it is tried again.
	os.Rename(filepath.Join(r.Dirs.Inbox, "rejected", filepath.Base(camt.Path)), camt.Path)
	if res, err := r.Run(ctx, "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err != nil || res.Counts["files"] != 1 {
		t.Fatalf("%+v %v", res, err)
	}
}

// Regression (issue 14): symbolic links were skipped without a word, a CSV saved by
// Excel with a byte order mark was told "missing column", a UTF-16 one got a byte
// dump as its reason.
func TestLinksPipesBOMsAndUTF16(t *testing.T) {
	r, s := testRunner(t)
	r.Dirs.Inbox = filepath.Join(t.TempDir(), "inbox")
	files := worldInbox(t, r, 50, 40)
	in := r.Dirs.Inbox
	outside := filepath.Join(t.TempDir(), "secret.xml")
	os.WriteFile(outside, []byte("<x/>"), 0o644)
	if err := os.Symlink(outside, filepath.Join(in, "link.xml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(in, "pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	wallets := mustFind(t, files, "wallets")
	body, _ := os.ReadFile(wallets.Path)
	os.WriteFile(wallets.Path, append([]byte("\xef\xbb\xbf"), body...), 0o644)
	utf16 := []byte{0xff, 0xfe}
	for _, c := range "dealerKey,partnerKey,name\n" {
		utf16 = append(utf16, byte(c), 0)
	}
	os.WriteFile(filepath.Join(in, "excel.csv"), utf16, 0o644)

	res, err := r.Run(context.Background(), "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	if left := ls(t, in); len(left) != 0 {
		t.Fatalf("left in the inbox: %v", left)
	}
	rejected := filepath.Join(in, "rejected")
	for name, want := range map[string]string{"link.xml": "not a regular file", "pipe.csv": "not a regular file", "excel.csv": "UTF-16"} {
		reason, err := os.ReadFile(filepath.Join(rejected, name+".reason"))
		if err != nil || !strings.Contains(string(reason), want) || strings.Contains(string(reason), `\x00`) {
			t.Errorf("%s: reason %q %v; want %q", name, reason, err, want)
		}
	}
	if got, _ := os.ReadFile(outside); string(got) != "<x/>" {
		t.Fatalf("the link's target changed: %q", got)
	}
	var n int
	s.R.Get(&n, `SELECT COUNT(*) FROM wallets`)
	if n != 50 || res.Counts["rejectedFiles"] != 3 {
		t.Fatalf("%d wallets imported from the file with a BOM; %s", n, res.Line)
	}
}

// Regression (found by the crash harness): a feed whose chunks committed before a
// kill was recorded with 0 units by the rerun, which found its rows unchanged.
func TestAFeedResumedAfterACrashKeepsItsUnits(t *testing.T) {
	r, s := testRunner(t)
	r.Dirs.Inbox = filepath.Join(t.TempDir(), "inbox")
	files := worldInbox(t, r, 50, 0)
	// The reference feeds first, then the top-ups feed's rows committed by a run that
	// died before it recorded the file.
	for _, kind := range []string{"partners", "dealers", "stores", "wallets", "mandates", "topups"} {
		f, err := os.Open(mustFind(t, files, kind).Path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = feeds.Import(context.Background(), s, kind, f.Name(), f, feeds.ImportOptions{Day: settle.MustParseDay("2026-11-20")})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Run(context.Background(), "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err != nil {
		t.Fatal(err)
	}
	var units, rows int
	s.R.Get(&units, `SELECT units FROM input_files WHERE kind = 'csv:topups'`)
	s.R.Get(&rows, `SELECT COUNT(*) FROM direct_debits`)
	if units == 0 || units != rows {
		t.Fatalf("the top-ups feed was recorded with %d units; it holds %d rows", units, rows)
	}
}

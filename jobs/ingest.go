package jobs

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"settle"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"settle/ledger"
	"settle/ledger/feeds"
	"settle/ledger/ingest"
	"settle/sepa"
)

// IngestJob takes everything in the inbox: bank files (recognised by their
// namespace) and CSV feeds (recognised by their header row), each once by sha256.
// Ingested and duplicate files move to inbox/processed/; unreadable ones to
// inbox/rejected/ with a .reason file beside them, after the rest are done.
func IngestJob() Job {
	return Job{Name: "ingest", Description: "ingest the inbox: bank files and CSV feeds", Run: runIngest, Workers: true}
}

// inboxFiles lists the files waiting in the inbox, by name: regular files, and apart
// the entries that are neither files nor folders (symbolic links, named pipes), which
// the ingest moves aside unread.
func inboxFiles(dir string) (names, odd []string, err error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, de := range des {
		n := de.Name()
		switch {
		case strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".reason") || strings.HasSuffix(n, ".tmp") || de.IsDir():
		case de.Type().IsRegular():
			names = append(names, n)
		default:
			odd = append(odd, n)
		}
	}
	sort.Strings(names)
	return names, odd, nil
}

// ingestTally adds up the files of one run.
type ingestTally struct {
	sum     Summary
	amounts map[string]settle.Money // "outcome currency" → amount, exact
}

func runIngest(ctx context.Context, env *Env) (Summary, error) {
	t := &ingestTally{sum: Summary{Counts: map[string]int64{}}, amounts: map[string]settle.Money{}}
	if err := freeSubdirs(env); err != nil {
		return t.sum, err
	}
	if err := removeOrphanTemps(filepath.Join(env.Dirs.Inbox, "rejected"), env); err != nil {
		return t.sum, err
	}
	names, odd, err := inboxFiles(env.Dirs.Inbox)
	if err != nil {
		return t.sum, err
	}
	for _, name := range odd {
		// A link could lead out of the inbox and a pipe would block the reader: neither is read.
		path := filepath.Join(env.Dirs.Inbox, name)
		if err := t.reject(env, path, fmt.Errorf("%s: not a regular file (a symbolic link, a pipe or a device): settle reads only files put in the inbox itself", path)); err != nil {
			return t.finish(env), err
		}
	}
	// Reference feeds first, in the order they depend on each other, then bank files,
	// then the payment requests (a withdrawal draws on money the bank files credit),
	// then the stores' operations, priced by the fee schedule.
	order := map[string]int{"partners": 0, "dealers": 1, "stores": 2, "wallets": 3, "mandates": 4, "fees": 5, "xml": 6, "topups": 7,
		"withdrawals": 8, "operations": 9}
	// A day's statement (camt.053) comes after its notifications: its entries are then
	// the ones already notified, and the reconciliation compares the two.
	type inboxFile struct {
		path, kind string
		err        error
		rank       int
	}
	var files []inboxFile
	for _, name := range names {
		path := filepath.Join(env.Dirs.Inbox, name)
		kind, statement, err := sniffFile(path)
		rank := 2 * order[kind]
		if statement {
			rank++
		}
		files = append(files, inboxFile{path, kind, err, rank})
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].rank < files[j].rank })
	var others []inboxFile // files another worker had claimed, in rank order (claims.go)
	// waitOthers waits for the files of others ranked before rank (all of them for -1)
	// to leave the inbox, finishing those whose worker died.
	waitOthers := func(rank int) error {
		for len(others) > 0 && (rank < 0 || others[0].rank < rank) {
			o := others[0]
			others = others[1:]
			l, mine, err := waitGone(ctx, env, o.path)
			if err != nil {
				return err
			}
			if mine {
				if err := t.claimed(env, o.path, o.kind, o.err, l); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, f := range files {
		if ctx.Err() != nil {
			return t.finish(env), ctx.Err() // stop between files; each file is one unit
		}
		if err := waitOthers(f.rank); err != nil {
			return t.finish(env), err
		}
		l, held, err := claim(env, claimPrefix+filepath.Base(f.path))
		if err != nil {
			return t.finish(env), err
		}
		if held {
			others = append(others, f)
			continue
		}
		if err := t.claimed(env, f.path, f.kind, f.err, l); err != nil {
			return t.finish(env), err
		}
	}
	if err := waitOthers(-1); err != nil {
		return t.finish(env), err
	}
	if !env.DryRun && t.sum.Counts["files"]+t.sum.Counts["feeds"] > 0 {
		// The files are in; statistics that could not be refreshed slow reads, lose nothing.
		if err := env.Store.RefreshStatistics(env.Work, ledger.IngestTables...); err != nil {
			env.Log.Warn("planner statistics not refreshed", "err", err)
		}
	}
	return t.finish(env), nil
}

// claimed handles an inbox file this worker has claimed, then gives the claim up.
// A file gone meanwhile was finished by another worker.
func (t *ingestTally) claimed(env *Env, path, kind string, sniffErr error, l Lease) error {
	defer l.Release(env.Work, env.Store)
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if sniffErr != nil {
		return t.reject(env, path, sniffErr)
	}
	return t.fileSafely(env, path, kind)
}

func sniffFile(path string) (kind string, statement bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	return sniff(f)
}

// fileSafely is file, with every failure specific to the file (a panic while
// handling it, a value the ledger refuses) turned into the file's rejection, so
// that the files after it are processed. Only a failure of the system itself (the
// database, the disk) is returned and stops the job.
func (t *ingestTally) fileSafely(env *Env, path, kind string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			env.Log.Error("panic while handling a file", "file", path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = t.reject(env, path, fmt.Errorf("settle failed on this file (%v): it is kept here for a developer; the rest of the inbox was processed", p))
		}
	}()
	err = t.file(env, path, kind)
	if err != nil && fileSpecific(err) {
		return t.reject(env, path, err)
	}
	return err
}

// fileSpecific tells whether err is about the file's content (invalid, naming
// what does not exist, conflicting) rather than a failure of the system.
func fileSpecific(err error) bool {
	switch settle.CodeOf(err) {
	case settle.Invalid, settle.NotFound, settle.Conflict:
		return true
	}
	return false
}

// freeSubdirs makes room for inbox/processed and inbox/rejected when a file holds
// one of those names: the file is renamed aside (and then read like any other).
func freeSubdirs(env *Env) error {
	if env.DryRun {
		return nil
	}
	for _, sub := range []string{"processed", "rejected"} {
		p := filepath.Join(env.Dirs.Inbox, sub)
		if st, err := os.Lstat(p); err == nil && !st.IsDir() {
			aside := p + ".file"
			for i := 2; ; i++ {
				if _, err := os.Lstat(aside); errors.Is(err, os.ErrNotExist) {
					break
				}
				aside = fmt.Sprintf("%s.file.%d", p, i)
			}
			env.Log.Warn("a file had the name of an inbox folder: renamed aside", "file", p, "to", aside)
			if err := os.Rename(p, aside); err != nil {
				return err
			}
		}
	}
	return nil
}

// file ingests one inbox file of a known kind; only an internal failure is returned.
func (t *ingestTally) file(env *Env, path, kind string) (err error) {
	if st, err := os.Stat(path); err != nil {
		return err
	} else if st.Size() > env.Config.MaxFileBytes {
		return t.reject(env, path, fmt.Errorf("%s: %d bytes, over maxFileBytes (%d)", path, st.Size(), env.Config.MaxFileBytes))
	}
	sha, size, err := hashFile(path)
	if err != nil {
		return err
	}
	// The same content under another name may be in another worker's hands: wait for it.
	content, err := claimWait(env.Work, env, "content:"+sha)
	if err != nil {
		return err
	}
	defer content.Release(env.Work, env.Store)
	seen, err := ingest.FileIngested(env.Work, env.Store, sha)
	if err != nil {
		return err
	}
	if seen {
		t.sum.Counts["duplicateFiles"]++
		env.Log.Info("duplicate file: ingested before", "file", path, "sha256", sha)
		return t.move(env, path, "processed", "")
	}
	if !env.DryRun {
		// A file whose handling killed the process twice is not tried a third time.
		died, err := ingest.StartAttempt(env.Work, env.Store, sha, path, fmt.Sprintf("run %d", env.RunID))
		if err != nil {
			return err
		}
		defer func() {
			if ferr := ingest.FinishAttempt(env.Work, env.Store, sha); ferr != nil && err == nil {
				err = ferr
			}
		}()
		if died >= 2 {
			return t.reject(env, path, fmt.Errorf("%s: the process died %d times while handling this file: quarantined "+
				"so that the rest of the inbox goes on; move it back into the inbox to try again", path, died))
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if kind != "xml" {
		return t.feed(env, path, kind, f, sha, size)
	}
	s, err := ingest.IngestBank(env.Work, env.Store, path, f, ingest.IngestOptions{Day: env.Date, SHA256: sha, Size: size, JobRunID: env.RunID,
		AutoRefund: env.Config.AutoRefundReasons, MaxBytes: env.Config.MaxFileBytes, By: "ingest", DryRun: env.DryRun})
	var pe *sepa.ParseError
	switch {
	case errors.As(err, &pe):
		return t.reject(env, path, err)
	case errors.Is(err, ingest.ErrDuplicateFile):
		t.sum.Counts["duplicateFiles"]++
		return t.move(env, path, "processed", "")
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	}
	t.sum.Counts["files"]++
	for _, o := range ingest.Outcomes {
		t.sum.Counts[o] += int64(s.Counts[o])
		for ccy, m := range s.Amounts[o] {
			t.amounts[o+" "+ccy] = settle.Money{Decimal: t.amounts[o+" "+ccy].Add(m.Decimal)}
		}
	}
	if s.RanAlone {
		env.Log.Info("ingested alone after meeting another writer", "file", path)
	}
	env.Log.Info("ingested", "file", path, "kind", s.Kind, "summary", s.Line())
	return t.move(env, path, "processed", "")
}

// feed imports a CSV feed recognised by its header row.
func (t *ingestTally) feed(env *Env, path, kind string, f *os.File, sha string, size int64) error {
	if env.DryRun {
		t.sum.Counts["feeds"]++
		return nil
	}
	res, err := feeds.Import(env.Work, env.Store, kind, path, f, feeds.ImportOptions{Day: env.Date, ChunkSize: env.Config.ChunkSize, Location: env.Config.Location()})
	if err != nil {
		if settle.CodeOf(err) == settle.Invalid {
			return t.reject(env, path, err)
		}
		return err
	}
	for _, e := range res.Errors {
		env.Log.Warn("row rejected", "file", path, "line", e.Line, "field", e.Field, "error", e.Err)
	}
	t.sum.Counts["feeds"]++
	t.sum.Counts["feedRows"] += int64(res.Imported)
	t.sum.Counts["feedRowsUnchanged"] += int64(res.Unchanged)
	t.sum.Counts["feedRowsRejected"] += int64(res.Rejected)
	t.sum.Rejected += int64(res.Rejected)
	// The file's rows are the imported and the unchanged ones: a rerun after a crash
	// finds the chunks it had committed unchanged.
	if err := ingest.RecordInputFile(env.Work, env.Store, path, "csv:"+kind, sha, size, env.RunID, res.Imported+res.Unchanged); err != nil {
		return err
	}
	return t.move(env, path, "processed", "")
}

func (t *ingestTally) reject(env *Env, path string, why error) error {
	t.sum.Counts["rejectedFiles"]++
	t.sum.Rejected++
	env.Log.Error("file rejected", "file", path, "reason", why.Error())
	if !env.DryRun {
		if err := raise(env.Work, env.Store, env.Config.Alerts, fmt.Sprintf("%s:%d:%s", AlertFileRejected, env.RunID, filepath.Base(path)),
			AlertFileRejected, map[string]any{"file": path, "reason": why.Error(), "runId": env.RunID}); err != nil {
			return err
		}
	}
	reason := why.Error() + "\n"
	if fitName(filepath.Base(path)) != filepath.Base(path) {
		reason = "original name: " + filepath.Base(path) + "\n" + reason
	}
	return t.move(env, path, "rejected", reason)
}

// move puts a file into inbox/<to>/ (never overwriting), with a .reason beside a rejected one.
func (t *ingestTally) move(env *Env, path, to, reason string) error {
	if env.DryRun {
		return nil
	}
	dir := filepath.Join(filepath.Dir(path), to)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := fitName(filepath.Base(path))
	dst := filepath.Join(dir, base)
	for i := 2; ; i++ {
		if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		dst = filepath.Join(dir, fmt.Sprintf("%s.%d", base, i))
	}
	if reason != "" {
		if _, err := WriteFileAtomic(dst+".reason", func(w io.Writer) error { _, err := io.WriteString(w, reason); return err }); err != nil {
			return err
		}
	}
	return os.Rename(path, dst)
}

// fitName shortens a file name so that it, its ".reason" and a temporary name
// beside it stay within the file system's 255 bytes: a long name keeps its start
// and gains a hash of the whole, so two long names never collide.
func fitName(name string) string {
	const most = 200
	if len(name) <= most {
		return name
	}
	h := sha256.Sum256([]byte(name))
	cut := most - 18
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "~" + hex.EncodeToString(h[:8])
}

func (t *ingestTally) finish(env *Env) Summary {
	s := t.sum
	s.Amounts = map[string]settle.Money{}
	for k, m := range t.amounts {
		s.Amounts[strings.ReplaceAll(k, " ", ":")] = m
	}
	verb := "ingested"
	if env.DryRun {
		verb = "would ingest"
	}
	var parts []string
	for _, o := range ingest.Outcomes {
		if s.Counts[o] == 0 {
			continue
		}
		var amts []string
		for _, k := range sortedKeys(t.amounts) {
			if ccy, ok := strings.CutPrefix(k, o+" "); ok {
				amts = append(amts, t.amounts[k].Text()+" "+ccy)
			}
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", s.Counts[o], o, strings.Join(amts, ", ")))
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	s.Line = fmt.Sprintf("%s %d bank files, %d feeds; %d duplicate and %d rejected files; units: %s", verb,
		s.Counts["files"], s.Counts["feeds"], s.Counts["duplicateFiles"], s.Counts["rejectedFiles"], strings.Join(parts, ", "))
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// sniff tells an XML file ("xml", and whether it is a camt.053 statement by its
// namespace) from a CSV feed (its import kind) by its first bytes.
func sniff(f *os.File) (string, bool, error) {
	head, _ := bufio.NewReader(f).Peek(4096)
	if feeds.IsUTF16(head) {
		return "", false, fmt.Errorf("%s: the file is UTF-16 text: settle reads UTF-8 (XML bank files, CSV feeds saved as CSV UTF-8)", f.Name())
	}
	trimmed := strings.TrimLeft(strings.TrimPrefix(string(head), "\ufeff"), " \t\r\n")
	if strings.HasPrefix(trimmed, "<") {
		return "xml", strings.Contains(trimmed, ":camt.053."), nil
	}
	line, _, _ := strings.Cut(trimmed, "\n")
	header, err := csv.NewReader(strings.NewReader(line)).Read()
	if err == nil {
		if kind, ok := feeds.KindOfHeader(header); ok {
			return kind, false, nil
		}
	}
	return "", false, fmt.Errorf("%s: neither a bank file (XML) nor a known CSV feed (header %q)", f.Name(), strings.TrimSpace(line))
}

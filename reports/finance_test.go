package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"settle"
	"strings"
	"testing"

	"settle/gen"
	"settle/ledger/feeds"
	"settle/ledger/ledgertest"
)

// A debtor name or remittance a spreadsheet would run as a formula is written as
// text ('=...); amounts stay plain numbers, negative ones included.
func TestReportsDefuseFormulas(t *testing.T) {
	s := ledgertest.Open(t)
	ctx := context.Background()
	for _, f := range [][2]string{{"partners", ledgertest.WorldCSV(t, "partners")}, {"dealers", ledgertest.WorldCSV(t, "dealers")}, {"wallets", ledgertest.WorldCSV(t, "wallets")}} {
		if res, err := feeds.Import(ctx, s, f[0], f[0], strings.NewReader(f[1]), feeds.ImportOptions{Day: gen.DefaultDate}); err != nil || res.Rejected > 0 {
			t.Fatal(err, res.Errors)
		}
	}
	names := []string{`=HYPERLINK("http://x","y")`, "+1+2", "-3+cmd|' /C calc'!A0", "@SUM(A1)", "\tTAB", "\rCR", "Rossi"}
	ledgertest.Exec(t, s, `INSERT INTO input_files (id, sha256, name, kind, size_bytes, ingested_at) VALUES (1, 'x', '=evil.xml', 'camt.054', 0, '')`)
	for i, n := range names {
		ledgertest.Exec(t, s, `INSERT INTO bank_entries (id, file_id, position, outcome, partner_key, account, currency, amount_cents, credit, status,
			booking_date, amount) VALUES (?, 1, ?, 'exception', 'ACME', 'IT60X0542811101000000123456', 'EUR', 1050, FALSE, 'BOOK', '2026-11-20', '10.50')`, i+1, i+1)
		ledgertest.Exec(t, s, `INSERT INTO exceptions (reason, detail, bank_entry_id, partner_key, amount_cents, amount, currency, debtor_name, in_suspense,
			status, created_at) VALUES ('UNEXPECTED_DEBIT', ?, ?, 'ACME', 1050, '-10.50', 'EUR', ?, FALSE, 'open', '')`, n, i+1, n)
	}
	var buf bytes.Buffer
	r, _ := ReportByName("exceptions")
	if n, err := r.Write(ctx, s, settle.MustParseDay("2026-11-20"), &buf, Format{}, Options{}); err != nil || n != int64(len(names)) {
		t.Fatalf("%d rows, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		row := rows[i+1]
		want := n
		if n != "Rossi" {
			want = "'" + n
		}
		if row[9] != want || row[13] != want || row[11] != "'=evil.xml" {
			t.Errorf("row %d: debtorName %q, detail %q, file %q; want %q", i, row[9], row[13], row[11], want)
		}
		if row[5] != "-10.50" {
			t.Errorf("row %d: the amount %q must stay a plain number", i, row[5])
		}
	}
}

// Regression: an exception written off without money in suspense (no resolution
// transaction) shows written_off from its day on, not open forever.
func TestExceptionStatusAsOfTheDay(t *testing.T) {
	s := ledgertest.Open(t)
	ctx := context.Background()
	if res, err := feeds.Import(ctx, s, "partners", "p", strings.NewReader(ledgertest.WorldCSV(t, "partners")), feeds.ImportOptions{Day: gen.DefaultDate}); err != nil || res.Rejected > 0 {
		t.Fatal(err, res.Errors)
	}
	ledgertest.Exec(t, s, `INSERT INTO input_files (id, sha256, name, kind, size_bytes, ingested_at) VALUES (1, 'x', 'n.xml', 'camt.054', 0, '')`)
	ledgertest.Exec(t, s, `INSERT INTO bank_entries (id, file_id, position, outcome, partner_key, account, currency, amount_cents, credit, status,
		booking_date, amount) VALUES (1, 1, 1, 'exception', 'ACME', 'IT60X0542811101000000123456', 'CHF', 1050, TRUE, 'BOOK', '2026-11-20', '10.50')`)
	ledgertest.Exec(t, s, `INSERT INTO exceptions (reason, detail, bank_entry_id, partner_key, amount_cents, amount, currency, in_suspense, status,
		resolved_by, resolved_at, created_at) VALUES ('FOREIGN_CURRENCY', 'in CHF', 1, 'ACME', 1050, '10.50', 'CHF', FALSE, 'written_off', 'ops',
		'2026-11-21T09:00:00Z', '')`)
	r, _ := ReportByName("exceptions")
	for day, want := range map[string]string{"2026-11-20": ",open,", "2026-11-21": ",written_off,"} {
		var buf bytes.Buffer
		if _, err := r.Write(ctx, s, settle.MustParseDay(day), &buf, Format{}, Options{}); err != nil || !strings.Contains(buf.String(), want) {
			t.Errorf("%s: %v\n%s", day, err, buf.String())
		}
	}
}

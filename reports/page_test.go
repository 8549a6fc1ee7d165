package reports

import (
	"bytes"
	"context"
	"regexp"
	"settle"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"settle/ledger/ledgertest"
)

func TestMoneyFormat(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0.00"}, {"5", "5.00"}, {"-0.5", "-0.50"}, {"999.99", "999.99"}, {"1000", "1,000.00"},
		{"-1234567.8", "-1,234,567.80"}, {"90071992547409.91", "90,071,992,547,409.91"},
	} {
		if got := money(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("money(%s) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

// The trend is drawn from the stored safeguarding checks of the 30 days up to the
// page's day (not before, not after), and a shortfall turns the verdict red.
func TestPageTrendAndVerdict(t *testing.T) {
	s := ledgertest.Open(t)
	ctx := context.Background()
	ledgertest.World(t, s)
	for _, r := range []struct {
		day            string
		held, customer int64
		drift          int64
		short          bool
	}{
		{"2026-10-20", 1, 1, 0, false}, // 31 days before: out of the chart
		{"2026-11-18", 500000, 400000, 0, false},
		{"2026-11-19", 520000, 450000, 0, false},
		{"2026-11-20", 430000, 450000, -2000, true},
		{"2026-11-21", 9, 9, 0, false}, // after the day
	} {
		ledgertest.Exec(t, s, `INSERT INTO safeguarding (day, partner_key, bank_cents, from_statement, ledger_bank_cents, store_cash_cents,
			wallets_cents, customer_cents, own_cents, drift_cents, shortfall, created_at) VALUES (?, 'ACME', ?, TRUE, ?, 0, ?, ?, 0, ?, ?, '')`,
			r.day, r.held, r.held, r.customer, r.customer, r.drift, r.short)
	}
	var b bytes.Buffer
	if err := WritePage(ctx, s, settle.MustParseDay("2026-11-20"), "", &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	points := regexp.MustCompile(`<polyline points="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(points) != 2 || len(strings.Fields(points[0][1])) != 3 || len(strings.Fields(points[1][1])) != 3 {
		t.Fatalf("want two lines of 3 days: %v", points)
	}
	for _, want := range []string{"2026-11-18", "5,200.00", "customer money (last 4,500.00)", "drift on 1 day",
		`class="verdict bad"`, "ACME: shortfall, customer money 4,500.00 is not covered by 4,300.00 held", "ACME: the bank and the ledger drift by -20.00"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "2026-10-20") || strings.Contains(page, "2026-11-21") {
		t.Error("the chart holds a day outside its 30 days")
	}
}

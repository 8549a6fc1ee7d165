package api

import (
	"context"
	"net/http"
	"settle"
	"strings"
	"testing"

	"settle/ledger"
	"settle/ledger/ledgertest"
)

// The settlement page over the API: a partner sees its own figures only, and
// cannot ask for another partner's; the platform sees every partner.
func TestSettlementPageByKey(t *testing.T) {
	w := newWorld(t)
	own := w.call(t, "GET", "/reports/2026-11-20", "", w.acme)
	if own.code != http.StatusOK || !strings.Contains(own.body, `data-partner="ACME"`) || !strings.Contains(own.body, `data-figure="in">123.45<`) {
		t.Fatalf("ACME's page: %d\n%.800s", own.code, own.body)
	}
	other := w.call(t, "GET", "/reports/2026-11-20", "", w.otherKey)
	if other.code != http.StatusOK || strings.Contains(other.body, "ACME") || strings.Contains(other.body, "123.45") {
		t.Errorf("OTHER's page shows ACME's figures: %d", other.code)
	}
	if a := w.call(t, "GET", "/reports/2026-11-20?partnerKey=ACME", "", w.otherKey); a.code != http.StatusForbidden || strings.Contains(a.body, "123.45") {
		t.Errorf("OTHER asking for ACME's page: %d %s", a.code, a.body)
	}
	all := w.call(t, "GET", "/reports/2026-11-20", "", w.platfm)
	if all.code != http.StatusOK || !strings.Contains(all.body, `data-partner="ACME"`) || !strings.Contains(all.body, "All partners") {
		t.Errorf("the platform's page: %d", all.code)
	}
	if a := w.call(t, "GET", "/reports/20-11-2026", "", w.platfm); a.code != http.StatusBadRequest {
		t.Errorf("a bad day: %d %s", a.code, a.body)
	}
	if a := w.call(t, "GET", "/reports/2026-11-20", "", [2]string{}); a.code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", a.code)
	}
}

// Balance, buckets and statements as of the end of a day count the postings booked
// by then only.
func TestBalancesAsOfADay(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bank, _ := w.rw.AccountByCode(ctx, "partner:ACME:bank")
	wd, _ := w.rw.AccountByCode(ctx, ledger.WalletAccountCode(mario, ledger.BucketWithdrawable))
	day := settle.MustParseDay("2026-11-22")
	if _, _, err := w.rw.Post(ctx, &ledger.Transaction{Key: "t2", Type: "SctDeposit", PartnerKey: "ACME", WalletID: mario, ValueDate: day,
		BookingDate: day, Postings: []ledger.Posting{{AccountID: bank.ID, AmountCents: 1000}, {AccountID: wd.ID, AmountCents: -1000}}}); err != nil {
		t.Fatal(err)
	}
	for asOf, want := range map[string]string{"": `"availableBalance":133.45`, "?asOf=2026-11-21": `"availableBalance":123.45`,
		"?asOf=2026-11-19": `"availableBalance":0`} {
		if a := w.call(t, "GET", "/wallets/"+mario+"/balance"+asOf, "", w.acme); a.code != http.StatusOK || !strings.Contains(a.body, want) {
			t.Errorf("balance%s: %d %s; want %s", asOf, a.code, a.body, want)
		}
	}
	if a := w.call(t, "GET", "/buckets/"+mario+"?asOf=2026-11-21", "", w.acme); !strings.Contains(a.body, `"availableBalance":123.45`) ||
		!strings.Contains(a.body, `"lastIncomingDate":"2026-11-20"`) {
		t.Errorf("buckets as of the 21st: %s", a.body)
	}
	if a := w.call(t, "GET", "/wallets/"+mario+"/statements?asOf=2026-11-21", "", w.acme); !strings.Contains(a.body, `"totalCount":1`) {
		t.Errorf("statements as of the 21st: %s", a.body)
	}
	if a := w.call(t, "GET", "/wallets/"+mario+"/balance?asOf=21/11/2026", "", w.acme); a.code != http.StatusBadRequest || !strings.Contains(a.body, "asOf") {
		t.Errorf("a bad asOf: %d %s", a.code, a.body)
	}
}

// Breaks show their age; a partner sees its own only.
func TestBreaksWithTheirAge(t *testing.T) {
	w := newWorld(t)
	ledgertest.Exec(t, w.rw, `INSERT INTO breaks (subject, partner_key, kind, bank_cents, detail, first_day, last_day, status, created_at)
		VALUES ('entry:9', 'ACME', 'unmatched_bank', -250, 'an unexpected bank charge', '2026-11-18', '2026-11-20', 'open', '')`)
	a := w.call(t, "GET", "/reconciliations/breaks", "", w.acme)
	if a.code != http.StatusOK || !strings.Contains(a.body, `"ageDays":3`) || !strings.Contains(a.body, `"bankAmount":-2.50`) {
		t.Fatalf("ACME's breaks: %d %s", a.code, a.body)
	}
	if a := w.call(t, "GET", "/reconciliations/breaks", "", w.otherKey); !strings.Contains(a.body, `"totalCount":0`) {
		t.Errorf("OTHER sees ACME's break: %s", a.body)
	}
	if a := w.call(t, "GET", "/reconciliations/breaks?status=resolved", "", w.platfm); !strings.Contains(a.body, `"totalCount":0`) {
		t.Errorf("resolved: %s", a.body)
	}
}

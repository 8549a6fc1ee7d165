package api

import (
	"net/http"
	"strings"
	"testing"
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

package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"settle/ledger/ledgertest"
)

// Regression (issue 18): about 20 requests including 401, 404, 405 and 413 wrote
// nothing to the log; /metrics and /readyz were 404. One line per request, with the
// route pattern and the key id and never a signature; failed signatures logged with
// their reason; metrics of the server and of the journal in one scrape.
func TestAccessLogMetricsAndReadiness(t *testing.T) {
	w := newWorld(t)
	var logs bytes.Buffer
	w.srv = NewServer(w.srv.store, serverKey, slog.New(slog.NewJSONHandler(&logs, nil)), "1.4.0")
	w.h = w.srv.Handler()
	ledgertest.Exec(t, w.rw, `INSERT INTO job_runs (job, holder, run_date, dry_run, status, started_at, finished_at, summary, version)
		VALUES ('ingest', 'h:1', '2026-11-20', FALSE, 'succeeded', '2026-11-21T02:00:00Z', '2026-11-21T02:00:30Z',
		'{"counts":{"posted":7,"exception":2,"duplicate":1},"rejected":0}', '1.4.0')`)

	good := w.call(t, "GET", "/wallets/"+mario+"/balance", "", w.acme)
	bad := w.call(t, "GET", "/wallets/"+mario, "", [2]string{w.acme[0], strings.Repeat("0", 64)}) // a wrong secret
	missing := w.call(t, "GET", "/nowhere", "", w.acme)
	post := httptest.NewRecorder()
	w.h.ServeHTTP(post, httptest.NewRequest("DELETE", "/wallets/"+mario, nil))
	if good.code != 200 || bad.code != 401 || missing.code != 404 || post.Code != 405 {
		t.Fatalf("%d %d %d %d", good.code, bad.code, missing.code, post.Code)
	}
	if v := post.Header().Get("Settle-Version"); v != "" && v != "1.4.0" {
		t.Errorf("Settle-Version %q", v)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Header().Get("Settle-Version") != "1.4.0" {
		t.Errorf("no Settle-Version header: %v", rec.Header())
	}

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 5 {
		t.Fatalf("%d access-log lines for 5 requests:\n%s", len(lines), logs.String())
	}
	first := lines[0]
	if first["route"] != "/wallets/{walletId}/balance" || first["status"] != float64(200) || first["keyId"] != w.acme[0] || first["bytes"] == float64(0) {
		t.Errorf("access line %v", first)
	}
	if lines[2]["route"] != "unmatched" || lines[2]["status"] != float64(404) || lines[3]["status"] != float64(405) {
		t.Errorf("404 and 405 lines: %v %v", lines[2], lines[3])
	}
	if !strings.Contains(logs.String(), `"msg":"authentication failed","route":"/wallets/{walletId}","keyId":"`+w.acme[0]+`","reason":"bad signature"`) {
		t.Errorf("no authentication failure with its reason:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), w.acme[1]) || strings.Contains(logs.String(), strings.Repeat("0", 64)) {
		t.Error("a secret or a signature reached the log")
	}

	rec = httptest.NewRecorder()
	w.h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`settle_http_requests_total{code="200",route="/wallets/{walletId}/balance"} 1`,
		`settle_http_request_duration_seconds_count{route="/wallets/{walletId}/balance"} 1`, `settle_auth_failures_total{reason="bad signature"} 1`,
		`settle_job_last_success_timestamp_seconds{job="ingest"} 1.79522643e+09`, `settle_job_duration_seconds{job="ingest"} 30`,
		`settle_job_units_total{job="ingest",outcome="posted"} 7`, `settle_db_open_connections`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}

	if a := w.call(t, "GET", "/readyz", "", [2]string{}); a.code != 200 {
		t.Errorf("readyz %d %s", a.code, a.body)
	}
	ledgertest.Exec(t, w.rw, `DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`)
	if a := w.call(t, "GET", "/readyz", "", [2]string{}); a.code != 503 || !strings.Contains(a.body, "migrations are pending") {
		t.Errorf("readyz with a pending migration: %d %s", a.code, a.body)
	}
	if a := w.call(t, "GET", "/healthz", "", [2]string{}); a.code != 200 {
		t.Errorf("healthz is liveness only: %d", a.code)
	}
}

package jobs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"settle"
	"settle/ledger/ledgertest"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a local webhook endpoint that checks signatures and can fail its first
// n deliveries.
type receiver struct {
	mu       sync.Mutex
	failures int
	got      []map[string]any
	ids      []string
	badSig   int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	sig := r.Header.Get(SignatureHeader) // t=...,v1=...
	ts, v1, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write([]byte(ts + "."))
	m.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(v1)) {
		rc.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rc.failures > 0 {
		rc.failures--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var ev map[string]any
	json.Unmarshal(body, &ev)
	rc.got = append(rc.got, ev)
	rc.ids = append(rc.ids, r.Header.Get("Settle-Event-Id"))
}

// A failed run is told to the webhook, signed, retried with backoff against a
// receiver that fails twice, journaled as delivered once, and never told twice.
func TestAlertsAreSignedRetriedAndJournaled(t *testing.T) {
	r, s := testRunner(t)
	rc := &receiver{failures: 2}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r.Config.Alerts = AlertsConfig{Webhooks: []WebhookConfig{{URL: srv.URL, Secret: "s3cret"}}, Backoff: Duration(time.Millisecond)}
	r.Register(Job{Name: "broken", Run: func(context.Context, *Env) (Summary, error) { return Summary{}, errors.New("disk full") }})
	if _, err := r.Run(context.Background(), "broken", RunOptions{Date: settle.MustParseDay("2026-11-20")}); err == nil {
		t.Fatal("the job should fail")
	}
	if len(rc.got) != 1 || rc.got[0]["type"] != AlertJobFailed || rc.badSig != 0 || !strings.HasPrefix(rc.ids[0], "job.failed:") {
		t.Fatalf("received %v (ids %v, bad signatures %d)", rc.got, rc.ids, rc.badSig)
	}
	data, _ := rc.got[0]["data"].(map[string]any)
	if data["job"] != "broken" || data["error"] != "disk full" {
		t.Fatalf("event data %v", data)
	}
	ds, err := Alerts(context.Background(), s, false, 10)
	if err != nil || len(ds) != 1 || ds[0].Attempts != 3 || ds[0].DeliveredAt == nil {
		t.Fatalf("journal %+v %v", ds, err)
	}
	// A later run does not tell it again.
	r.Register(Job{Name: "fine", Run: func(context.Context, *Env) (Summary, error) { return Summary{Line: "ok"}, nil }})
	r.Run(context.Background(), "fine", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if len(rc.got) != 1 {
		t.Fatalf("told again: %v", rc.got)
	}
}

// An undeliverable alert is kept and sent by the next run; resend sends it again.
func TestUndeliveredAlertsAreSentByTheNextRun(t *testing.T) {
	r, s := testRunner(t)
	rc := &receiver{failures: 100}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r.Config.Alerts = AlertsConfig{Webhooks: []WebhookConfig{{URL: srv.URL, Secret: "s3cret", Events: []string{AlertJobFailed}}},
		Attempts: 2, Backoff: Duration(time.Millisecond)}
	r.Register(Job{Name: "broken", Run: func(context.Context, *Env) (Summary, error) { return Summary{}, errors.New("boom") }})
	r.Run(context.Background(), "broken", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if ds, _ := Alerts(context.Background(), s, true, 10); len(ds) != 1 || ds[0].Attempts != 2 || !strings.Contains(ds[0].LastError, "503") {
		t.Fatalf("pending %+v", ds)
	}
	// A second failure while the receiver is down: the first alert is tried, the
	// second waits for the next run without a try of its own.
	r.Run(context.Background(), "broken", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if ds, _ := Alerts(context.Background(), s, true, 10); len(ds) != 2 || ds[0].Attempts != 0 || ds[1].Attempts != 4 {
		t.Fatalf("pending while down %+v", ds)
	}
	rc.mu.Lock()
	rc.failures = 0
	rc.mu.Unlock()
	r.Register(Job{Name: "fine", Run: func(context.Context, *Env) (Summary, error) { return Summary{Line: "ok"}, nil }})
	r.Run(context.Background(), "fine", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if len(rc.got) != 2 {
		t.Fatalf("the next run did not deliver them: %v", rc.got)
	}
	if sent, left, err := r.ResendAlerts(context.Background(), 1); err != nil || sent != 1 || left != 0 || len(rc.got) != 3 || rc.ids[0] != rc.ids[2] {
		t.Fatalf("resend: %d %d %v; ids %v", sent, left, err, rc.ids)
	}
}

// A rejected inbox file is told once; a webhook that wants only failures is not told.
func TestARejectedFileIsTold(t *testing.T) {
	r, _ := testRunner(t)
	all, failures := &receiver{}, &receiver{}
	srvAll, srvFail := httptest.NewServer(all), httptest.NewServer(failures)
	defer srvAll.Close()
	defer srvFail.Close()
	r.Config.Alerts = AlertsConfig{Webhooks: []WebhookConfig{{URL: srvAll.URL, Secret: "s3cret"},
		{URL: srvFail.URL, Secret: "s3cret", Events: []string{AlertJobFailed}}}, Backoff: Duration(time.Millisecond)}
	r.Dirs.Inbox = t.TempDir()
	os.WriteFile(filepath.Join(r.Dirs.Inbox, "junk.xml"), []byte("<not a bank file"), 0o644)
	res, err := r.Run(context.Background(), "ingest", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	if err != nil || res.Status != StatusPartial {
		t.Fatalf("%+v %v", res, err)
	}
	var types []string
	for _, ev := range all.got {
		types = append(types, ev["type"].(string))
	}
	if strings.Join(types, " ") != "file.rejected job.partial" || len(failures.got) != 0 {
		t.Fatalf("told %v; the failures-only webhook got %v", types, failures.got)
	}
	if data := all.got[0]["data"].(map[string]any); !strings.HasSuffix(data["file"].(string), "junk.xml") || data["reason"] == "" {
		t.Fatalf("file.rejected data %v", data)
	}
}

func TestAlertsConfigIsChecked(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{"alerts":{"webhooks":[{"url":"ftp://x","secret":"s"}]}}`, "not an http(s) URL"},
		{`{"alerts":{"webhooks":[{"url":"https://x","secret":""}]}}`, "no secret"},
		{`{"alerts":{"webhooks":[{"url":"https://x","secret":"s","events":["job.exploded"]}]}}`, `event "job.exploded"`},
	} {
		p := filepath.Join(t.TempDir(), "c.json")
		os.WriteFile(p, []byte(c.json), 0o644)
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.json, err, c.want)
		}
	}
}

// The state after a run tells an exception open for more than exceptionAgeDays and a
// batch the bank rejected, each once.
func TestOldExceptionsAndRejectedBatchesAreTold(t *testing.T) {
	r, s := testRunner(t)
	r.Clock = settle.NewFakeClock(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC))
	s.Clock = r.Clock
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r.Config.Alerts = AlertsConfig{Webhooks: []WebhookConfig{{URL: srv.URL, Secret: "s3cret"}}, ExceptionAgeDays: 7, Backoff: Duration(time.Millisecond)}
	ledgertest.Exec(t, s, `INSERT INTO partners (partner_key, name, settlement_iban, destination_owner, created_at, updated_at)
		VALUES ('ACME', 'Acme', 'IT60X0542811101000000123456', 'Acme', '', '')`)
	ledgertest.Exec(t, s, `INSERT INTO input_files (id, sha256, name, kind, size_bytes, ingested_at) VALUES (1, 'x', 'n.xml', 'camt.054', 0, '')`)
	for i, created := range []string{"2026-11-01T10:00:00Z", "2026-11-20T10:00:00Z"} { // 20 days old, and 1
		ledgertest.Exec(t, s, `INSERT INTO bank_entries (id, file_id, position, outcome, partner_key, account, currency, amount_cents, credit, status,
			booking_date, value_date, amount) VALUES (?, 1, ?, 'exception', 'ACME', 'IT60X0542811101000000123456', 'EUR', 1000, TRUE, 'BOOK', '2026-11-01', '2026-11-01', '')`, i+1, i+1)
		ledgertest.Exec(t, s, `INSERT INTO exceptions (reason, detail, bank_entry_id, partner_key, amount_cents, amount, currency, in_suspense, status, created_at)
			VALUES ('UNKNOWN_REFERENCE', '', ?, 'ACME', 1000, '', 'EUR', TRUE, 'open', ?)`, i+1, created)
	}
	ledgertest.Exec(t, s, `INSERT INTO batches (kind, msg_id, partner_key, account_iban, message, file_name, sha256, nb_of_txs, ctrl_sum_cents, status, created_at)
		VALUES ('sdd', 'STL-SDD-1', 'ACME', 'IT60X0542811101000000123456', 'pain.008.001.08', 'f.xml', '', 3, 300, 'Rejected', '')`)
	r.Register(Job{Name: "fine", Run: func(context.Context, *Env) (Summary, error) { return Summary{Line: "ok"}, nil }})
	for i := 0; i < 2; i++ {
		r.Run(context.Background(), "fine", RunOptions{Date: settle.MustParseDay("2026-11-20")})
	}
	var told []string
	for i, ev := range rc.got {
		told = append(told, ev["type"].(string)+" "+rc.ids[i])
	}
	if strings.Join(told, "; ") != "exception.aged exception.aged:1; batch.rejected batch.rejected:STL-SDD-1:Rejected:0" {
		t.Fatalf("told: %v", told)
	}
}

package api

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"settle/ledger"
	"settle/ledger/ledgertest"
	"testing"
	"time"
)

// Regression (issue 14): past 10,000 remembered signatures every request scanned all
// of them. Memory now holds only the signatures whose timestamps are in the window,
// in a handful of buckets, however many requests came before.
func TestReplaysForgetWhatTheWindowNoLongerCovers(t *testing.T) {
	var r replays
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	sig := func(i int) (s [sha256.Size]byte) { binary.BigEndian.PutUint64(s[:], uint64(i)); return }
	n := 0
	for sec := 0; sec < 20*60; sec++ { // twenty minutes at 100 requests a second
		now := start.Add(time.Duration(sec) * time.Second)
		for i := 0; i < 100; i++ {
			if !r.first(sig(n), now, now) {
				t.Fatalf("signature %d refused the first time", n)
			}
			n++
		}
		if r.first(sig(n-1), now, now) {
			t.Fatalf("signature %d accepted twice", n-1)
		}
	}
	kept := 0
	for _, b := range r.buckets {
		kept += len(b)
	}
	if len(r.buckets) > 2*int(Window/time.Minute)+2 || kept > 100*int((Window+time.Minute)/time.Second) {
		t.Fatalf("%d buckets holding %d signatures after %d requests", len(r.buckets), kept, n)
	}
	// A signature stamped a minute ago is still remembered; its replay is refused
	// until its timestamp leaves the window.
	now := start.Add(20 * time.Minute)
	if r.first(sig(n-6000), now.Add(-time.Minute), now) {
		t.Fatal("a replay inside the window was accepted")
	}
}

// Replicas of the API over one PostgreSQL ledger share what they accepted: a request
// replayed to another replica is refused there, and a revoked key is refused by
// every replica within KeyCacheTTL.
func TestReplicasShareReplaysAndRevocations(t *testing.T) {
	if !ledgertest.Postgres {
		t.Skip("replicas of the API share a PostgreSQL ledger; on SQLite one server holds the replays")
	}
	w := newWorld(t)
	ro2, err := ledger.OpenReadOnly(w.rw.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro2.Close()
	ro2.Clock = w.clock
	replicas := []http.Handler{w.h, NewServer(ro2, serverKey, slog.New(slog.NewTextHandler(io.Discard, nil)), "test").Handler()}
	serve := func(h http.Handler, key [2]string, at time.Time) int {
		req := httptest.NewRequest("GET", "/wallets/"+mario, nil)
		ts := fmt.Sprint(at.UnixMilli())
		req.Header.Set("Key", key[0])
		req.Header.Set("Timestamp", ts)
		req.Header.Set("Sign", Sign(key[1], "GET", req.URL.RequestURI(), ts, nil))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	at := w.now()
	if code := serve(replicas[0], w.acme, at); code != http.StatusOK {
		t.Fatalf("first replica: %d", code)
	}
	if code := serve(replicas[1], w.acme, at); code != http.StatusUnauthorized {
		t.Fatalf("the same signed request at the second replica: %d, want 401", code)
	}
	if code := serve(replicas[1], w.acme, w.now()); code != http.StatusOK {
		t.Fatalf("a new request at the second replica: %d", code)
	}
	if err := w.rw.RevokeAPIKey(context.Background(), w.acme[0]); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(KeyCacheTTL + time.Second)
	for i, h := range replicas {
		if code := serve(h, w.acme, w.now()); code != http.StatusUnauthorized {
			t.Errorf("replica %d after the revocation: %d, want 401", i+1, code)
		}
	}
}

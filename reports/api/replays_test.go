package api

import (
	"crypto/sha256"
	"encoding/binary"
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

package ledger_test

import (
	"context"
	"testing"
)

// A started API opens its database sessions before its first request, not during it.
func TestWarmOpensTheReadPool(t *testing.T) {
	s := openTest(t)
	if n := s.R.Stats().OpenConnections; n > 1 {
		t.Fatalf("%d read connections open before Warm", n)
	}
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.R.Stats()
	if st.OpenConnections != st.MaxOpenConnections || st.Idle != st.MaxOpenConnections {
		t.Fatalf("after Warm: %d open, %d idle of %d", st.OpenConnections, st.Idle, st.MaxOpenConnections)
	}
}

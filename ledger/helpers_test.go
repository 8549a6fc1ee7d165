package ledger_test

import (
	"context"
	"settle"
	"settle/ledger"
	"settle/ledger/ledgertest"
	"testing"
	"time"
)

// testDay is the business day of the test world: imports and ingests run on it.
var testDay = ledgertest.Day

// openTest opens a fresh database in a temporary directory, its clock standing at
// the evening of testDay.
func openTest(t testing.TB) *ledger.Store {
	t.Helper()
	s := ledgertest.Open(t)
	s.Clock = settle.NewFakeClock(time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC))
	return s
}

// seedWorld loads the shared world (testdata/world): one partner, one dealer and
// two wallets.
func seedWorld(t testing.TB, s *ledger.Store) { ledgertest.World(t, s) }

func accountID(t testing.TB, s *ledger.Store, code string) int64 {
	t.Helper()
	a, err := s.AccountByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func mustVerify(t testing.TB, s *ledger.Store) {
	t.Helper()
	res, err := s.Verify(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 0 {
		t.Fatalf("ledger does not verify: %v", res.Violations)
	}
}

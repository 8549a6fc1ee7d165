package ledger_test

import (
	"context"
	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/ledger/payments"
	"strings"
	"testing"
	"time"

	"settle"
)

// Regression: a wallet's lastUsageDate and lastUpdateDate became the time the file
// was read (2026-12-01) instead of the booking day of the entry (2026-11-20).
func TestWalletDatesAreTheBookingDay(t *testing.T) {
	s := openTest(t)
	seedWorld(t, s)
	s.Clock = settle.NewFakeClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) // read eleven days late
	ledgertest.Exec(t, s, `UPDATE wallets SET iban = ?, iban_validation_code = 'AB7XQ2', last_usage_date = NULL WHERE wallet_id = ?`,
		"DE89370400440532013000", mario)
	doc := camt054(ntry{ref: "D1", amount: "0.01", debtorIBAN: "DE89370400440532013000", remittance: "AB7XQ2"}) // booked 2026-11-20
	if sum, err := ingestFile(t, s, "d.xml", doc); err != nil || sum.Counts[ingest.OutcomePosted] != 1 {
		t.Fatalf("%v %v", sum, err)
	}
	var used, updated string
	s.R.Get(&used, `SELECT last_usage_date FROM wallets WHERE wallet_id = ?`, mario)
	s.R.Get(&updated, `SELECT last_update_date FROM wallets WHERE wallet_id = ?`, mario)
	if used != "2026-11-20T00:00:00Z" || updated != "2026-11-20T00:00:00Z" {
		t.Fatalf("lastUsageDate %s, lastUpdateDate %s; want the booking day 2026-11-20", used, updated)
	}
	// A later file with an older booking leaves the later date alone.
	ledgertest.Exec(t, s, `UPDATE wallets SET last_usage_date = '2026-11-25T00:00:00Z' WHERE wallet_id = ?`, mario)
	doc = strings.ReplaceAll(camt054(ntry{ref: "D2", amount: "5.00", debtorIBAN: "DE89370400440532013000", remittance: "H69ZUC"}), "<MsgId>T1<", "<MsgId>T2<")
	if _, err := ingestFile(t, s, "d2.xml", doc); err != nil {
		t.Fatal(err)
	}
	s.R.Get(&used, `SELECT last_usage_date FROM wallets WHERE wallet_id = ?`, mario)
	if used != "2026-11-25T00:00:00Z" {
		t.Fatalf("lastUsageDate moved back to %s", used)
	}
}

// Regression: a top-up with no requestedCollectionDate took the wall clock's day
// when the feed was read. It is asked on the import's day and collected on the
// earliest date of the batch that takes it, however late that batch is.
func TestTopUpWithNoDateIsCollectedAtTheEarliestOfItsBatch(t *testing.T) {
	for _, c := range []struct{ batchDay, want string }{
		{"2026-11-20", "2026-11-23"}, // a Friday: the next TARGET2 day
		{"2026-12-24", "2026-12-28"}, // read in November, batched a month later: after Christmas, St Stephen and the weekend
	} {
		s := batchWorld(t) // TU-3 imported on 2026-11-20 with no date
		run, err := payments.MakeSDDBatches(context.Background(), s, payments.BatchOptions{Outbox: t.TempDir(), Today: settle.MustParseDay(c.batchDay), LeadDays: 1})
		if err != nil || run.Txs == 0 {
			t.Fatalf("%s: %+v %v", c.batchDay, run, err)
		}
		var got settle.Day
		s.R.Get(&got, `SELECT collection_date FROM direct_debits WHERE topup_id = 'TU-3'`)
		if got.String() != c.want {
			t.Errorf("batched on %s: TU-3 collected on %s, want %s", c.batchDay, got, c.want)
		}
	}
}

package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"settle/ledger/ingest"
	"settle/ledger/ledgertest"
	"settle/sepa"
)

// Every corpus file is ingested with every unit accounted for (the summary's check
// that amounts in equal amounts accounted for, per currency), or refused with a
// reason naming the file. One partner owns the PostFinance account, so some entries
// are ours and the rest are exceptions.
func TestIngestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/*/*.xml")
	if len(files) == 0 {
		t.Skip("../shared is absent")
	}
	s := openTest(t)
	seedWorld(t, s)
	ledgertest.Exec(t, s, `UPDATE partners SET settlement_iban = 'CH2909000000250094239' WHERE partner_key = 'ACME'`)
	ingested, refused := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		sum, err := ingest.IngestBank(context.Background(), s, f, strings.NewReader(string(b)), ingest.IngestOptions{Day: testDay, SHA256: hex.EncodeToString(h[:]), Size: int64(len(b))})
		var pe *sepa.ParseError
		switch {
		case errors.Is(err, ingest.ErrDuplicateFile):
			// moov-io and libeufin share some files byte for byte
		case errors.As(err, &pe):
			refused++
			if !strings.HasPrefix(err.Error(), f) {
				t.Errorf("refusal does not name the file: %v", err)
			}
		case err != nil:
			t.Errorf("%s: %v", f, err)
		default:
			ingested++
			n := 0
			for _, o := range ingest.Outcomes {
				n += sum.Counts[o]
			}
			if n != sum.Units || n == 0 {
				t.Errorf("%s: %d units, outcomes %v", f, sum.Units, sum.Counts)
			}
		}
	}
	var units, outcomes int
	s.R.Get(&units, `SELECT COALESCE(SUM(units), 0) FROM input_files`)
	s.R.Get(&outcomes, `SELECT (SELECT COUNT(*) FROM bank_entries) + (SELECT COUNT(*) FROM payment_statuses)`)
	if ingested < 45 || units != outcomes {
		t.Fatalf("%d files ingested, %d refused; %d units recorded, %d rows", ingested, refused, units, outcomes)
	}
	mustVerify(t, s)
}

package ledger_test

import (
	"os"
	"testing"

	"settle/ledger/ledgertest"
)

// TestMain runs the tests on SQLite, then on PostgreSQL when SETTLE_TEST_POSTGRES is set.
func TestMain(m *testing.M) { os.Exit(ledgertest.Main(m)) }

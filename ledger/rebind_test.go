package ledger

import "testing"

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT ? , ?`, `SELECT $1 , $2`},
		{`WHERE a = ? AND b LIKE '%?%' AND c = ?`, `WHERE a = $1 AND b LIKE '%?%' AND c = $2`},
		{`WHERE a = 'it''s ?' AND b = ?`, `WHERE a = 'it''s ?' AND b = $1`},
		{`SELECT "odd?col" FROM t WHERE x = ?`, `SELECT "odd?col" FROM t WHERE x = $1`},
		{"-- why?\nSELECT ?", "-- why?\nSELECT $1"},
		{"/* a ? b */ SELECT ?", "/* a ? b */ SELECT $1"},
		{`SELECT '?`, `SELECT '?`}, // unterminated: left as is, the server says why
		{"SELECT ? -- trailing ?", "SELECT $1 -- trailing ?"},
	} {
		if got := rebindScan(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRebind(f *testing.F) {
	f.Add(`SELECT ? FROM t WHERE a = '?' -- ?`)
	f.Fuzz(func(t *testing.T, q string) {
		out := rebindScan(q)
		if len(out) < len(q) {
			t.Fatalf("rebind lost bytes: %q -> %q", q, out)
		}
	})
}

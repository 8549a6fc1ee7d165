package sepa

import (
	"encoding/json"
	"testing"
)

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func equalJSON(t testing.TB, a, b any) bool { return mustJSON(t, a) == mustJSON(t, b) }

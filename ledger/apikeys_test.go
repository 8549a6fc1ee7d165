package ledger_test

import (
	"bytes"
	"os"
	"path/filepath"
	"settle/ledger"
	"strings"
	"testing"
)

// The server key comes from SETTLE_SERVER_KEY, or from the file
// SETTLE_SERVER_KEY_FILE names (a systemd credential).
func TestServerKeyFromTheEnvironmentOrAFile(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	t.Setenv(ledger.ServerKeyEnv, "")
	file := filepath.Join(t.TempDir(), "server-key")
	os.WriteFile(file, []byte(hexKey+"\n"), 0o600)
	t.Setenv(ledger.ServerKeyFileEnv, file)
	if k, err := ledger.ServerKey(); err != nil || !bytes.Equal(k, bytes.Repeat([]byte{0xab}, 32)) {
		t.Fatalf("from the file: %x %v", k, err)
	}
	t.Setenv(ledger.ServerKeyFileEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := ledger.ServerKey(); err == nil || !strings.Contains(err.Error(), ledger.ServerKeyFileEnv) {
		t.Fatalf("a missing file: %v", err)
	}
	t.Setenv(ledger.ServerKeyEnv, "short")
	if _, err := ledger.ServerKey(); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
		t.Fatalf("a short key: %v", err)
	}
}

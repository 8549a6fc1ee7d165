package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLogsMaskPersonalDataAndSecrets(t *testing.T) {
	var b bytes.Buffer
	log := newLogger(&b) // not a terminal: JSON
	log.Info("credited", "debtorIban", "IT60X0542811101000000123456", "debtorName", "Mario Rossi",
		"apiSecret", "s3cr3t", "walletId", "a1b2c3d4-e5f6-7890-abcd-ef1234567890", slog.Group("wallet", "iban", "DE89370400440532013000"))
	out := b.String()
	for _, leak := range []string{"0542811101000000123456", "Mario", "Rossi", "s3cr3t", "370400440532013000"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q: %s", leak, out)
		}
	}
	for _, want := range []string{`"debtorIban":"IT60…3456"`, `"debtorName":"M… R…"`, `"apiSecret":"[redacted]"`,
		`"walletId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890"`, `"iban":"DE89…3000"`, `"level":"INFO"`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in %s", want, out)
		}
	}
}

package ledger

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"settle"
	"strings"
)

// ServerKeyEnv names the environment variable holding the server key: 64 hex
// digits (32 bytes) that encrypt the API secrets at rest.
const ServerKeyEnv = "SETTLE_SERVER_KEY"

// ServerKeyFileEnv names a file holding the server key instead (a systemd
// credential, a mounted secret): the key then never sits in the environment.
const ServerKeyFileEnv = "SETTLE_SERVER_KEY_FILE"

// ServerKey reads the server key from the environment, or from the file
// SETTLE_SERVER_KEY_FILE names.
func ServerKey() ([]byte, error) {
	v := strings.TrimSpace(os.Getenv(ServerKeyEnv))
	if f := os.Getenv(ServerKeyFileEnv); v == "" && f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, settle.Errorf(settle.Invalid, "%s: %v", ServerKeyFileEnv, err)
		}
		v = strings.TrimSpace(string(b))
	}
	if v == "" {
		return nil, settle.Errorf(settle.Invalid, "%s is not set: it must hold 64 hex digits (e.g. from `openssl rand -hex 32`)", ServerKeyEnv)
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, settle.Errorf(settle.Invalid, "%s must be 64 hex digits (32 bytes)", ServerKeyEnv)
	}
	return k, nil
}

// APIKey is a key of the read-only API as listed: never its secret.
type APIKey struct {
	KeyID      string  `db:"key_id" json:"keyId"`
	PartnerKey *string `db:"partner_key" json:"partnerKey"` // nil: a platform key
	Label      string  `db:"label" json:"label"`
	CreatedAt  string  `db:"created_at" json:"createdAt"`
	RevokedAt  *string `db:"revoked_at" json:"revokedAt"`
}

// CreateAPIKey makes a key for a partner ("" for a platform key) and returns it with
// its secret, which is stored only encrypted (under serverKey) and never shown again.
func (s *Store) CreateAPIKey(ctx context.Context, serverKey []byte, partner, label string) (APIKey, string, error) {
	id, secret := make([]byte, 8), make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return APIKey{}, "", err
	}
	if _, err := rand.Read(secret); err != nil {
		return APIKey{}, "", err
	}
	k := APIKey{KeyID: "k_" + hex.EncodeToString(id), Label: label, CreatedAt: s.NowText()}
	if partner != "" {
		k.PartnerKey = &partner
	}
	enc, err := sealSecret(serverKey, []byte(hex.EncodeToString(secret)), k.KeyID)
	if err != nil {
		return APIKey{}, "", err
	}
	err = s.Write(ctx, func(w *Writer) error {
		if partner != "" {
			var one int
			if err := w.Get(&one, `SELECT 1 FROM partners WHERE partner_key = ?`, partner); errors.Is(err, sql.ErrNoRows) {
				return settle.Errorf(settle.NotFound, "partner %s does not exist", partner)
			} else if err != nil {
				return err
			}
		}
		_, err := w.Exec(`INSERT INTO api_keys (key_id, partner_key, label, secret_enc, created_at) VALUES (?, ?, ?, ?, ?)`,
			k.KeyID, k.PartnerKey, label, enc, k.CreatedAt)
		return err
	})
	return k, hex.EncodeToString(secret), err
}

// APIKeys lists every key of the API, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	var ks []APIKey
	err := s.R.SelectContext(ctx, &ks, `SELECT key_id, partner_key, label, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, key_id`)
	return ks, err
}

// RevokeAPIKey revokes a key: requests signed with it are refused from now on.
func (s *Store) RevokeAPIKey(ctx context.Context, keyID string) error {
	return s.Write(ctx, func(w *Writer) error {
		res, err := w.Exec(`UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL`, w.NowText(), keyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return settle.Errorf(settle.NotFound, "no active key %s", keyID)
		}
		return nil
	})
}

// APIKeySecret returns a live key's partner (nil for a platform key) and its secret,
// decrypted with serverKey: what the API checks a signature with.
func (s *Store) APIKeySecret(ctx context.Context, serverKey []byte, keyID string) (*string, []byte, error) {
	var row struct {
		Partner *string `db:"partner_key"`
		Enc     []byte  `db:"secret_enc"`
	}
	err := s.R.GetContext(ctx, &row, `SELECT partner_key, secret_enc FROM api_keys WHERE key_id = ? AND revoked_at IS NULL`, keyID)
	if err != nil {
		return nil, nil, err
	}
	secret, err := openSecret(serverKey, row.Enc, keyID)
	return row.Partner, secret, err
}

// sealSecret encrypts with AES-256-GCM, the key id as additional data (a secret cannot
// be moved to another key's row); the nonce leads the ciphertext.
func sealSecret(key, plain []byte, keyID string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plain, []byte(keyID)), nil
}

// openSecret decrypts what sealSecret encrypted.
func openSecret(key, enc []byte, keyID string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(enc) < gcm.NonceSize() {
		return nil, fmt.Errorf("key %s: stored secret is damaged", keyID)
	}
	plain, err := gcm.Open(nil, enc[:gcm.NonceSize()], enc[gcm.NonceSize():], []byte(keyID))
	if err != nil {
		return nil, fmt.Errorf("key %s: the secret does not decrypt with this server key", keyID)
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// FirstUse records an API request's signature until until (Unix ms) and tells
// whether no replica of the API had seen it. On PostgreSQL the signatures are shared
// by every replica (api_replays); a SQLite ledger lives on one host, whose server
// keeps them in memory, and FirstUse answers true without asking the database. Expired
// signatures are deleted now and then.
func (s *Store) FirstUse(ctx context.Context, signature string, now, until int64) (bool, error) {
	if s.ldb == nil {
		return true, nil
	}
	if s.purgeAt.Load() < now {
		s.purgeAt.Store(now + 10_000)
		if _, err := s.ldb.ExecContext(ctx, `DELETE FROM api_replays WHERE expires_at < ?`, now); err != nil {
			return false, err
		}
	}
	res, err := s.ldb.ExecContext(ctx, `INSERT INTO api_replays (signature, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		signature, until)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

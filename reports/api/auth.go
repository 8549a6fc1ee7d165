package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Window is how far a request's Timestamp may be from the server's clock.
const Window = 3 * time.Minute

// Sign is the signature of a request (DESIGN: Read-only HTTP API): hex of
// HMAC-SHA256(secret, METHOD \n path with query \n timestamp \n hex(sha256(body))).
func Sign(secret, method, pathQuery, timestamp string, body []byte) string {
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + "\n" + pathQuery + "\n" + timestamp + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(m.Sum(nil))
}

// caller is who signed a request: a partner's key, or the platform's (partner nil).
type caller struct {
	keyID   string
	partner *string
}

// mayAccess tells whether the caller may see what belongs to partner.
func (c caller) mayAccess(partner string) bool { return c.partner == nil || *c.partner == partner }

// replays remembers the signatures accepted, so each is accepted once. A signature
// matters only while its timestamp is inside the window, so they are kept in buckets by
// the minute of their timestamp and a bucket is dropped whole once all its timestamps
// are outside the window: each request costs O(1) at any rate (a full scan of every
// signature, past 10,000 of them, made a burst slow the server down for minutes).
type replays struct {
	mu      sync.Mutex
	buckets map[int64]map[[sha256.Size]byte]struct{} // by the minute of the request's timestamp
}

// first records the signature sig of a request stamped ts and tells whether it was
// not seen before; ts is within Window of now (authenticate checks it first).
func (r *replays) first(sig [sha256.Size]byte, ts, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buckets == nil {
		r.buckets = map[int64]map[[sha256.Size]byte]struct{}{}
	}
	stale := minute(now.Add(-Window)) // every timestamp of older buckets is outside the window
	for m := range r.buckets {        // at most 2·Window/1m + 2 buckets
		if m < stale {
			delete(r.buckets, m)
		}
	}
	b := r.buckets[minute(ts)]
	if b == nil {
		b = map[[sha256.Size]byte]struct{}{}
		r.buckets[minute(ts)] = b
	}
	if _, seen := b[sig]; seen {
		return false
	}
	b[sig] = struct{}{}
	return true
}

func minute(t time.Time) int64 { return t.Unix() / 60 }

// authenticate checks the Key, Timestamp and Sign headers of a request whose body
// was read. Any failure of the caller's is the same 401: the caller learns nothing of
// why; the reason is returned for the server's own log (never the signature or the
// secret). A failure of the server's (the key or replay lookup) is an error instead,
// so a caller with a good key is not told it is unauthorized.
func (s *Server) authenticate(ctx context.Context, key, ts, sig, method, pathQuery string, body []byte) (caller, string, error) {
	if key == "" || ts == "" || sig == "" {
		return caller{}, "missing Key, Timestamp or Sign header", nil
	}
	if len(sig) != 64 {
		return caller{}, "malformed signature", nil
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return caller{}, "malformed timestamp", nil
	}
	now, stamped := s.now(), time.UnixMilli(ms)
	if d := now.Sub(stamped); d > Window || d < -Window {
		return caller{}, "timestamp outside the window", nil
	}
	partner, secret, err := s.keys.get(ctx, key, now, func() (*string, []byte, error) { return s.store.APIKeySecret(ctx, s.serverKey, key) })
	if err != nil {
		if !isNoRows(err) {
			return caller{}, "", fmt.Errorf("key lookup: %w", err) // never the key's secret
		}
		return caller{}, "unknown or revoked key", nil
	}
	want := Sign(string(secret), method, pathQuery, ts, body)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return caller{}, "bad signature", nil
	}
	var raw [sha256.Size]byte
	if _, err := hex.Decode(raw[:], []byte(sig)); err != nil || !s.replays.first(raw, stamped, now) {
		return caller{}, "replayed signature", nil
	}
	// Another replica may have seen it (PostgreSQL; a no-op on SQLite).
	if first, err := s.store.FirstUse(ctx, sig, now.UnixMilli(), stamped.Add(Window).UnixMilli()); err != nil {
		return caller{}, "", fmt.Errorf("replay check: %w", err)
	} else if !first {
		return caller{}, "replayed signature", nil
	}
	return caller{keyID: key, partner: partner}, "", nil
}

// KeyCacheTTL is how long a key's decrypted secret is kept in memory: a revoked key
// is refused within this time.
const KeyCacheTTL = 5 * time.Second

// keyCache keeps recently used keys' partners and secrets, so a busy client's
// requests do not each read and decrypt its key.
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	partner *string
	secret  []byte
	until   time.Time
}

func (c *keyCache) get(ctx context.Context, id string, now time.Time, load func() (*string, []byte, error)) (*string, []byte, error) {
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Before(k.until) {
		return k.partner, k.secret, nil
	}
	partner, secret, err := load()
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10_000 {
		c.m = map[string]cachedKey{}
	}
	c.m[id] = cachedKey{partner, secret, now.Add(KeyCacheTTL)}
	c.mu.Unlock()
	return partner, secret, nil
}

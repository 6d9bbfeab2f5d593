package bearer

// A cache that the replicas of a server share, so that a fleet asks the
// authorization server about a token once, not once per replica. Only the
// verifiers that ask the provider per token use it (userinfo and
// introspection): a JWT is verified locally by every replica at no cost to
// the provider.
//
// What the store holds reveals nothing by itself: an entry's key is
// derived from the token by HKDF-SHA-256 (one-way: the key does not give
// the token), and its value is sealed with AES-256-GCM under another key
// derived from the token, so that reading the store gives neither the
// claims nor a usable token, and an entry is of use only to whoever holds
// the token it was made for. Entries expire no later than the token's
// result would in the local cache. A store that fails or is slow is
// skipped: the verifier goes on with its local cache and the provider,
// logs a warning (at most once a minute) and counts the failure.

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// SharedCache is a store shared by the replicas of a server, such as
// Redis (module github.com/mcp-auth/go/mcpauth/rediscache). Keys and
// values are opaque to it: the verifier derives the keys and seals the
// values. Implementations must be safe for concurrent use.
type SharedCache interface {
	// Get returns the value stored under key, or nil and no error when
	// there is none (or it expired).
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl (always positive).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// WithSharedCache makes a verifier keep its results in c as well as in its
// own memory, so that the replicas of a server that share c ask the
// provider about each token once: the local cache is consulted first, then
// c, then the provider, whose answer (a verified token until its cache
// expiry, or a refusal for [WithRefusalTTL]) is written to c. Given to the
// middleware, it does the same for the identities its identity sources
// complete ([WithIdentity]; only identities completed without an outage
// are shared). A failure or timeout of c (each call is bounded by 250 ms)
// never fails a request: the verifier or the middleware goes on without it,
// logs it at most once a minute and counts it (a verifier's
// [ProviderStats]). For: NewUserinfoVerifier, NewIntrospectionVerifier, New.
func WithSharedCache(c SharedCache) Option {
	return option("WithSharedCache", forUserinfo|forIntrospection|forAuthenticator, func(s *settings) { s.sharedCache = c })
}

// sharedCacheTimeout bounds one call to the shared cache: past it the
// verifier goes on as if the cache were not there.
const sharedCacheTimeout = 250 * time.Millisecond

// ProviderStats counts what a verifier did on behalf of tokens it had not
// verified yet, for metrics. Read it with the verifier's Stats method.
type ProviderStats struct {
	ProviderCalls      uint64 // calls made to the provider
	BudgetRefusals     uint64 // tokens answered 503 for want of budget
	SharedHits         uint64 // results found in the shared cache
	SharedCacheErrors  uint64 // failed or timed-out shared cache calls
	SharedCacheRejects uint64 // shared entries that did not open (tampered or from another version)
}

// providerCounters are a verifier's [ProviderStats].
type providerCounters struct {
	calls, budget, sharedHits, sharedErrors, sharedRejects atomic.Uint64
	lastWarning                                            atomic.Int64 // unix nanos of the last warning logged
}

func (c *providerCounters) stats() ProviderStats {
	return ProviderStats{
		ProviderCalls: c.calls.Load(), BudgetRefusals: c.budget.Load(), SharedHits: c.sharedHits.Load(),
		SharedCacheErrors: c.sharedErrors.Load(), SharedCacheRejects: c.sharedRejects.Load(),
	}
}

// sharedEntry is what a sealed entry holds: a verified token's AuthInfo
// (its Identity is rebuilt from Claims), or a refusal.
type sharedEntry struct {
	Refusal  string         `json:"refusal,omitempty"` // the refusal's description
	Issuer   string         `json:"iss,omitempty"`
	Subject  string         `json:"sub,omitempty"`
	ClientID string         `json:"client_id,omitempty"`
	Audience []string       `json:"aud,omitempty"`
	Scopes   []string       `json:"scope,omitempty"`
	Expires  int64          `json:"exp,omitempty"` // ExpiresAt, unix nanoseconds; 0 when unknown
	Claims   map[string]any `json:"claims,omitempty"`
	Source   string         `json:"src,omitempty"` // Identity source of the claims
	Until    int64          `json:"until"`         // end of the entry, unix nanoseconds
	// A completed identity (the middleware's identity sources).
	IDClaims  map[string]any `json:"id_claims,omitempty"`
	IDSources []string       `json:"id_sources,omitempty"`
	NilAud    bool           `json:"nil_aud,omitempty"`
	NilScope  bool           `json:"nil_scope,omitempty"`
}

// sharedSlot is where a token's entry lives in the shared cache: the key,
// and the AEAD that seals and opens its value, both derived from the token.
type sharedSlot struct {
	key  string
	aead cipher.AEAD
}

// sharedKeyInfo separates the two keys derived from a token, and the
// verifier kinds from each other (a userinfo answer is not an
// introspection answer).
const sharedKeyPrefix = "mcpauth:v1:"

func newSharedSlot(kind, token string) (sharedSlot, error) {
	id, err := hkdf.Key(sha256.New, []byte(token), nil, "mcpauth shared cache v1 id "+kind, 32)
	if err != nil {
		return sharedSlot{}, err
	}
	k, err := hkdf.Key(sha256.New, []byte(token), nil, "mcpauth shared cache v1 seal "+kind, 32)
	if err != nil {
		return sharedSlot{}, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return sharedSlot{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sharedSlot{}, err
	}
	return sharedSlot{key: sharedKeyPrefix + kind + ":" + hex.EncodeToString(id), aead: aead}, nil
}

// seal encrypts e, bound to the slot's key.
func (s sharedSlot) seal(e *sharedEntry) ([]byte, error) {
	plain, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(s.key)), nil
}

var errSharedEntry = errors.New("a shared cache entry that does not open")

// open decrypts and decodes a sealed entry.
func (s sharedSlot) open(sealed []byte) (*sharedEntry, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errSharedEntry
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(s.key))
	if err != nil {
		return nil, errSharedEntry
	}
	var e sharedEntry
	if err := json.Unmarshal(plain, &e); err != nil {
		return nil, errSharedEntry
	}
	return &e, nil
}

func entryOf(info *AuthInfo) *sharedEntry {
	e := &sharedEntry{Issuer: info.Issuer, Subject: info.Subject, ClientID: info.ClientID,
		Audience: info.Audience, Scopes: info.Scopes, Claims: info.Claims,
		NilAud: info.Audience == nil, NilScope: info.Scopes == nil}
	if !info.ExpiresAt.IsZero() {
		e.Expires = info.ExpiresAt.UnixNano()
	}
	if len(info.Identity.Sources) > 0 {
		e.Source = info.Identity.Sources[0]
	}
	return e
}

func (e *sharedEntry) authInfo() *AuthInfo {
	info := &AuthInfo{Issuer: e.Issuer, Subject: e.Subject, ClientID: e.ClientID,
		Audience: e.Audience, Scopes: e.Scopes, Claims: e.Claims}
	if info.Audience == nil && !e.NilAud {
		info.Audience = []string{}
	}
	if info.Scopes == nil && !e.NilScope {
		info.Scopes = []string{}
	}
	if e.Expires != 0 {
		info.ExpiresAt = time.Unix(0, e.Expires)
	}
	if e.Source != "" {
		info.Identity = identityFromClaims(info.Claims, e.Source)
	}
	return info
}

// sharedTier is a verifier's use of a SharedCache.
type sharedTier struct {
	cache    SharedCache
	kind     string // "userinfo" or "introspection"
	logger   *slog.Logger
	now      func() time.Time
	counters *providerCounters
}

// lookup returns the shared entry of token, or nil when there is none or
// the shared cache failed.
func (t *sharedTier) lookup(ctx context.Context, slot sharedSlot) *sharedEntry {
	ctx, cancel := context.WithTimeout(ctx, sharedCacheTimeout)
	defer cancel()
	sealed, err := t.cache.Get(ctx, slot.key)
	if err != nil {
		t.failed(ctx, "read", err)
		return nil
	}
	if sealed == nil {
		return nil
	}
	e, err := slot.open(sealed)
	if err != nil {
		t.counters.sharedRejects.Add(1)
		return nil
	}
	t.counters.sharedHits.Add(1)
	return e
}

// store writes e for ttl, when ttl is positive.
func (t *sharedTier) store(ctx context.Context, slot sharedSlot, e *sharedEntry, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	sealed, err := slot.seal(e)
	if err != nil {
		t.failed(ctx, "seal", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, sharedCacheTimeout)
	defer cancel()
	if err := t.cache.Set(ctx, slot.key, sealed, ttl); err != nil {
		t.failed(ctx, "write", err)
	}
}

// failed counts a failure of the shared cache and logs it, at most once a
// minute, so that an outage of the store does not flood the logs.
func (t *sharedTier) failed(ctx context.Context, op string, err error) {
	t.counters.sharedErrors.Add(1)
	now := t.now().UnixNano()
	last := t.counters.lastWarning.Load()
	if now-last < int64(time.Minute) || !t.counters.lastWarning.CompareAndSwap(last, now) {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelWarn, t.kind+": shared cache unavailable, going on with the local cache",
		slog.String("op", op), slog.Any("error", err), slog.Uint64("failures", t.counters.sharedErrors.Load()))
}

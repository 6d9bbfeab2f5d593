package bearer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/mcp-auth/go/internal/fetch"
)

// This file holds the signing keys of the trusted issuers. jwx parses JWK
// Sets; each usable key is converted once, at load, to the standard
// library's public key type, which jwx's signature check then takes.
//
// A remote key set fetches its keys (construction, or the first token in
// lazy mode), refreshes them in the background when they are older than the
// refresh interval, and fetches them at once when a token names a key it
// does not know, which is how a key rotation is picked up. Every fetch,
// whatever triggered it, counts against one rate limit: at most one fetch
// starts per minimum interval, and callers arriving while a fetch runs wait
// for it instead of starting another. A failed fetch keeps the keys of the
// last good one.

// jwtMaxCandidateKeys bounds the signature checks one token may cost: a
// token without "kid" (or a key set with several keys under one kid) is
// checked against at most this many keys.
const jwtMaxCandidateKeys = 4

// jwtKeyFetchTimeout bounds one key set fetch, in addition to the HTTP
// client's own timeout.
const jwtKeyFetchTimeout = 10 * time.Second

// Causes of key failures, for logs.
var (
	errUnknownKey     = errors.New("no key in the key set has the token's key ID")
	errKeyMismatch    = errors.New("the key with the token's key ID does not fit the token's algorithm")
	errNoUsableKeys   = errors.New("the key set has no usable signature key")
	errKeySetClosed   = errors.New("the JWT verifier is closed")
	errRefreshWindow  = errors.New("key set fetched too recently to fetch again")
	errKeysURLUnknown = errors.New("the key set's URL is not known yet")
)

// jwtKey is a signature verification key. One value stands for one key for
// as long as its issuer publishes it: a refresh that finds the key again
// keeps the value, so that withdrawn, once set, means the provider stopped
// publishing the key, and the verifications it made are no longer trusted.
type jwtKey struct {
	kid       string           // "" when the JWK has none
	alg       string           // the JWK's "alg"; "" when it has none
	pub       crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	withdrawn atomic.Bool      // a refresh no longer found it
}

// sameKey reports whether k and o are the same published key.
func (k *jwtKey) sameKey(o *jwtKey) bool {
	eq, ok := k.pub.(interface{ Equal(crypto.PublicKey) bool })
	return k.kid == o.kid && k.alg == o.alg && ok && eq.Equal(o.pub)
}

// usableFor reports whether k may check a signature made with alg: the key
// fits the algorithm and the key's own "alg", if it has one, is alg.
func (k *jwtKey) usableFor(alg *jwtAlgorithm) bool {
	return (k.alg == "" || k.alg == alg.name) && alg.fits(k.pub)
}

// keySet is where the verifier finds the keys of one issuer.
type keySet interface {
	// keys returns the keys that may have signed a token with key ID kid
	// ("" when the token has none) and algorithm alg. The result may hold
	// keys that are not usable for alg (callers check with usableFor) but
	// at least one that is. Errors are [*Error]s: invalid token when no
	// key fits, provider unavailable when no keys could be loaded.
	keys(ctx context.Context, kid string, alg *jwtAlgorithm) ([]*jwtKey, error)
}

// keySnapshot is one loaded key set; immutable.
type keySnapshot struct {
	all     []*jwtKey
	byKID   map[string][]*jwtKey
	fetched time.Time // when it was fetched; zero for static keys
}

// find looks kid up. It returns errUnknownKey when no key could have
// signed the token (a refresh may help) and errKeyMismatch when the key
// named by kid exists but does not fit alg (a refresh will not help).
func (s *keySnapshot) find(kid string, alg *jwtAlgorithm) ([]*jwtKey, error) {
	keys := s.all
	if kid != "" {
		var ok bool
		if keys, ok = s.byKID[kid]; !ok {
			return nil, errUnknownKey
		}
	}
	for _, k := range keys {
		if k.usableFor(alg) {
			return keys, nil
		}
	}
	if kid != "" {
		return nil, errKeyMismatch
	}
	return nil, errUnknownKey
}

// keyError turns a find error into the error a verifier returns.
func keyError(err error) error {
	if errors.Is(err, errKeyMismatch) {
		return InvalidToken("the token's signing key does not fit its algorithm", err)
	}
	return InvalidToken("the token's signing key is unknown", err)
}

// parseKeySet reads a JWK Set document (or a single JWK) and keeps the keys
// that can verify signatures: RSA keys of at least 2048 bits, EC keys on
// P-256, P-384 or P-521, Ed25519 keys; not those whose "use" is not "sig",
// whose "key_ops" lack "verify" or whose "alg" is not a supported signature
// algorithm. Keys jwx cannot parse are skipped, as RFC 7517 section 5 asks.
// A set without any usable key is an error. A key that prev (the previous
// snapshot, or nil) holds already is kept as the same value.
func parseKeySet(doc []byte, prev *keySnapshot) (*keySnapshot, error) {
	set, err := jwk.Parse(doc, jwk.WithIgnoreParseError(true))
	if err != nil {
		return nil, fmt.Errorf("parsing the JWK Set: %w", err)
	}
	snap := &keySnapshot{byKID: make(map[string][]*jwtKey)}
	for i := range set.Len() {
		raw, _ := set.Key(i)
		k, ok := jwtKeyFromJWK(raw)
		if !ok {
			continue
		}
		if prev != nil {
			if i := slices.IndexFunc(prev.all, k.sameKey); i >= 0 {
				k = prev.all[i]
			}
		}
		snap.all = append(snap.all, k)
		if k.kid != "" {
			snap.byKID[k.kid] = append(snap.byKID[k.kid], k)
		}
	}
	if len(snap.all) == 0 {
		return nil, errNoUsableKeys
	}
	return snap, nil
}

// jwtKeyFromJWK converts one JWK, if it is a usable signature key.
func jwtKeyFromJWK(key jwk.Key) (*jwtKey, bool) {
	if use, ok := key.KeyUsage(); ok && use != "sig" {
		return nil, false
	}
	if ops, ok := key.KeyOps(); ok && !slices.Contains(ops, jwk.KeyOpVerify) {
		return nil, false
	}
	k := &jwtKey{}
	if alg, ok := key.Algorithm(); ok {
		k.alg = alg.String()
		if _, known := jwtLookupAlgorithm(k.alg); !known {
			return nil, false
		}
	}
	k.kid, _ = key.KeyID()
	pubJWK, err := key.PublicKey() // drops private parts, should a set carry them
	if err != nil {
		return nil, false
	}
	var pub any
	if err := jwk.Export(pubJWK, &pub); err != nil {
		return nil, false
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p.N.BitLen() < jwtMinRSABits {
			return nil, false
		}
	case *ecdsa.PublicKey:
		switch p.Curve.Params().Name {
		case "P-256", "P-384", "P-521":
		default:
			return nil, false
		}
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return nil, false
		}
	default: // symmetric keys, Ed448, X25519, secp256k1...
		return nil, false
	}
	k.pub = pub
	return k, true
}

// staticKeySet is a key set given at construction; never refreshed.
type staticKeySet struct{ snap *keySnapshot }

func (s *staticKeySet) keys(_ context.Context, kid string, alg *jwtAlgorithm) ([]*jwtKey, error) {
	keys, err := s.snap.find(kid, alg)
	if err != nil {
		return nil, keyError(err)
	}
	return keys, nil
}

// remoteKeySet is the key set at an issuer's jwks_uri. It is safe for
// concurrent use.
type remoteKeySet struct {
	ref          *endpointRef // the JWK Set's URL
	client       *http.Client // nil: fetch.DefaultClient
	now          func() time.Time
	refreshEvery time.Duration
	minInterval  time.Duration
	logger       *slog.Logger

	// ctx ends when the verifier is closed, ending fetches in flight.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // fetch goroutines

	current atomic.Pointer[keySnapshot] // nil until a fetch succeeds

	mu        sync.Mutex
	flight    *keyFetch // the fetch in progress, if any
	lastStart time.Time // when the last fetch started
	lastErr   error     // why the last fetch failed, nil if it did not
	closed    bool
}

// keyFetch is one fetch of a key set that several callers may wait for.
type keyFetch struct {
	done chan struct{} // closed when snap and err are set
	snap *keySnapshot
	err  error
}

func newRemoteKeySet(ref *endpointRef, s *settings) *remoteKeySet {
	ctx, cancel := context.WithCancel(context.Background())
	return &remoteKeySet{
		ref:          ref,
		client:       s.httpClient,
		now:          s.clock,
		refreshEvery: s.refreshEvery,
		minInterval:  s.minRefresh,
		logger:       s.logger,
		ctx:          ctx,
		cancel:       cancel,
	}
}

func (r *remoteKeySet) keys(ctx context.Context, kid string, alg *jwtAlgorithm) ([]*jwtKey, error) {
	snap := r.current.Load()
	if snap != nil {
		if !r.now().Before(snap.fetched.Add(r.refreshEvery)) {
			r.start() // refresh in the background; the current keys serve meanwhile
		}
		keys, err := snap.find(kid, alg)
		if !errors.Is(err, errUnknownKey) {
			if err != nil {
				return nil, keyError(err)
			}
			return keys, nil
		}
	}
	// No keys yet, or none for this token: fetch now, unless a fetch
	// started less than the minimum interval ago.
	f, err := r.start()
	if f == nil {
		if snap == nil {
			return nil, ProviderUnavailable("the authorization server's signing keys are unavailable", r.failure(err))
		}
		return nil, keyError(errUnknownKey)
	}
	if err := r.wait(ctx, f); err != nil {
		return nil, ProviderUnavailable("the authorization server's signing keys are unavailable", err)
	}
	keys, err := f.snap.find(kid, alg)
	if err != nil {
		return nil, keyError(err)
	}
	return keys, nil
}

// load fetches the key set unless a fetch is in flight or the rate limit
// forbids it, and waits for the result. The constructor calls it.
func (r *remoteKeySet) load(ctx context.Context) error {
	f, err := r.start()
	if f == nil {
		return err
	}
	return r.wait(ctx, f)
}

// start returns the fetch in flight, or starts one. It returns nil and the
// reason when the verifier is closed or the last fetch started less than
// the minimum interval ago.
func (r *remoteKeySet) start() (*keyFetch, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.flight != nil {
		return r.flight, nil
	}
	if r.closed {
		return nil, errKeySetClosed
	}
	now := r.now()
	if since := now.Sub(r.lastStart); !r.lastStart.IsZero() && since >= 0 && since < r.minInterval {
		return nil, errRefreshWindow
	}
	f := &keyFetch{done: make(chan struct{})}
	r.flight, r.lastStart = f, now
	r.wg.Add(1)
	go r.run(f)
	return f, nil
}

// failure adds the last fetch's failure, if any, to err, for logs.
func (r *remoteKeySet) failure(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastErr != nil {
		return fmt.Errorf("%w; last fetch: %w", err, r.lastErr)
	}
	return err
}

// run performs fetch f. It runs on its own goroutine so that a caller whose
// request ends does not cancel the fetch other callers wait for; Close ends
// it.
func (r *remoteKeySet) run(f *keyFetch) {
	defer r.wg.Done()
	ctx, cancel := context.WithTimeout(r.ctx, jwtKeyFetchTimeout)
	snap, err := r.fetch(ctx)
	cancel()

	r.mu.Lock()
	if err == nil {
		snap.fetched = r.now()
		if old := r.current.Swap(snap); old != nil {
			withdrawMissing(old, snap)
		}
		r.logger.Debug("bearer: fetched the signing keys", "issuer_keys", r.ref.what, "keys", len(snap.all))
	} else if r.ctx.Err() == nil { // not ended by Close
		r.logger.Warn("bearer: fetching the signing keys failed; keeping the previous keys", "error", err)
	}
	r.lastErr = err
	r.flight = nil
	if errors.Is(err, errKeysURLUnknown) {
		// Discovery, not the key set, failed: its own backoff bounds the
		// provider's load, and the keys are fetched as soon as it succeeds.
		r.lastStart = time.Time{}
	}
	r.mu.Unlock()

	f.snap, f.err = snap, err
	close(f.done)
}

// withdrawMissing marks the keys of old that next no longer holds: the
// verifications they made end (see jwtKey).
func withdrawMissing(old, next *keySnapshot) {
	for _, k := range old.all {
		if !slices.Contains(next.all, k) {
			k.withdrawn.Store(true)
		}
	}
}

// fetch reads and parses the key set.
func (r *remoteKeySet) fetch(ctx context.Context) (*keySnapshot, error) {
	url, err := r.ref.get(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errKeysURLUnknown, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	var doc json.RawMessage
	if err := fetch.Do(r.client, req, "JWKS", &doc); err != nil {
		return nil, err
	}
	snap, err := parseKeySet(doc, r.current.Load())
	if err != nil {
		return nil, fmt.Errorf("JWKS: %s: %w", req.URL.Redacted(), err)
	}
	return snap, nil
}

// wait waits for f, or for ctx to end.
func (r *remoteKeySet) wait(ctx context.Context, f *keyFetch) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close ends any fetch in flight, refuses new ones and waits for the
// fetch goroutines to return. Keys already loaded keep serving.
func (r *remoteKeySet) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

package bearer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// jwtEventually polls cond a bounded number of times, yielding in between.
func jwtEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 2000; i++ {
		if cond() {
			return
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestKeySetRotation(t *testing.T) {
	clock := newJWTClock()
	old := jwtNewKey(t, "ES256", "old")
	next := jwtNewKey(t, "ES256", "new")
	srv := newJWTKeyServer(t, jwtJWKS(old))
	v := jwtNewVerifier(t, srv, clock)
	claims := jwtClaimsAt(clock.Now())

	if _, err := v.Verify(context.Background(), jwtSign(t, old, claims, nil)); err != nil {
		t.Fatalf("old key: %v", err)
	}
	// The issuer rotates; the first token with the new kid makes one fetch
	// (the constructor's fetch was long enough ago).
	srv.setDoc(jwtJWKS(old, next))
	clock.Advance(DefaultMinRefreshInterval)
	if _, err := v.Verify(context.Background(), jwtSign(t, next, claims, nil)); err != nil {
		t.Fatalf("new key: %v", err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
	// Both keys now verify without further requests.
	for _, k := range []*jwtTestKey{old, next} {
		if _, err := v.Verify(context.Background(), jwtSign(t, k, jwtWith(claims, map[string]any{"jti": "again"}), nil)); err != nil {
			t.Fatalf("kid %s: %v", k.kid, err)
		}
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
}

func TestKeySetRotationWithinInterval(t *testing.T) {
	clock := newJWTClock()
	old := jwtNewKey(t, "ES256", "old")
	next := jwtNewKey(t, "ES256", "new")
	srv := newJWTKeyServer(t, jwtJWKS(old))
	v := jwtNewVerifier(t, srv, clock)
	srv.setDoc(jwtJWKS(old, next))
	token := jwtSign(t, next, jwtClaimsAt(clock.Now()), nil)

	// Right after the constructor's fetch, an unknown kid fails fast.
	_, err := v.Verify(context.Background(), token)
	jwtWantCode(t, err, CodeInvalidToken)
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS requests = %d, want 1", n)
	}
	clock.Advance(DefaultMinRefreshInterval)
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
}

func TestKeySetUnknownKidFlood(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "k")
	srv := newJWTKeyServer(t, jwtJWKS(key))
	v := jwtNewVerifier(t, srv, clock)
	clock.Advance(DefaultMinRefreshInterval) // the next miss may fetch once

	claims := jwtClaimsAt(clock.Now())
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for i := range 1000 {
		token := jwtSign(t, key, claims, map[string]any{"kid": fmt.Sprintf("random-%d", i)})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.Verify(context.Background(), token)
			errs <- err
		}()
		if i%100 == 99 {
			clock.Advance(900 * time.Millisecond) // 9 s in all: still within the interval
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		jwtWantCode(t, err, CodeInvalidToken)
	}
	if n := srv.requests.Load(); n > 2 {
		t.Fatalf("JWKS requests = %d, want at most 2 (constructor + one refresh)", n)
	}
}

func TestKeySetConcurrentMissesCoalesced(t *testing.T) {
	clock := newJWTClock()
	old := jwtNewKey(t, "ES256", "old")
	next := jwtNewKey(t, "ES256", "new")
	srv := newJWTKeyServer(t, jwtJWKS(old))
	v := jwtNewVerifier(t, srv, clock)
	<-srv.arrived // the constructor's request
	clock.Advance(DefaultMinRefreshInterval)
	srv.setDoc(jwtJWKS(old, next))
	release := srv.hold()
	defer release()

	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		token := jwtSign(t, next, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"jti": fmt.Sprint(i)}), nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.Verify(context.Background(), token)
			errs <- err
		}()
	}
	<-srv.arrived // the refresh is held at the server while callers pile up
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
}

func TestKeySetDownAtStart(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "k")
	srv := newJWTKeyServer(t, jwtJWKS(key))
	srv.failing.Store(true)
	issuers := []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: srv.URL}}

	t.Run("constructor fails", func(t *testing.T) {
		v, err := NewJWTVerifier(context.Background(), issuers, WithHTTPClient(srv.Client()), WithClock(clock.Now))
		if err == nil || v != nil {
			t.Fatalf("NewJWTVerifier = %v, %v; want an error", v, err)
		}
		if !errors.Is(err, ErrProviderUnavailable) {
			t.Errorf("errors.Is(err, ErrProviderUnavailable) = false: %v", err)
		}
	})
	t.Run("constructor honours its context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := NewJWTVerifier(ctx, issuers, WithHTTPClient(srv.Client())); err == nil {
			t.Fatal("no error with a cancelled context")
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		dead := newJWTKeyServer(t, nil)
		dead.Close()
		_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: dead.URL}})
		if !errors.Is(err, ErrProviderUnavailable) {
			t.Fatalf("err = %v, want ErrProviderUnavailable", err)
		}
	})
	t.Run("lazy: 503 until the keys can be fetched", func(t *testing.T) {
		before := srv.requests.Load()
		v, err := NewJWTVerifier(context.Background(), issuers,
			WithHTTPClient(srv.Client()), WithClock(clock.Now), WithLazyKeys())
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if n := srv.requests.Load() - before; n != 0 {
			t.Fatalf("lazy constructor made %d requests", n)
		}
		token := jwtSign(t, key, jwtClaimsAt(clock.Now()), nil)
		for range 3 { // the first fails on a fetch, the others without one
			_, err = v.Verify(context.Background(), token)
			jwtWantCode(t, err, CodeProviderUnavailable)
			if !errors.Is(err, ErrProviderUnavailable) || errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want only ErrProviderUnavailable", err)
			}
		}
		if n := srv.requests.Load() - before; n != 1 {
			t.Fatalf("JWKS requests = %d, want 1", n)
		}
		srv.failing.Store(false)
		clock.Advance(DefaultMinRefreshInterval)
		if _, err := v.Verify(context.Background(), token); err != nil {
			t.Fatalf("after recovery: %v", err)
		}
	})
}

func TestKeySetBadDocuments(t *testing.T) {
	key := jwtNewKey(t, "ES256", "k")
	for _, tc := range []struct {
		name        string
		contentType string
		body        []byte
	}{
		{"not JSON", "application/json", []byte("<html>")},
		{"HTML content type", "text/html", jwtJWKS(key)},
		{"no keys", "application/json", []byte(`{"keys":[]}`)},
		{"only an encryption key", "application/json", []byte(`{"keys":[` + string(jwtMustJSON(jwtWith(key.jwk(false), map[string]any{"use": "enc"}))) + `]}`)},
		{"too large", "application/json", append(append([]byte(`{"keys":[],"x":"`), make([]byte, 1<<20)...), '"', '}')},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.Write(tc.body)
			}))
			defer srv.Close()
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: srv.URL}})
			if !errors.Is(err, ErrProviderUnavailable) {
				t.Fatalf("err = %v, want ErrProviderUnavailable", err)
			}
		})
	}
}

func TestKeySetParse(t *testing.T) {
	es := jwtNewKey(t, "ES256", "es")
	rs := jwtNewKey(t, "RS256", "rs")
	ed := jwtNewKey(t, "EdDSA", "")
	doc := jwtMustJSON(map[string]any{"keys": []any{
		es.jwk(true),
		rs.jwk(false),
		ed.jwk(false),
		jwtWith(es.jwk(false), map[string]any{"kid": "enc", "use": "enc"}),
		jwtWith(es.jwk(false), map[string]any{"kid": "ops", "key_ops": []string{"encrypt"}}),
		jwtWith(es.jwk(false), map[string]any{"kid": "ops-ok", "key_ops": []string{"verify"}}),
		jwtWith(es.jwk(false), map[string]any{"kid": "oaep", "alg": "RSA-OAEP"}),
		map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
		map[string]any{"kty": "RSA", "kid": "small", "n": jwtB64url(make([]byte, 128)), "e": "AQAB"},
		map[string]any{"kty": "XYZ", "kid": "future"},
		map[string]any{"kty": "EC", "kid": "broken", "crv": "P-256", "x": "AA", "y": "AA"},
	}})
	snap, err := parseKeySet(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range snap.all {
		kids = append(kids, fmt.Sprintf("%s/%s", k.kid, k.alg))
	}
	want := "[es/ES256 rs/ / ops-ok/]" // ed has no kid and no alg
	if got := fmt.Sprint(kids); got != want {
		t.Fatalf("usable keys = %s, want %s", got, want)
	}
	if len(snap.byKID["es"]) != 1 || snap.byKID[""] != nil {
		t.Fatalf("byKID = %v", snap.byKID)
	}
}

func TestKeySetRefreshFailureKeepsKeys(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "k")
	srv := newJWTKeyServer(t, jwtJWKS(key))
	v := jwtNewVerifier(t, srv, clock, WithCacheTTL(0))
	token := func() string { return jwtSign(t, key, jwtClaimsAt(clock.Now()), nil) }

	srv.failing.Store(true)
	clock.Advance(DefaultKeyRefreshInterval) // stale: the next token starts a background refresh
	if _, err := v.Verify(context.Background(), token()); err != nil {
		t.Fatalf("stale keys must still serve: %v", err)
	}
	jwtEventually(t, "the background refresh", func() bool { return srv.requests.Load() == 2 })
	jwtEventually(t, "the refresh to finish", func() bool {
		ks := v.remotes[0]
		ks.mu.Lock()
		defer ks.mu.Unlock()
		return ks.flight == nil
	})
	if _, err := v.Verify(context.Background(), token()); err != nil {
		t.Fatalf("after a failed refresh: %v", err)
	}
	// An unknown kid while the server is down cannot be judged: 503.
	clock.Advance(DefaultMinRefreshInterval)
	_, err := v.Verify(context.Background(), jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"kid": "new"}))
	jwtWantCode(t, err, CodeProviderUnavailable)
	// Within the interval after that failure, unknown kids are refused
	// without a request.
	before := srv.requests.Load()
	_, err = v.Verify(context.Background(), jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"kid": "newer"}))
	jwtWantCode(t, err, CodeInvalidToken)
	if n := srv.requests.Load(); n != before {
		t.Fatalf("JWKS requests = %d, want %d", n, before)
	}
}

func TestKeySetPeriodicRefresh(t *testing.T) {
	clock := newJWTClock()
	old := jwtNewKey(t, "ES256", "old")
	next := jwtNewKey(t, "ES256", "new")
	srv := newJWTKeyServer(t, jwtJWKS(old))
	v := jwtNewVerifier(t, srv, clock, WithKeyRefreshInterval(time.Minute), WithCacheTTL(0))
	oldToken := jwtSign(t, old, jwtClaimsAt(clock.Now()), nil)

	srv.setDoc(jwtJWKS(next)) // the old key is withdrawn
	clock.Advance(30 * time.Second)
	if _, err := v.Verify(context.Background(), oldToken); err != nil {
		t.Fatalf("before the refresh interval: %v", err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("JWKS requests = %d, want 1", n)
	}
	clock.Advance(30 * time.Second)
	v.Verify(context.Background(), oldToken) // starts the refresh; still served by the old keys
	jwtEventually(t, "the new keys", func() bool {
		_, err := v.Verify(context.Background(), oldToken)
		return err != nil
	})
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
}

func TestJWTVerifierCloseNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		clock := newJWTClock()
		key := jwtNewKey(t, "ES256", "k")
		srv := newJWTKeyServer(t, jwtJWKS(key))
		transport := &http.Transport{}
		client := &http.Client{Transport: transport}
		v, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: srv.URL}},
			WithHTTPClient(client), WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		<-srv.arrived
		if _, err := v.Verify(context.Background(), jwtSign(t, key, jwtClaimsAt(clock.Now()), nil)); err != nil {
			t.Fatal(err)
		}
		// Leave a fetch hanging at the server, then close.
		release := srv.hold()
		defer release()
		clock.Advance(DefaultKeyRefreshInterval)
		v.Verify(context.Background(), jwtSign(t, key, jwtClaimsAt(clock.Now()), nil))
		<-srv.arrived
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
		if err := v.Close(); err != nil { // idempotent
			t.Fatal(err)
		}
		// Keys already loaded still serve after Close; nothing is fetched.
		n := srv.requests.Load()
		if _, err := v.Verify(context.Background(), jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"jti": "x"})); err != nil {
			t.Fatalf("after Close: %v", err)
		}
		clock.Advance(time.Hour)
		v.Verify(context.Background(), jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"kid": "unknown"}))
		if m := srv.requests.Load(); m != n {
			t.Fatalf("fetched after Close")
		}
		release()
		transport.CloseIdleConnections()
		srv.Close()
	}()
	jwtEventually(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestJWTVerifyRace(t *testing.T) {
	clock := newJWTClock()
	keys := []*jwtTestKey{jwtNewKey(t, "ES256", "a"), jwtNewKey(t, "ES256", "b"), jwtNewKey(t, "EdDSA", "c")}
	srv := newJWTKeyServer(t, jwtJWKS(keys[0]))
	v := jwtNewVerifier(t, srv, clock, WithCacheSize(8), WithMinRefreshInterval(time.Second))

	var tokens []string
	for i := range 30 {
		k := keys[i%len(keys)]
		tokens = append(tokens, jwtSign(t, k, jwtWith(jwtClaimsAt(clock.Now()), map[string]any{"jti": fmt.Sprint(i)}), nil))
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				token := tokens[(g*7+i)%len(tokens)]
				info, err := v.Verify(context.Background(), token)
				if err == nil && info.Subject != "user-123" {
					t.Errorf("Subject = %q", info.Subject)
				}
				if err != nil && !errors.Is(err, ErrInvalidToken) && !errors.Is(err, ErrProviderUnavailable) {
					t.Errorf("unexpected error %v", err)
				}
				switch i % 50 {
				case 10:
					srv.setDoc(jwtJWKS(keys...))
				case 20:
					clock.Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
}

// TestKeySetNoKidBounded: a token without "kid" is checked against at most
// jwtMaxCandidateKeys keys, so a key set of many kid-less keys cannot make
// one token cost many signature checks.
func TestKeySetNoKidBounded(t *testing.T) {
	clock := newJWTClock()
	var keys []*jwtTestKey
	for range jwtMaxCandidateKeys + 2 {
		keys = append(keys, jwtNewKey(t, "ES256", ""))
	}
	v := jwtStaticVerifier(t, clock, jwtJWKS(keys...))
	claims := jwtClaimsAt(clock.Now())
	for i, k := range keys {
		_, err := v.Verify(context.Background(), jwtSign(t, k, claims, nil))
		if ok := err == nil; ok != (i < jwtMaxCandidateKeys) {
			t.Errorf("key %d: err = %v", i, err)
		}
	}
}

func TestKeySetSeveralIssuers(t *testing.T) {
	clock := newJWTClock()
	a, b := jwtNewKey(t, "ES256", "a"), jwtNewKey(t, "ES256", "b")
	srvA, srvB := newJWTKeyServer(t, jwtJWKS(a)), newJWTKeyServer(t, jwtJWKS(b))
	issuers := []TrustedIssuer{{Issuer: "https://a.example", JWKSURI: srvA.URL}, {Issuer: "https://b.example", JWKSURI: srvB.URL}}
	v, err := NewJWTVerifier(context.Background(), issuers, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	claims := jwtClaimsAt(clock.Now())
	if _, err := v.Verify(context.Background(), jwtSign(t, b, jwtWith(claims, map[string]any{"iss": "https://b.example"}), nil)); err != nil {
		t.Fatalf("issuer b: %v", err)
	}
	// Issuer a's key does not vouch for issuer b's tokens.
	_, err = v.Verify(context.Background(), jwtSign(t, a, jwtWith(claims, map[string]any{"iss": "https://b.example"}), nil))
	jwtWantCode(t, err, CodeInvalidToken)

	srvB.failing.Store(true)
	v2, err := NewJWTVerifier(context.Background(), issuers, WithClock(clock.Now))
	if err == nil || v2 != nil {
		t.Fatal("constructor succeeded with one key set down")
	}
}

// jwtLogBuffer is a goroutine-safe log sink.
type jwtLogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *jwtLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *jwtLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestKeySetLogs(t *testing.T) {
	clock := newJWTClock()
	key := jwtNewKey(t, "ES256", "k")
	srv := newJWTKeyServer(t, jwtJWKS(key))
	logs := &jwtLogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v := jwtNewVerifier(t, srv, clock, WithLogger(logger))
	srv.failing.Store(true)
	clock.Advance(DefaultMinRefreshInterval)
	token := jwtSign(t, key, jwtClaimsAt(clock.Now()), map[string]any{"kid": "rotated"})
	_, err := v.Verify(context.Background(), token)
	jwtWantCode(t, err, CodeProviderUnavailable)

	out := logs.String()
	for _, want := range []string{"fetched the signing keys", "fetching the signing keys failed", srv.URL} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, token) || strings.Contains(out, strings.Split(token, ".")[2]) {
		t.Errorf("logs contain the token:\n%s", out)
	}
}

// A remembered verification ends with its key: once a refresh no longer
// finds the key that checked a cached token, the token is refused; a key
// that stays published keeps its verifications (and is the same value
// across refreshes, so that a later withdrawal still reaches them).
func TestKeySetWithdrawnKeyEndsCachedVerifications(t *testing.T) {
	clock := newJWTClock()
	gone := jwtNewKey(t, "ES256", "gone")
	kept := jwtNewKey(t, "ES256", "kept")
	next := jwtNewKey(t, "ES256", "next")
	srv := newJWTKeyServer(t, jwtJWKS(gone, kept))
	v := jwtNewVerifier(t, srv, clock)
	claims := jwtClaimsAt(clock.Now())
	byGone, byKept := jwtSign(t, gone, claims, nil), jwtSign(t, kept, claims, nil)
	for _, tok := range []string{byGone, byKept} {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	// Two rotations: "gone" is withdrawn at the first, "kept" survives both.
	srv.setDoc(jwtJWKS(kept, next))
	clock.Advance(DefaultMinRefreshInterval)
	if _, err := v.Verify(context.Background(), jwtSign(t, next, claims, nil)); err != nil {
		t.Fatalf("new key: %v", err)
	}
	if _, err := v.Verify(context.Background(), byGone); err == nil {
		t.Fatal("a cached token of the withdrawn key is still accepted")
	}
	if _, err := v.Verify(context.Background(), byKept); err != nil {
		t.Fatalf("a cached token of a key still published: %v", err)
	}
	clock.Advance(DefaultMinRefreshInterval)
	third := jwtNewKey(t, "ES256", "third")
	srv.setDoc(jwtJWKS(next, third))
	if _, err := v.Verify(context.Background(), jwtSign(t, third, claims, nil)); err != nil {
		t.Fatalf("third key: %v", err)
	}
	if _, err := v.Verify(context.Background(), byKept); err == nil {
		t.Fatal("a cached token of a key withdrawn at the second rotation is still accepted")
	}
}

package faults

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// checkInvalid asserts a 401 error="invalid_token".
func checkInvalid(t *testing.T, r result) {
	t.Helper()
	if r.status != http.StatusUnauthorized || !strings.Contains(strings.Join(r.header.Values("WWW-Authenticate"), " "), `error="invalid_token"`) {
		t.Errorf("status %d, WWW-Authenticate %q; want 401 invalid_token", r.status, r.header.Values("WWW-Authenticate"))
	}
}

// TestKeyRotationWhileServing rotates the signing keys of an issuer whose
// JWK Set the test controls (behind the proxy): key A, then A and B, then
// B alone, while tokens keep arriving.
func TestKeyRotationWhileServing(t *testing.T) {
	const issuer = "https://rotation.example"
	a, b := newSigner(t, "key-a"), newSigner(t, "key-b")
	var doc atomic.Pointer[[]byte]
	publish := func(s ...*signer) { d := jwks(t, s...); doc.Store(&d) }
	publish(a)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(*doc.Load())
	}))
	defer backend.Close()

	base := goroutineBaseline()
	p, err := NewProxy(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	client := newClient()
	var clk clock
	// No result cache: every token is checked against the keys of the moment.
	v, err := bearer.NewJWTVerifier(context.Background(), []bearer.TrustedIssuer{{Issuer: issuer, JWKSURI: p.URL() + "/jwks"}},
		bearer.WithHTTPClient(client), bearer.WithClock(clk.Now), bearer.WithCacheTTL(0))
	if err != nil {
		t.Fatal(err)
	}
	h := protect(t, v, bearer.WithAudience(resource))
	fetches := func() int { return p.Count("/jwks") }
	tokenA := func() string { return a.sign(t, "", accessClaims(issuer)) }
	tokenB := func() string { return b.sign(t, "", accessClaims(issuer)) }
	interval := bearer.DefaultMinRefreshInterval + time.Second

	check200(t, do(t, h, tokenA()))
	if fetches() != 1 {
		t.Fatalf("%d fetches after start, want 1", fetches())
	}

	// B is published. Within the minimum interval after the last fetch a
	// token naming B is refused without a fetch (documented rate limit).
	publish(a, b)
	checkInvalid(t, do(t, h, tokenB()))
	if fetches() != 1 {
		t.Errorf("B token within the interval: %d fetches, want still 1", fetches())
	}
	// Past the interval, the first B token triggers one refresh and passes.
	clk.Advance(interval)
	check200(t, do(t, h, tokenB()))
	check200(t, do(t, h, tokenB()))
	if fetches() != 2 {
		t.Errorf("after the first B token: %d fetches, want 2", fetches())
	}
	// A tokens are still accepted while A is published, without fetching.
	check200(t, do(t, h, tokenA()))
	if fetches() != 2 {
		t.Errorf("A token with A and B known: %d fetches, want 2", fetches())
	}

	// A is withdrawn. Until the keys are fetched again, A tokens pass.
	publish(b)
	check200(t, do(t, h, tokenA()))
	// A token naming an unknown key, past the interval, makes the
	// verifier fetch at once (no sleep needed); after that A is gone.
	clk.Advance(interval)
	checkInvalid(t, do(t, h, b.sign(t, "key-c", accessClaims(issuer))))
	if fetches() != 3 {
		t.Errorf("after the unknown-kid token: %d fetches, want 3", fetches())
	}
	checkInvalid(t, do(t, h, tokenA()))
	check200(t, do(t, h, tokenB()))
	if fetches() != 3 {
		t.Errorf("at the end: %d fetches, want 3", fetches())
	}

	v.Close()
	p.Close()
	client.CloseIdleConnections()
	checkGoroutines(t, base)
}

// TestJWKSRefreshFailureKeepsKeys makes the refresh of a loaded key set
// fail in every way: the keys of the last good fetch keep verifying the
// real issuer's token, and a fixed provider is used again without restart.
func TestJWKSRefreshFailureKeepsKeys(t *testing.T) {
	u := startDevIssuer(t)
	rogue := newSigner(t, "")
	for _, in := range injections {
		t.Run(in.name, func(t *testing.T) {
			base := goroutineBaseline()
			p := newProxy(t, u)
			client := newClient()
			path := u.paths[callJWKS]
			var clk clock
			v, err := bearer.NewJWTVerifier(context.Background(), []bearer.TrustedIssuer{{Issuer: u.issuer, JWKSURI: u.proxyURL(p, callJWKS)}},
				bearer.WithHTTPClient(client), bearer.WithClock(clk.Now), bearer.WithCacheTTL(0),
				bearer.WithKeyRefreshInterval(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			h := protect(t, v, bearer.WithAudience(resource))
			check200(t, do(t, h, u.jwt))
			n0 := p.Count(path)

			in.apply(t, p, path)
			clk.Advance(time.Minute + time.Second) // the keys are now stale
			// The stale keys serve while the refresh runs in the background.
			check200(t, do(t, h, u.jwt))
			// A token naming an unknown key joins the refresh in flight and
			// shares its failure (503), or, if it already failed, is refused
			// within the minimum interval (401); never accepted.
			r := do(t, h, rogue.sign(t, "kid-unknown", accessClaims(u.issuer)))
			if r.status != http.StatusServiceUnavailable && r.status != http.StatusUnauthorized {
				t.Errorf("unknown kid during the failed refresh: status %d, want 503 or 401", r.status)
			}
			// The failed refresh kept the last good keys.
			check200(t, do(t, h, u.jwt))
			// One refresh, one request; except that a reset on a reused
			// keep-alive connection makes Go's transport retry the GET once
			// on a new one (net/http retries idempotent requests that got
			// no response on a reused connection).
			want := in.callsPerRequest()
			got := p.Count(path) - n0
			if got != want && (in.fault != Reset || got != 2) {
				t.Errorf("%d refresh requests, want %d", got, want)
			}
			t.Logf("%s: %d upstream request(s); unknown kid during the failed refresh got %d; the real token kept passing", in.name, got, r.status)

			in.heal(t, p, path)
			clk.Advance(bearer.DefaultMinRefreshInterval + time.Second)
			check200(t, do(t, h, u.jwt))

			v.Close()
			p.Close()
			client.CloseIdleConnections()
			checkGoroutines(t, base)
		})
	}
}

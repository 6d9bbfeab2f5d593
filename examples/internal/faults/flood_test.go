package faults

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// flood sends every token to h from workers goroutines and returns how
// many answers had each status.
func flood(t *testing.T, h http.Handler, tokens []string, workers int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tokens) {
					return
				}
				r := do(t, h, tokens[i])
				if r.status == http.StatusUnauthorized && !strings.Contains(strings.Join(r.header.Values("WWW-Authenticate"), " "), `error="invalid_token"`) {
					t.Errorf("401 without error=\"invalid_token\": %q", r.header.Values("WWW-Authenticate"))
				}
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return statuses
}

// TestUnknownKidFlood sends 1000 well-formed JWTs of the real issuer, signed
// by a key of the test's under random key IDs: each names a key the issuer
// never published, so each is refused (401), and the key set is fetched at
// most once per minimum refresh interval however many arrive.
func TestUnknownKidFlood(t *testing.T) {
	forEachProvider(t, testUnknownKidFlood)
}

func testUnknownKidFlood(t *testing.T, u *upstream) {
	rogue := newSigner(t, "")
	tokens := make([]string, 1000)
	for i := range tokens {
		tokens[i] = rogue.sign(t, "kid-"+rand.Text(), accessClaims(u.issuer))
	}
	for _, interval := range []time.Duration{bearer.DefaultMinRefreshInterval, 2 * time.Millisecond} {
		t.Run("min interval "+interval.String(), func(t *testing.T) {
			base := goroutineBaseline()
			p := newProxy(t, u)
			client := newClient()
			path := u.paths[callJWKS]
			start := time.Now()
			v, err := bearer.NewJWTVerifier(context.Background(), []bearer.TrustedIssuer{{Issuer: u.issuer, JWKSURI: u.proxyURL(p, callJWKS)}},
				bearer.WithHTTPClient(client), bearer.WithMinRefreshInterval(interval))
			if err != nil {
				t.Fatal(err)
			}
			h := protect(t, v, bearer.WithAudience(resource))
			statuses := flood(t, h, tokens, 8)
			elapsed := time.Since(start)
			fetches := p.Count(path) // the constructor's fetch included
			if statuses[http.StatusUnauthorized] != len(tokens) {
				t.Errorf("statuses %v, want %d × 401", statuses, len(tokens))
			}
			if limit := 1 + int(elapsed/interval); fetches > limit {
				t.Errorf("%d JWKS fetches in %v with a minimum interval of %v, want at most %d", fetches, elapsed, interval, limit)
			}
			t.Logf("%d unknown-kid tokens in %v: %d JWKS fetches (min interval %v, bound %d)", len(tokens), elapsed.Round(time.Millisecond), fetches, interval, 1+int(elapsed/interval))
			// The real token still works after the flood.
			check200(t, do(t, h, u.jwt))
			v.Close()
			p.Close()
			client.CloseIdleConnections()
			checkGoroutines(t, base)
		})
	}
}

// TestUserinfoRandomTokenFlood sends random opaque tokens to the userinfo
// verifier of a real provider. Without a budget each distinct token costs
// exactly one request (no amplification) and the provider's refusal is a
// 401, never a 503. With a budget (the default has one), a burst of
// distinct tokens costs at most the budget: the others are answered 503
// without a call, and a token verified before keeps being served from the
// cache. One refused token sent many times costs one request: concurrent
// look-ups are coalesced and the refusal is remembered.
func TestUserinfoRandomTokenFlood(t *testing.T) {
	forEachProvider(t, testUserinfoRandomTokenFlood)
}

func testUserinfoRandomTokenFlood(t *testing.T, u *upstream) {
	base := goroutineBaseline()
	p := newProxy(t, u)
	client := newClient()
	path := u.paths[callUserinfo]
	newVerifier := func(opts ...bearer.Option) http.Handler {
		t.Helper()
		v, err := bearer.NewUserinfoVerifier(u.issuer, u.proxyURL(p, callUserinfo), append([]bearer.Option{bearer.WithHTTPClient(client)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return protect(t, v)
	}
	const n = 300
	randomTokens := func() []string {
		tokens := make([]string, n)
		for i := range tokens {
			tokens[i] = rand.Text() + rand.Text()
		}
		return tokens
	}

	// No budget: one call per distinct token, every one a 401.
	h := newVerifier(bearer.WithProviderBudget(0, 0, 0))
	n0 := p.Count(path)
	statuses := flood(t, h, randomTokens(), 8)
	if statuses[http.StatusUnauthorized] != n {
		t.Errorf("no budget: statuses %v, want %d × 401", statuses, n)
	}
	if got := p.Count(path) - n0; got != n {
		t.Errorf("no budget: %d distinct tokens cost %d userinfo calls, want exactly %d", n, got, n)
	}
	t.Logf("no budget: %d distinct random tokens: %d userinfo calls, statuses %v", n, p.Count(path)-n0, statuses)

	// A budget of 50 calls at once and 1 a second.
	const burst = 50
	h = newVerifier(bearer.WithProviderBudget(1, burst, 8))
	check200(t, do(t, h, u.opaque)) // verified before the flood
	n0 = p.Count(path)
	start := time.Now()
	statuses = flood(t, h, randomTokens(), 8)
	elapsed := time.Since(start)
	calls := p.Count(path) - n0
	if limit := burst + 1 + int(elapsed/time.Second); calls > limit {
		t.Errorf("budget of %d + 1/s: %d distinct tokens in %v cost %d userinfo calls, want at most %d", burst, n, elapsed, calls, limit)
	}
	if statuses[http.StatusUnauthorized] != calls || statuses[http.StatusServiceUnavailable] != n-calls {
		t.Errorf("budget: statuses %v for %d calls, want a 401 per call and a 503 for every other token", statuses, calls)
	}
	for range 20 {
		check200(t, do(t, h, u.opaque))
	}
	if extra := p.Count(path) - n0 - calls; extra != 0 {
		t.Errorf("the token verified before the flood cost %d calls during it, want 0", extra)
	}
	t.Logf("budget %d + 1/s: %d distinct random tokens in %v: %d userinfo calls, statuses %v; the known token served from the cache", burst, n, elapsed.Round(time.Millisecond), calls, statuses)

	// One refused token, 100 times by 8 workers, on the default settings.
	h = newVerifier()
	same := make([]string, 100)
	bad := rand.Text() + rand.Text()
	for i := range same {
		same[i] = bad
	}
	n0 = p.Count(path)
	statuses = flood(t, h, same, 8)
	if calls := p.Count(path) - n0; calls != 1 || statuses[http.StatusUnauthorized] != len(same) {
		t.Errorf("one bad token sent %d times: %d userinfo calls and statuses %v, want 1 call and %d × 401", len(same), calls, statuses, len(same))
	}
	t.Logf("one random token sent %d times by 8 workers: %d userinfo call (coalesced, then remembered), statuses %v", len(same), p.Count(path)-n0, statuses)

	p.Close()
	client.CloseIdleConnections()
	checkGoroutines(t, base)
}

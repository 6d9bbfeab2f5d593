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
// verifier: each distinct token costs exactly one request to the provider
// (no amplification), and the provider's refusal is a 401, never a 503.
// The same bad token sent many times at once is coalesced while a look-up
// is in flight; refusals are not cached, so sequential repeats each cost a
// request (reported, not asserted).
func TestUserinfoRandomTokenFlood(t *testing.T) {
	forEachProvider(t, testUserinfoRandomTokenFlood)
}

func testUserinfoRandomTokenFlood(t *testing.T, u *upstream) {
	base := goroutineBaseline()
	p := newProxy(t, u)
	client := newClient()
	path := u.paths[callUserinfo]
	v, err := bearer.NewUserinfoVerifier(u.issuer, u.proxyURL(p, callUserinfo), bearer.WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	h := protect(t, v)

	const n = 300
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = rand.Text() + rand.Text()
	}
	statuses := flood(t, h, tokens, 8)
	if statuses[http.StatusUnauthorized] != n {
		t.Errorf("statuses %v, want %d × 401", statuses, n)
	}
	if got := p.Count(path); got != n {
		t.Errorf("%d distinct tokens cost %d userinfo calls, want exactly %d", n, got, n)
	}
	t.Logf("%d distinct random tokens: %d userinfo calls, statuses %v", n, p.Count(path), statuses)

	same := make([]string, 100)
	for i := range same {
		same[i] = tokens[0]
	}
	n0 := p.Count(path)
	statuses = flood(t, h, same, 8)
	calls := p.Count(path) - n0
	if calls < 1 || calls > len(same) {
		t.Errorf("one bad token sent %d times: %d userinfo calls, want 1..%d", len(same), calls, len(same))
	}
	t.Logf("one random token sent %d times by 8 workers: %d userinfo calls (refusals are not cached), statuses %v", len(same), calls, statuses)

	p.Close()
	client.CloseIdleConnections()
	checkGoroutines(t, base)
}

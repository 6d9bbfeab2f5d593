package faults

import (
	"context"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// TestCachedSuccessSurvivesOutage pins an intended behaviour: a token
// verified once is not verified upstream again within the cache TTL, even
// while the provider fails, so a provider outage does not log out users
// already seen, for up to the TTL and never past the token's expiry. A
// token revoked during that window is accepted until the TTL ends; that is
// the documented price of the cache (WithCacheTTL(0) turns it off).
func TestCachedSuccessSurvivesOutage(t *testing.T) {
	u := startDevIssuer(t)
	cases := []struct {
		name  string
		call  call
		token string
		ttl   time.Duration // when the cached answer must be gone
		// afterTTL is the status once the cache entry is gone and the
		// provider still fails: 503 for remote calls; 401 for the JWT
		// verifier, whose cached answer ends at exp and which needs no
		// provider to reject an expired token.
		afterTTL int
	}{
		{name: "userinfo default TTL", call: callUserinfo, token: u.opaque, ttl: 60 * time.Second, afterTTL: 503},
		{name: "introspection default TTL", call: callIntrospection, token: u.opaque, ttl: 5 * time.Minute, afterTTL: 503},
		// A TTL longer than the token's life: the entry must still end at
		// exp (the development issuer's tokens live 1 h), plus the leeway.
		{name: "introspection TTL past exp", call: callIntrospection, token: u.opaque, ttl: time.Hour + 2*time.Minute, afterTTL: 503},
		{name: "jwt TTL capped at exp", call: callJWKS, token: u.jwt, ttl: time.Hour + 2*time.Minute, afterTTL: 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := goroutineBaseline()
			p := newProxy(t, u)
			client := newClient()
			var clk clock
			path := u.paths[tc.call]
			var v bearer.Verifier
			var closeV func()
			var err error
			switch tc.call {
			case callUserinfo:
				v, err = bearer.NewUserinfoVerifier(u.issuer, u.proxyURL(p, tc.call), bearer.WithHTTPClient(client), bearer.WithClock(clk.Now))
			case callIntrospection:
				opts := []bearer.Option{bearer.WithHTTPClient(client), bearer.WithClock(clk.Now)}
				if tc.ttl > 5*time.Minute {
					opts = append(opts, bearer.WithCacheTTL(3*time.Hour))
				}
				v, err = bearer.NewIntrospectionVerifier(u.issuer, u.proxyURL(p, tc.call), u.creds, opts...)
			case callJWKS:
				var jv *bearer.JWTVerifier
				jv, err = bearer.NewJWTVerifier(context.Background(), []bearer.TrustedIssuer{{Issuer: u.issuer, JWKSURI: u.proxyURL(p, tc.call)}},
					bearer.WithHTTPClient(client), bearer.WithClock(clk.Now), bearer.WithCacheTTL(3*time.Hour))
				v, closeV = jv, func() { jv.Close() }
			}
			if err != nil {
				t.Fatal(err)
			}
			h := protect(t, v)
			check200(t, do(t, h, tc.token))
			n0 := p.Count(path)

			p.Set(path, Status503)
			for range 3 {
				check200(t, do(t, h, tc.token))
			}
			if got := p.Count(path) - n0; got != 0 {
				t.Errorf("cached token: %d upstream calls during the outage, want 0", got)
			}

			clk.Advance(tc.ttl + time.Second)
			r := do(t, h, tc.token)
			if tc.afterTTL == 503 {
				check503(t, r, tc.token)
				if got := p.Count(path) - n0; got != 1 {
					t.Errorf("after the TTL: %d upstream calls, want 1", got)
				}
			} else if r.status != tc.afterTTL {
				t.Errorf("after exp: status %d, want %d; body %s", r.status, tc.afterTTL, r.body)
			}
			t.Logf("%s: cached answers served during the outage with 0 upstream calls; after %v: %d", tc.name, tc.ttl+time.Second, r.status)

			if closeV != nil {
				closeV()
			}
			p.Close()
			client.CloseIdleConnections()
			checkGoroutines(t, base)
		})
	}
}

package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/examples/internal/interop"
	"github.com/mcp-auth/go/mcpauth/rediscache/redistest"
)

// initializeBody is an MCP initialize request: any replica answers it 200
// to an accepted token, with no session needed.
const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fleet","version":"1"}}}`

// A fleet: three whoami replicas behind a round-robin reverse proxy on
// loopback, the Logto-like provider, and (or not) one shared redis-server.
// Every request carries the same opaque token (userinfo mode, the seed's):
// with the shared cache the fleet asks the provider once, without it once
// per replica.
func TestFleetSharesVerifications(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	p := interop.StartProvider(t, interop.ProviderOptions{})
	token := providerToken(t, ctx, p, "")
	redisAddr := redistest.Start(t)

	for _, tc := range []struct {
		name      string
		redis     string
		wantCalls uint64
	}{
		{"shared cache", redisAddr, 1},
		{"no shared cache", "", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			front := httptest.NewUnstartedServer(nil)
			resource := "http://" + front.Listener.Addr().String() + "/mcp"
			var replicas []*app
			for range 3 {
				replicas = append(replicas, startWhoami(t, options{issuer: p.Issuer, verifier: "userinfo", resource: resource, redisAddr: tc.redis}))
			}
			serveRoundRobin(t, front, replicas)

			const requests = 30
			for i := range requests {
				status, _, body := rawPostBody(t, resource, token, initializeBody)
				if status != http.StatusOK {
					t.Fatalf("request %d: %d %s", i, status, body)
				}
			}
			calls, hits := fleetStats(t, replicas)
			t.Logf("%s: %d requests over 3 replicas: %d userinfo calls, %d shared-cache hits", tc.name, requests, calls, hits)
			if calls != tc.wantCalls {
				t.Errorf("%d userinfo calls across the fleet, want %d", calls, tc.wantCalls)
			}
		})
	}
}

// Issue #11 with real parts: an introspection answer of active false for
// a revoked token is seen by every replica within the configured cache
// time. Three whoami replicas with -verifier introspection (the provider's
// introspector client), one shared redis-server and a cache time of 2 s,
// behind a round-robin proxy; the Logto-like provider issues the token
// and revokes it (RFC 7009, as the client it was issued to).
//
// The token is opaque and bound to the fleet's resource (the provider's
// OpaqueResourceTokens): oidc-provider introspects opaque tokens only (a
// JWT is answered unsupported_token_type), and whoami refuses by default
// a token whose introspection names no audience, as an opaque token
// obtained without a resource indicator does.
//
// Every replica's entry for the token ends at the same instant: the
// replica that introspected shares its answer with that end, and the
// others keep it locally until then. The first replica asked after it
// introspects, hears active false and shares the refusal before it
// answers; the others, asked one at a time, find the refusal in Redis. So
// the revocation costs the fleet exactly one more introspection call.
func TestFleetSeesRevocation(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	p := interop.StartProvider(t, interop.ProviderOptions{OpaqueResourceTokens: true})
	redisAddr := redistest.Start(t)
	const cacheTTL = 2 * time.Second

	front := httptest.NewUnstartedServer(nil)
	resource := "http://" + front.Listener.Addr().String() + "/mcp"
	tok, err := interop.CodeFlowToken(ctx, p, resource, "openid", "profile", "email", "whoami:read")
	if err != nil {
		t.Fatalf("code flow: %v\nprovider:\n%s", err, p.Stderr())
	}
	if strings.Contains(tok.AccessToken, ".") {
		t.Fatal("the provider issued a JWT; want an opaque token")
	}
	if got, err := p.Introspect(ctx, tok.AccessToken); err != nil || got["active"] != true || got["aud"] != resource {
		t.Fatalf("introspection before the revocation: %v, %v; want active with aud %s", got, err, resource)
	}

	var replicas []*app
	for range 3 {
		replicas = append(replicas, startWhoami(t, options{
			issuer: p.Issuer, verifier: "introspection", resource: resource, redisAddr: redisAddr,
			clientID: p.IntrospectClientID, clientSecret: p.IntrospectSecret, cacheTTL: cacheTTL,
		}))
	}
	serveRoundRobin(t, front, replicas)

	const requests = 30
	firstRequest := time.Now()
	for i := range requests {
		if status, _, body := rawPostBody(t, resource, tok.AccessToken, initializeBody); status != http.StatusOK {
			t.Fatalf("request %d before the revocation: %d %s", i, status, body)
		}
	}
	before, hits := fleetStats(t, replicas)
	if before != 1 {
		t.Errorf("%d requests over 3 replicas: %d introspection calls, want 1", requests, before)
	}

	status, err := p.Revoke(ctx, tok.ClientID, tok.AccessToken)
	if err != nil || status != http.StatusOK {
		t.Fatalf("revocation: %d, %v; want 200", status, err)
	}
	revokedAt := time.Now()
	if got, err := p.Introspect(ctx, tok.AccessToken); err != nil || got["active"] != false {
		t.Fatalf("introspection after the revocation: %v, %v; want active false", got, err)
	}

	// Poll every replica directly until each refuses the token. Until its
	// cache time is over a replica may still accept it; once it has
	// refused it, it must never accept it again.
	const polls, interval = 60, 100 * time.Millisecond // 6 s: three times the cache time
	refused := make([]bool, len(replicas))
	var rounds, pollRequests int
	for slices.Contains(refused, false) {
		if rounds == polls {
			t.Fatalf("after %d rounds %v apart, replicas refusing the revoked token: %v; want all", polls, interval, refused)
		}
		if rounds > 0 {
			time.Sleep(interval)
		}
		rounds++
		for i, a := range replicas {
			pollRequests++
			status, challenge, body := rawPostBody(t, a.origin+"/mcp", tok.AccessToken, initializeBody)
			switch {
			case status == http.StatusUnauthorized && strings.Contains(challenge, `error="invalid_token"`):
				refused[i] = true
			case status == http.StatusOK && !refused[i]:
			default:
				t.Fatalf("replica %d, round %d after the revocation: %d %q %s (refused before: %v)", i, rounds, status, challenge, body, refused[i])
			}
		}
	}
	lastRefusal := time.Now()
	// Through the proxy too, once round the fleet.
	for i := range replicas {
		if status, challenge, body := rawPostBody(t, resource, tok.AccessToken, initializeBody); status != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
			t.Errorf("request %d through the proxy after the revocation: %d %q %s; want 401 invalid_token", i, status, challenge, body)
		}
	}

	after, hitsAfter := fleetStats(t, replicas)
	t.Logf("cache time %v: %d requests before the revocation cost %d introspection call(s) (%d shared-cache hits); "+
		"the last replica refused it %v after the revocation, %v after the first request (%d polling rounds, %d requests); "+
		"the revocation cost %d more call(s) (%d shared-cache hits)",
		cacheTTL, requests, before, hits, lastRefusal.Sub(revokedAt).Round(time.Millisecond), lastRefusal.Sub(firstRequest).Round(time.Millisecond),
		rounds, pollRequests, after-before, hitsAfter-hits)
	if after-before != 1 {
		t.Errorf("the fleet learnt of the revocation with %d introspection calls, want 1", after-before)
	}
}

// serveRoundRobin starts front as a reverse proxy that sends each request
// to the next of replicas in turn, keeping the Host clients used, and
// closes it when the test ends.
func serveRoundRobin(t *testing.T, front *httptest.Server, replicas []*app) {
	t.Helper()
	targets := make([]*url.URL, len(replicas))
	for i, a := range replicas {
		u, err := url.Parse(a.origin)
		if err != nil {
			t.Fatal(err)
		}
		targets[i] = u
	}
	var next atomic.Uint64
	front.Config.Handler = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(targets[next.Add(1)%uint64(len(targets))])
		r.Out.Host = r.In.Host
	}}
	front.Start()
	t.Cleanup(front.Close)
}

// fleetStats sums the provider calls and shared-cache hits of the
// replicas' verifiers, and reports any failed shared-cache call.
func fleetStats(t *testing.T, replicas []*app) (calls, hits uint64) {
	t.Helper()
	for _, a := range replicas {
		for _, stats := range a.stats {
			s := stats()
			calls += s.ProviderCalls
			hits += s.SharedHits
			if s.SharedCacheErrors != 0 || s.SharedCacheRejects != 0 {
				t.Errorf("shared cache failures: %+v", s)
			}
		}
	}
	return calls, hits
}

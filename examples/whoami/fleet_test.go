package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/mcp-auth/go/examples/internal/interop"
	"github.com/mcp-auth/go/mcpauth/rediscache/redistest"
)

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
			var next atomic.Uint64
			front.Config.Handler = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
				target, _ := url.Parse(replicas[next.Add(1)%uint64(len(replicas))].origin)
				r.SetURL(target)
				r.Out.Host = r.In.Host
			}}
			front.Start()
			defer front.Close()

			const requests = 30
			for i := range requests {
				status, _, body := rawPostBody(t, resource, token, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fleet","version":"1"}}}`)
				if status != http.StatusOK {
					t.Fatalf("request %d: %d %s", i, status, body)
				}
			}
			var calls, hits uint64
			for _, a := range replicas {
				for _, stats := range a.stats {
					s := stats()
					calls += s.ProviderCalls
					hits += s.SharedHits
					if s.SharedCacheErrors != 0 {
						t.Errorf("shared cache errors: %+v", s)
					}
				}
			}
			t.Logf("%s: %d requests over 3 replicas: %d userinfo calls, %d shared-cache hits", tc.name, requests, calls, hits)
			if calls != tc.wantCalls {
				t.Errorf("%d userinfo calls across the fleet, want %d", calls, tc.wantCalls)
			}
		})
	}
}

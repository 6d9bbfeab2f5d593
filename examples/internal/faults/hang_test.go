package faults

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// TestHangBoundedByRequest uses a client without a timeout of its own
// (the verifiers then bound a shared call by 10 s): a hanging provider must
// still be answered with 503 as soon as the incoming request's context
// ends, and Close (of the proxy, and of the JWT verifier) must leave no
// goroutine behind.
func TestHangBoundedByRequest(t *testing.T) {
	u := startDevIssuer(t)
	const deadline = 300 * time.Millisecond
	for _, c := range []call{callUserinfo, callIntrospection, callJWKS} {
		t.Run(string(c), func(t *testing.T) {
			base := goroutineBaseline()
			p := newProxy(t, u)
			client := &http.Client{Transport: &http.Transport{}} // no timeout
			p.Set(u.paths[c], Hang)
			var v bearer.Verifier
			var closeV func()
			var err error
			token := u.opaque
			switch c {
			case callUserinfo:
				v, err = bearer.NewUserinfoVerifier(u.issuer, u.proxyURL(p, c), bearer.WithHTTPClient(client))
			case callIntrospection:
				v, err = bearer.NewIntrospectionVerifier(u.issuer, u.proxyURL(p, c), u.creds, bearer.WithHTTPClient(client))
			case callJWKS:
				var jv *bearer.JWTVerifier
				jv, err = bearer.NewJWTVerifier(context.Background(), []bearer.TrustedIssuer{{Issuer: u.issuer, JWKSURI: u.proxyURL(p, c)}},
					bearer.WithHTTPClient(client), bearer.WithLazyKeys())
				v, closeV, token = jv, func() { jv.Close() }, u.jwt
			}
			if err != nil {
				t.Fatal(err)
			}
			h := protect(t, v)
			r := doWithin(t, h, token, deadline)
			check503(t, r, token)
			t.Logf("%s hanging, request deadline %v, no client timeout: %d after %v", c, deadline, r.status, r.latency.Round(time.Millisecond))
			if closeV != nil {
				closeV()
			}
			p.Close() // releases the held upstream request
			client.CloseIdleConnections()
			checkGoroutines(t, base)
		})
	}
}

package faults

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/mcpauth"
)

// TestFrontDoorDuringOutage wires an MCP server the way the mcpauth
// documentation does (discovery, MCPAuth, a composite of the JWT and
// userinfo verifiers), with every provider URL going through the proxy, and
// then takes the provider down: the metadata is still served, JWTs are
// still verified with the keys already loaded, opaque tokens get 503 (never
// 401), and everything works again once the provider is back.
func TestFrontDoorDuringOutage(t *testing.T) {
	forEachProvider(t, func(t *testing.T, u *upstream) {
		base := goroutineBaseline()
		p := newProxy(t, u)
		client := newClient()
		ctx, cancel := context.WithTimeout(context.Background(), requestBound)
		defer cancel()
		// The document names the provider's own URLs; point them at the
		// proxy, as a deployment behind an egress proxy would.
		viaProxy := config.WithTransform(func(m *config.Metadata) error {
			m.JWKSURI = u.proxyURL(p, callJWKS)
			m.UserinfoEndpoint = u.proxyURL(p, callUserinfo)
			m.IntrospectionEndpoint = u.proxyURL(p, callIntrospection)
			return nil
		})
		as, err := mcpauth.FetchServerConfigByWellKnownURL(ctx, u.proxyURL(p, callDiscovery), mcpauth.OIDC,
			config.WithExpectedIssuer(u.issuer), config.WithHTTPClient(client), viaProxy)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
			Resource:             resource,
			AuthorizationServers: []*mcpauth.ServerConfig{as},
			ScopesSupported:      []string{"whoami:read"},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		jv, err := auth.JWTVerifier(bearer.WithHTTPClient(client))
		if err != nil {
			t.Fatal(err)
		}
		uv, err := auth.UserinfoVerifier(bearer.WithHTTPClient(client))
		if err != nil {
			t.Fatal(err)
		}
		cv, err := bearer.NewCompositeVerifier(jv, uv)
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		auth.Register(mux)
		// Opaque tokens at userinfo are bound to no resource: accepted here
		// knowingly, since this test is about the provider's outage.
		mux.Handle("/mcp", auth.BearerAuth(cv, bearer.InsecureAcceptUnboundTokens())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, _ := mcpauth.AuthInfoFromContext(r.Context())
			w.Write([]byte("hello " + info.Subject))
		})))

		if err := p.SetDown(true); err != nil {
			t.Fatal(err)
		}
		// The protected resource metadata is local: still served.
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), u.issuer) {
			t.Errorf("metadata during the outage: %d %s", rec.Code, rec.Body.String())
		}
		// No token: the usual 401 challenge, not a 503.
		if r := do(t, mux, ""); r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), "resource_metadata=") {
			t.Errorf("no token during the outage: %d %q", r.status, r.header.Values("WWW-Authenticate"))
		}
		// JWTs: checked locally with the keys loaded at startup.
		check200(t, do(t, mux, u.jwt))
		// Opaque tokens need the provider: 503, never 401.
		first := do(t, mux, u.opaque)
		check503(t, first, u.opaque)
		t.Logf("opaque token during the outage: %d, Retry-After %q, after %v", first.status, first.header.Get("Retry-After"), first.latency.Round(time.Millisecond))

		if err := p.SetDown(false); err != nil {
			t.Fatal(err)
		}
		check200(t, do(t, mux, u.opaque))
		check200(t, do(t, mux, u.jwt))

		jv.Close()
		p.Close()
		client.CloseIdleConnections()
		checkGoroutines(t, base)
	})
}

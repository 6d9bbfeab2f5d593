package mcpauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/mcpauth"
)

// A server starts before its provider: with a deferred authorization
// server, New fetches nothing, the metadata and the 401 challenge are served
// at once, tokens get 503 (never 401) while the provider is down, and the
// same server accepts them once the provider answers, without a restart.
func TestDeferredServerStartsBeforeItsProvider(t *testing.T) {
	p := newPrivateProvider(t)
	var up atomic.Bool
	var discoveries atomic.Int32
	// The provider, behind a switch: 503 for everything until it is up.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/.well-known/") {
			discoveries.Add(1)
		}
		if !up.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		r.URL.Scheme, r.URL.Host = "http", "auth.internal"
		resp, err := p.client.Transport.RoundTrip(r.Clone(r.Context()))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 1<<16)
		n, _ := resp.Body.Read(buf)
		w.Write(buf[:n])
	}))
	defer front.Close()
	client := &http.Client{Timeout: 5 * time.Second, Transport: p.client.Transport}

	as, err := mcpauth.DeferredServerConfig(privateIssuer, mcpauth.OIDC, config.WithHTTPClient(&http.Client{
		Timeout: 5 * time.Second, Transport: rewriteTo(front.URL),
	}), config.InsecureAllowHTTP())
	if err != nil {
		t.Fatal(err)
	}
	const resource = "http://mcp.internal/mcp"
	auth, err := mcpauth.New(mcpauth.Config{InsecureAllowHTTP: true, ProtectedResources: []mcpauth.ResourceConfig{{
		Resource: resource, AuthorizationServers: []*mcpauth.ServerConfig{as},
	}}})
	if err != nil {
		t.Fatalf("New with the provider down: %v", err)
	}
	jv, err := auth.JWTVerifier(bearer.WithHTTPClient(client))
	if err != nil {
		t.Fatalf("JWTVerifier with the provider down: %v", err)
	}
	defer jv.Close()
	if n := discoveries.Load(); n != 0 {
		t.Fatalf("%d discovery requests before the first token; want none", n)
	}
	mux := http.NewServeMux()
	auth.Register(mux)
	mux.Handle("/mcp", auth.BearerAuth(jv)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.AuthInfoFromContext(r.Context())
		w.Write([]byte(info.Subject))
	})))
	do := func(method, path, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}

	if rec := do(http.MethodGet, "/.well-known/oauth-protected-resource/mcp", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), privateIssuer) {
		t.Errorf("metadata while the provider is down: %d %s", rec.Code, rec.Body)
	}
	if rec := do(http.MethodPost, "/mcp", ""); rec.Code != 401 || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "resource_metadata") {
		t.Errorf("no token while the provider is down: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	token := p.jwt(t, resource)
	for range 5 {
		if rec := do(http.MethodPost, "/mcp", token); rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("a token while the provider is down: %d %s; want 503 with Retry-After", rec.Code, rec.Body)
		}
	}
	if rec := do(http.MethodGet, "/.well-known/oauth-authorization-server", ""); rec.Code != 503 {
		t.Errorf("RFC 8414 mirror while the provider is down: %d %s; want 503", rec.Code, rec.Body)
	}
	if n := discoveries.Load(); n > 2 {
		t.Errorf("%d discovery requests for 6 requests while down; the backoff allows 1 (plus 1 for Auto variants)", n)
	}

	up.Store(true)
	deadline := time.Now().Add(10 * time.Second) // past the 1 s backoff
	for {
		rec := do(http.MethodPost, "/mcp", token)
		if rec.Code == 200 && rec.Body.String() == "alice" {
			break
		}
		if rec.Code != 503 || time.Now().After(deadline) {
			t.Fatalf("once the provider is up: %d %s", rec.Code, rec.Body)
		}
		time.Sleep(50 * time.Millisecond) // polling, bounded by the deadline
	}
	if rec := do(http.MethodGet, "/.well-known/oauth-authorization-server", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"jwks_uri"`) {
		t.Errorf("RFC 8414 mirror once discovered: %d %s", rec.Code, rec.Body)
	}
}

// rewriteTo sends every request to base, whatever its URL's host.
func rewriteTo(base string) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		u := *r.URL
		u.Scheme, u.Host = "http", strings.TrimPrefix(base, "http://")
		r.URL, r.Host = &u, u.Host
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

package mcpauth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/mcpauth"
)

// fetchServer discovers p with the real discovery code.
func fetchServer(t testing.TB, p *testProvider) *mcpauth.ServerConfig {
	t.Helper()
	s, err := mcpauth.FetchServerConfig(context.Background(), p.URL, mcpauth.OIDC)
	if err != nil {
		t.Fatalf("FetchServerConfig: %v", err)
	}
	return s
}

// tokens is a verifier that knows a fixed set of tokens.
func tokens(known map[string]*mcpauth.AuthInfo) mcpauth.VerifierFunc {
	return func(_ context.Context, token string) (*mcpauth.AuthInfo, error) {
		if info, ok := known[token]; ok {
			return info, nil
		}
		return nil, bearer.InvalidToken("unknown token", nil)
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	p := newTestProvider(t, nil)
	as := fetchServer(t, p)
	noPKCE := fetchServer(t, newTestProvider(t, func(d map[string]any) { delete(d, "code_challenge_methods_supported") }))
	const res = "http://127.0.0.1:3001/mcp"

	tests := []struct {
		name string
		cfg  mcpauth.Config
		want string
	}{
		{"neither mode", mcpauth.Config{}, "set Server"},
		{"both modes", mcpauth.Config{Server: as, ProtectedResources: []mcpauth.ResourceConfig{{Resource: res, AuthorizationServers: []*mcpauth.ServerConfig{as}}}}, "not both"},
		{"nil legacy server metadata issuer", mcpauth.Config{Server: &mcpauth.ServerConfig{Type: mcpauth.OIDC}}, "issuer"},
		{"resource without servers", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{Resource: res}}}, "no authorization server"},
		{"empty resource", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{AuthorizationServers: []*mcpauth.ServerConfig{as}}}}, "has no Resource"},
		{"duplicate resource", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{
			{Resource: res, AuthorizationServers: []*mcpauth.ServerConfig{as}},
			{Resource: res, AuthorizationServers: []*mcpauth.ServerConfig{as}},
		}}, "configured twice"},
		{"duplicate authorization server", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{
			{Resource: res, AuthorizationServers: []*mcpauth.ServerConfig{as, as}},
		}}, "twice"},
		{"server without PKCE", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{
			{Resource: res, AuthorizationServers: []*mcpauth.ServerConfig{noPKCE}},
		}}, "pkce_not_supported"},
		{"http resource on a public host", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{
			{Resource: "http://mcp.example.com/mcp", AuthorizationServers: []*mcpauth.ServerConfig{as}},
		}}, "https"},
		{"resource with fragment", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{
			{Resource: "https://mcp.example.com/mcp#x", AuthorizationServers: []*mcpauth.ServerConfig{as}},
		}}, "fragment"},
		{"document duplicates the resource", mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
			Resource: res, AuthorizationServers: []*mcpauth.ServerConfig{as},
			Document: func() (d metadataDoc) { d.Resource = res; return }(),
		}}}, "not on Document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := mcpauth.New(tt.cfg)
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error containing %q", a, tt.want)
			}
			if !errors.Is(err, mcpauth.ErrInvalidConfig) {
				t.Errorf("errors.Is(err, ErrInvalidConfig) = false for %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestResourceModeWiring(t *testing.T) {
	p := newTestProvider(t, nil)
	as := fetchServer(t, p)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resource := srv.URL + "/mcp"

	a, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource:             resource,
		AuthorizationServers: []*mcpauth.ServerConfig{as},
		ScopesSupported:      []string{"whoami:read", "whoami:admin"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	v := tokens(map[string]*mcpauth.AuthInfo{
		"good":        {Issuer: as.Metadata.Issuer, Subject: "alice", Audience: []string{resource}, Scopes: []string{"whoami:read"}, ExpiresAt: exp},
		"other-aud":   {Issuer: as.Metadata.Issuer, Subject: "alice", Audience: []string{"https://other.example/mcp"}, Scopes: []string{"whoami:read"}, ExpiresAt: exp},
		"other-iss":   {Issuer: "https://evil.example", Subject: "alice", Audience: []string{resource}, Scopes: []string{"whoami:read"}, ExpiresAt: exp},
		"no-scope":    {Issuer: as.Metadata.Issuer, Subject: "alice", Audience: []string{resource}, ExpiresAt: exp},
		"expired-tok": {Issuer: as.Metadata.Issuer, Subject: "alice", Audience: []string{resource}, Scopes: []string{"whoami:read"}, ExpiresAt: time.Now().Add(-time.Hour)},
	})
	a.Register(mux)
	mux.Handle("/mcp", a.BearerAuth(v, bearer.WithRequiredScopes("whoami:read"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, ok := mcpauth.AuthInfoFromContext(r.Context())
		if !ok {
			t.Error("no AuthInfo in the handler's context")
			return
		}
		io.WriteString(w, "hello "+info.Subject)
	})))
	metadataURL := srv.URL + "/.well-known/oauth-protected-resource/mcp"

	tests := []struct {
		token      string
		wantStatus int
		wantHeader []string // substrings of WWW-Authenticate
	}{
		{"", 401, []string{`resource_metadata="` + metadataURL + `"`, `scope="whoami:read"`}},
		{"good", 200, nil},
		{"other-aud", 401, []string{`error="invalid_token"`, `resource_metadata="` + metadataURL + `"`}},
		{"other-iss", 401, []string{`error="invalid_token"`}},
		{"expired-tok", 401, []string{`error="invalid_token"`}},
		{"unknown", 401, []string{`error="invalid_token"`}},
		{"no-scope", 403, []string{`error="insufficient_scope"`, `scope="whoami:read"`, `resource_metadata="` + metadataURL + `"`}},
	}
	for _, tt := range tests {
		t.Run("token="+tt.token, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, resource, strings.NewReader(`{}`))
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.wantStatus)
			}
			challenge := resp.Header.Get("WWW-Authenticate")
			for _, want := range tt.wantHeader {
				if !strings.Contains(challenge, want) {
					t.Errorf("WWW-Authenticate %q lacks %q", challenge, want)
				}
			}
			if tt.wantStatus == 200 && string(body) != "hello alice" {
				t.Errorf("body %q", body)
			}
		})
	}

	// The challenge's resource_metadata URL answers with this resource's document.
	for _, u := range []string{metadataURL, srv.URL + "/.well-known/oauth-protected-resource"} {
		doc := getJSON(t, u)
		if doc["resource"] != resource {
			t.Errorf("%s: resource = %v, want %s", u, doc["resource"], resource)
		}
		if as, _ := doc["authorization_servers"].([]any); len(as) != 1 || as[0] != p.URL {
			t.Errorf("%s: authorization_servers = %v", u, doc["authorization_servers"])
		}
	}
	// The RFC 8414 mirror serves the provider's document, unknown members included.
	mirror := getJSON(t, srv.URL+"/.well-known/oauth-authorization-server")
	if mirror["issuer"] != p.URL || mirror["x_vendor_extension"] != "kept" {
		t.Errorf("mirror = %v", mirror)
	}
}

func TestLegacyMode(t *testing.T) {
	p := newTestProvider(t, nil)
	as := fetchServer(t, p)
	const legacyAudience = "https://mcp.example.com/mcp"
	a, err := mcpauth.New(mcpauth.Config{Server: as, LegacyAudience: legacyAudience})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-authorization-server", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"x_vendor_extension":"kept"`) {
		t.Errorf("legacy mirror: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	a.ProtectedResourceMetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("protected resource metadata in legacy mode: %d, want 404", rec.Code)
	}

	// Tokens must come from the legacy server's issuer, for the stated
	// audience.
	v := tokens(map[string]*mcpauth.AuthInfo{
		"ours":         {Issuer: p.URL, Subject: "bob", Audience: []string{legacyAudience}},
		"theirs":       {Issuer: "https://evil.example", Subject: "bob", Audience: []string{legacyAudience}},
		"other-api":    {Issuer: p.URL, Subject: "bob", Audience: []string{"https://api.example.com"}},
		"no-audience":  {Issuer: p.URL, Subject: "bob"},
		"any-audience": {Issuer: p.URL, Subject: "bob", Audience: []string{}},
	})
	h := a.BearerAuth(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for token, want := range map[string]int{"ours": 200, "theirs": 401, "other-api": 401, "no-audience": 401, "any-audience": 401} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("token %s: status %d, want %d", token, rec.Code, want)
		}
	}

	// Legacy mode states its audience policy, or fails.
	for _, c := range []mcpauth.Config{{Server: as}, {Server: as, LegacyAudience: legacyAudience, InsecureSkipLegacyAudienceCheck: true}} {
		if _, err := mcpauth.New(c); !errors.Is(err, mcpauth.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", c, err)
		}
	}
	// Skipping the check, knowingly: any audience.
	skip, err := mcpauth.New(mcpauth.Config{Server: as, InsecureSkipLegacyAudienceCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	h = skip.BearerAuth(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for token, want := range map[string]int{"ours": 200, "other-api": 200, "no-audience": 200, "theirs": 401} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("skip: token %s: status %d, want %d", token, rec.Code, want)
		}
	}
}

func TestAuthenticatorSelection(t *testing.T) {
	as := fetchServer(t, newTestProvider(t, nil))
	a, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{
		{Resource: "http://127.0.0.1:1/a", AuthorizationServers: []*mcpauth.ServerConfig{as}},
		{Resource: "http://127.0.0.1:1/b", AuthorizationServers: []*mcpauth.ServerConfig{as}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	v := tokens(nil)
	if _, err := a.Authenticator(v); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Errorf("Authenticator with two resources: %v, want ErrInvalidConfig", err)
	}
	if _, err := a.ResourceAuthenticator("http://127.0.0.1:1/c", v); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Errorf("ResourceAuthenticator for an unknown resource: %v, want ErrInvalidConfig", err)
	}
	if _, err := a.ResourceAuthenticator("http://127.0.0.1:1/b", v); err != nil {
		t.Errorf("ResourceAuthenticator(b): %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("BearerAuth with an ambiguous resource did not panic at wiring time")
		}
	}()
	a.BearerAuth(v)
}

func TestVerifierConstructorsNeedTheirEndpoints(t *testing.T) {
	bare := fetchServer(t, newTestProvider(t, func(d map[string]any) {
		delete(d, "userinfo_endpoint")
		delete(d, "introspection_endpoint")
		d["jwks_uri"] = ""
	}))
	// OAuth servers need no jwks_uri in their metadata; discover this one as OAuth.
	bare.Type = config.OAuth
	a, err := mcpauth.New(mcpauth.Config{Server: bare, InsecureSkipLegacyAudienceCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.JWTVerifier(); !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "jwks_uri") {
		t.Errorf("JWTVerifier: %v", err)
	}
	if _, err := a.UserinfoVerifier(); !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "userinfo_endpoint") {
		t.Errorf("UserinfoVerifier: %v", err)
	}
	if _, err := a.IntrospectionVerifier(bearer.ClientCredentials{ClientID: "rs", ClientSecret: "s"}); !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "introspection_endpoint") {
		t.Errorf("IntrospectionVerifier: %v", err)
	}

	two, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource:             "http://127.0.0.1:1/mcp",
		AuthorizationServers: []*mcpauth.ServerConfig{fetchServer(t, newTestProvider(t, nil)), fetchServer(t, newTestProvider(t, nil))},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := two.UserinfoVerifier(); !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "exactly one") {
		t.Errorf("UserinfoVerifier with two servers: %v", err)
	}
}

func TestMCPAuthDoesNotCompileExampleCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	deps := goListDeps(t, "github.com/mcp-auth/go/mcpauth")
	for _, d := range deps {
		if strings.Contains(d, "mark3labs/mcp-go") || strings.Contains(d, "zitadel") || strings.Contains(d, "/examples/") {
			t.Errorf("mcpauth depends on %s", d)
		}
	}
}

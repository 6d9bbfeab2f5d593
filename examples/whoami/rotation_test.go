package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/examples/internal/interop"
	"github.com/mcp-auth/go/mcpauth"
)

// A key the provider stopped publishing verifies nothing more, not even a
// token verified (and remembered) before: a real rotation at a real
// provider (the Logto-like oidc-provider restarted on its port with new
// keys and none of the old ones). Before the fix, the remembered
// verification kept the old token accepted until its cache entry expired
// (up to 5 minutes).
func TestWithdrawnKeyEndsRememberedVerifications(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	p1 := interop.StartProvider(t, interop.ProviderOptions{})

	const resource = "http://127.0.0.1:3001/mcp"
	as, err := mcpauth.FetchServerConfig(ctx, p1.Issuer, mcpauth.OIDC)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource: resource, AuthorizationServers: []*mcpauth.ServerConfig{as},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	// A short refresh window, so that the test need not wait 10 s.
	jv, err := auth.JWTVerifier(bearer.WithMinRefreshInterval(200 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer jv.Close()
	h := auth.BearerAuth(jv)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	status := func(token string) int {
		req := httptest.NewRequest(http.MethodPost, resource, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	old := providerToken(t, ctx, p1, resource)
	if got := status(old); got != http.StatusOK {
		t.Fatalf("a token of the first keys: %d, want 200", got)
	}

	// The rotation: same issuer, new keys only.
	p1.Stop()
	p2 := interop.StartProvider(t, interop.ProviderOptions{Port: p1.Port})
	if p2.Issuer != p1.Issuer {
		t.Fatalf("issuer changed across the restart: %s, then %s", p1.Issuer, p2.Issuer)
	}
	fresh := providerToken(t, ctx, p2, resource)
	if strings.Split(fresh, ".")[0] == strings.Split(old, ".")[0] {
		t.Fatal("the new token has the old token's header: the keys did not change")
	}
	// The new token names an unknown key: the key set is fetched again
	// (once the refresh window allows, bounded here).
	deadline := time.Now().Add(10 * time.Second)
	for status(fresh) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the token of the new keys is still refused")
		}
		time.Sleep(50 * time.Millisecond) // polling, bounded by the deadline
	}
	// That refresh no longer holds the old key: the old token, remembered
	// as verified, is refused now.
	if got := status(old); got != http.StatusUnauthorized {
		t.Fatalf("the token of the withdrawn key after the refresh: %d, want 401", got)
	}
}

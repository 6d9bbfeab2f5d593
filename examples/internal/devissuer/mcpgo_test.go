package devissuer

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client/transport"
)

// TestMCPGoClientOAuth drives mcp-go's client OAuth handler (metadata
// discovery, dynamic registration, PKCE, code exchange) against the issuer,
// with Login playing the user.
func TestMCPGoClientOAuth(t *testing.T) {
	iss := startIssuer(t, Config{})
	c := testClient(t)
	store := transport.NewMemoryTokenStore()
	h := transport.NewOAuthHandler(transport.OAuthConfig{
		RedirectURI:           "http://localhost:8085/oauth/callback",
		Scopes:                []string{"openid", "offline_access", "whoami:read"},
		TokenStore:            store,
		AuthServerMetadataURL: iss.URL() + oauthMetadataPath,
		PKCEEnabled:           true,
		HTTPClient:            c,
	})
	ctx := t.Context()
	if err := h.RegisterClient(ctx, "mcp-go test client"); err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	verifier, err := transport.GenerateCodeVerifier()
	if err != nil {
		t.Fatal(err)
	}
	state, err := transport.GenerateState()
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := h.GetAuthorizationURL(ctx, state, transport.GenerateCodeChallenge(verifier))
	if err != nil {
		t.Fatalf("GetAuthorizationURL: %v", err)
	}
	redirect, err := iss.Login(ctx, c, authURL, "demo", "demo")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	q := redirect.Query()
	if q.Get("iss") != iss.URL() {
		t.Errorf("iss = %q", q.Get("iss"))
	}
	if err := h.ProcessAuthorizationResponse(ctx, q.Get("code"), q.Get("state"), verifier); err != nil {
		t.Fatalf("ProcessAuthorizationResponse: %v", err)
	}
	header, err := h.GetAuthorizationHeader(ctx)
	if err != nil || !strings.HasPrefix(header, "Bearer ") {
		t.Fatalf("GetAuthorizationHeader: %q, %v", header, err)
	}
	first, err := store.GetToken(ctx)
	if err != nil || first.RefreshToken == "" {
		t.Fatalf("stored token: %+v, %v", first, err)
	}
	refreshed, err := h.RefreshToken(ctx, first.RefreshToken)
	if err != nil || refreshed.AccessToken == "" || refreshed.AccessToken == first.AccessToken {
		t.Fatalf("RefreshToken: %v", err)
	}
}

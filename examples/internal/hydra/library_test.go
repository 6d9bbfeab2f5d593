package hydra_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/examples/internal/hydra"
)

// These tests prove the harness against the library: Hydra's discovery
// document, its JWT access tokens and its introspection answers go through
// the library's own discovery and verifiers. The library's API is used
// only in the helpers right below, so that a rename touches one place.

// resource is the MCP server the tokens are for; other is a second
// resource server of the same Hydra.
const (
	resource = "http://127.0.0.1:8931/mcp"
	other    = "http://127.0.0.1:8932/mcp"
)

func discover(t *testing.T, h *hydra.Hydra) *config.ServerConfig {
	t.Helper()
	cfg, err := config.Fetch(t.Context(), h.Issuer, config.OIDC)
	if err != nil {
		t.Fatalf("config.Fetch(%s): %v", h.Issuer, err)
	}
	if res := cfg.Validate(); !res.Valid() {
		t.Fatalf("Hydra's discovery fails validation: %v", res.Err())
	}
	return cfg
}

// behindPolicy is v behind the middleware's policy for audience and the
// issuer: the decision a request gets, as a Verifier.
type behindPolicy struct{ a *bearer.Authenticator }

func (p behindPolicy) Verify(ctx context.Context, token string) (*bearer.AuthInfo, error) {
	return p.a.AuthenticateToken(ctx, token)
}

func withPolicy(t *testing.T, v bearer.Verifier, issuer, audience string) bearer.Verifier {
	t.Helper()
	a, err := bearer.New(v, bearer.WithAudience(audience), bearer.WithIssuers(issuer))
	if err != nil {
		t.Fatalf("bearer.New: %v", err)
	}
	return behindPolicy{a}
}

func jwtVerifier(t *testing.T, h *hydra.Hydra, audience string) bearer.Verifier {
	t.Helper()
	cfg := discover(t, h)
	v, err := bearer.NewJWTVerifier(t.Context(),
		[]bearer.TrustedIssuer{{Issuer: cfg.Metadata.Issuer, JWKSURI: cfg.Metadata.JWKSURI}})
	if err != nil {
		t.Fatalf("NewJWTVerifier: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return withPolicy(t, v, cfg.Metadata.Issuer, audience)
}

// introspectionVerifier introspects at Hydra's admin endpoint, which
// discovery does not publish. The admin API ignores client credentials;
// the library requires some, so a confidential client's are given.
func introspectionVerifier(t *testing.T, h *hydra.Hydra, c *hydra.Client, audience string) bearer.Verifier {
	t.Helper()
	v, err := bearer.NewIntrospectionVerifier(h.Issuer, h.IntrospectionURL(),
		bearer.ClientCredentials{ClientID: c.ID, ClientSecret: c.Secret})
	if err != nil {
		t.Fatalf("NewIntrospectionVerifier: %v", err)
	}
	return withPolicy(t, v, h.Issuer, audience)
}

func userinfoVerifier(t *testing.T, h *hydra.Hydra) bearer.Verifier {
	t.Helper()
	cfg := discover(t, h)
	v, err := bearer.NewUserinfoVerifier(cfg.Metadata.Issuer, cfg.Metadata.UserinfoEndpoint)
	if err != nil {
		t.Fatalf("NewUserinfoVerifier: %v", err)
	}
	return v
}

func wantRefused(t *testing.T, what string, info *bearer.AuthInfo, err error, code bearer.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted (subject %q, audience %q), want refused", what, info.Subject, info.Audience)
	}
	if !errors.Is(err, bearer.ErrInvalidToken) {
		t.Fatalf("%s: %v, want ErrInvalidToken", what, err)
	}
	var e *bearer.Error
	if code != "" && (!errors.As(err, &e) || e.Code != code) {
		t.Fatalf("%s: %v, want code %s", what, err, code)
	}
}

// token runs the code flow and fails the test on error.
func token(t *testing.T, h *hydra.Hydra, c *hydra.Client, r hydra.Request) *hydra.Tokens {
	t.Helper()
	tok, err := h.CodeFlow(t.Context(), c, r)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestDiscoveryPassesValidation(t *testing.T) {
	// Without and with a trailing slash in the issuer.
	for _, h := range []*hydra.Hydra{shared(t, jwtOptions), shared(t, mcpOptions)} {
		cfg := discover(t, h)
		if cfg.Metadata.Issuer != h.Issuer {
			t.Errorf("issuer %q, want %q", cfg.Metadata.Issuer, h.Issuer)
		}
		if cfg.Metadata.RegistrationEndpoint == "" {
			t.Errorf("no registration_endpoint with dynamic registration enabled")
		}
		if res := cfg.Validate(); len(res.Warnings) != 0 {
			t.Errorf("warnings: %v", res.Warnings)
		}
	}
	// Hydra's default: no registration endpoint, which is a warning.
	res := discover(t, shared(t, opaqueOptions)).Validate()
	if len(res.Warnings) != 1 || res.Warnings[0].Code != config.CodeDynamicRegistrationNotSupported {
		t.Errorf("without registration: warnings %v, want %s", res.Warnings, config.CodeDynamicRegistrationNotSupported)
	}
}

func TestJWTBoundToAudience(t *testing.T) {
	h := shared(t, jwtOptions)
	client := h.PublicClient(t, hydra.ClientOptions{})
	v := jwtVerifier(t, h, resource)
	start := time.Now()

	tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "whoami:read"}, Audience: []string{resource}})
	info, err := v.Verify(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatalf("JWT for %s: %v", resource, err)
	}
	if info.Issuer != h.Issuer || info.Subject != h.User.Subject || info.ClientID != client.ID {
		t.Errorf("issuer %q subject %q client %q; want %q %q %q", info.Issuer, info.Subject, info.ClientID, h.Issuer, h.User.Subject, client.ID)
	}
	if !slices.Equal(info.Audience, []string{resource}) {
		t.Errorf("audience %q, want [%s]", info.Audience, resource)
	}
	if !slices.Equal(info.Scopes, []string{"openid", "whoami:read"}) {
		t.Errorf("scopes %q, want [openid whoami:read] (from scp)", info.Scopes)
	}
	if info.ExpiresAt.Before(start) {
		t.Errorf("expires at %v, before the flow began", info.ExpiresAt)
	}
	for claim, want := range map[string]string{"username": h.User.Username, "name": h.User.Name, "email": h.User.Email} {
		if got, _ := info.Claims[claim].(string); got != want {
			t.Errorf("top-level claim %s = %q, want %q", claim, got, want)
		}
	}

	t.Run("another audience is refused", func(t *testing.T) {
		tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "whoami:read"}, Audience: []string{other}})
		info, err := v.Verify(t.Context(), tok.AccessToken)
		wantRefused(t, "JWT for "+other, info, err, bearer.CodeInvalidAudience)
	})
	t.Run("no audience is refused", func(t *testing.T) {
		// resource alone: Hydra ignores it, the token has "aud": [].
		tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "whoami:read"}, Resource: []string{resource}})
		info, err := v.Verify(t.Context(), tok.AccessToken)
		wantRefused(t, "JWT without audience", info, err, bearer.CodeInvalidAudience)
	})
	t.Run("an ID token is not an access token", func(t *testing.T) {
		// Signed by the same issuer, but with the client as audience.
		info, err := v.Verify(t.Context(), tok.IDToken)
		wantRefused(t, "ID token", info, err, "")
	})
}

func TestOpaqueTokenIntrospected(t *testing.T) {
	h := shared(t, opaqueOptions)
	client := h.PublicClient(t, hydra.ClientOptions{})
	rs := h.ConfidentialClient(t, hydra.ClientOptions{Name: "resource server"})
	v := introspectionVerifier(t, h, rs, resource)

	tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "offline_access", "whoami:read"}, Audience: []string{resource}})
	info, err := v.Verify(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatalf("opaque token for %s: %v", resource, err)
	}
	if info.Issuer != h.Issuer || info.Subject != h.User.Subject || info.ClientID != client.ID {
		t.Errorf("issuer %q subject %q client %q; want %q %q %q", info.Issuer, info.Subject, info.ClientID, h.Issuer, h.User.Subject, client.ID)
	}
	if !slices.Equal(info.Audience, []string{resource}) {
		t.Errorf("audience %q, want [%s]", info.Audience, resource)
	}
	if !slices.Equal(info.Scopes, []string{"openid", "offline_access", "whoami:read"}) {
		t.Errorf("scopes %q", info.Scopes)
	}
	if info.ExpiresAt.IsZero() {
		t.Errorf("no expiry")
	}
	// Hydra puts the consent's access-token claims under "ext".
	ext, _ := info.Claims["ext"].(map[string]any)
	if got, _ := ext["email"].(string); got != h.User.Email {
		t.Errorf("ext.email = %q, want %q", got, h.User.Email)
	}

	t.Run("another audience is refused", func(t *testing.T) {
		tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "whoami:read"}, Audience: []string{other}})
		info, err := v.Verify(t.Context(), tok.AccessToken)
		wantRefused(t, "opaque token for "+other, info, err, bearer.CodeInvalidAudience)
	})
	t.Run("a refresh token is refused", func(t *testing.T) {
		// Hydra answers "active": true for it, with "token_use":
		// "refresh_token" and "token_type": "Bearer".
		info, err := v.Verify(t.Context(), tok.RefreshToken)
		wantRefused(t, "refresh token", info, err, bearer.CodeInvalidToken)
	})
	t.Run("a revoked token is refused", func(t *testing.T) {
		tok := token(t, h, client, hydra.Request{Scopes: []string{"whoami:read"}, Audience: []string{resource}})
		if err := h.Revoke(t.Context(), client, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		info, err := v.Verify(t.Context(), tok.AccessToken)
		wantRefused(t, "revoked token", info, err, bearer.CodeInvalidToken)
	})
	t.Run("garbage is refused", func(t *testing.T) {
		info, err := v.Verify(t.Context(), "ory_at_"+"x.y")
		wantRefused(t, "made-up token", info, err, bearer.CodeInvalidToken)
	})
}

// TestResourceIndicatorAsAudience is the MCP client's request: "resource"
// and no "audience", from a dynamically registered client with no audience
// list. Hydra ignores "resource"; the consent app grants it.
func TestResourceIndicatorAsAudience(t *testing.T) {
	h := shared(t, mcpOptions)
	for _, strategy := range []string{hydra.JWT, hydra.Opaque} {
		t.Run(strategy, func(t *testing.T) {
			var client *hydra.Client
			var v bearer.Verifier
			if strategy == hydra.JWT {
				var err error
				if client, err = h.Register(t.Context(), hydra.ClientOptions{}); err != nil {
					t.Fatal(err)
				}
				v = jwtVerifier(t, h, resource)
			} else {
				// Like a registered one: no audience list.
				client = h.PublicClient(t, hydra.ClientOptions{Audience: []string{}, AccessTokenStrategy: hydra.Opaque})
				v = introspectionVerifier(t, h, h.ConfidentialClient(t, hydra.ClientOptions{}), resource)
			}
			tok := token(t, h, client, hydra.Request{Scopes: []string{"offline_access", "whoami:read"}, Resource: []string{resource}})
			if isJWT := strings.Count(tok.AccessToken, ".") == 2; isJWT != (strategy == hydra.JWT) {
				t.Fatalf("strategy %s gave a token with %d dots", strategy, strings.Count(tok.AccessToken, "."))
			}
			info, err := v.Verify(t.Context(), tok.AccessToken)
			if err != nil {
				t.Fatalf("token for resource %s: %v", resource, err)
			}
			if !slices.Equal(info.Audience, []string{resource}) || info.Subject != h.User.Subject {
				t.Errorf("audience %q subject %q", info.Audience, info.Subject)
			}

			// A refreshed token keeps the audience granted at consent.
			refreshed, err := h.Refresh(t.Context(), client, tok.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if info, err := v.Verify(t.Context(), refreshed.AccessToken); err != nil || !slices.Equal(info.Audience, []string{resource}) {
				t.Errorf("refreshed token: %v", err)
			}

			// A resource the deployment does not know is not granted.
			tok = token(t, h, client, hydra.Request{Scopes: []string{"whoami:read"}, Resource: []string{other}})
			info, err = v.Verify(t.Context(), tok.AccessToken)
			wantRefused(t, "token for an unknown resource", info, err, bearer.CodeInvalidAudience)
		})
	}
}

func TestUserinfoAcceptsAudienceBoundJWT(t *testing.T) {
	h := shared(t, jwtOptions)
	client := h.PublicClient(t, hydra.ClientOptions{})
	tok := token(t, h, client, hydra.Request{Scopes: []string{"openid", "offline_access", "whoami:read"}, Audience: []string{resource}})
	info, err := userinfoVerifier(t, h).Verify(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatalf("userinfo with a JWT bound to %s: %v", resource, err)
	}
	if info.Subject != h.User.Subject {
		t.Errorf("subject %q", info.Subject)
	}
	for claim, want := range map[string]string{"username": h.User.Username, "name": h.User.Name, "email": h.User.Email} {
		if got, _ := info.Claims[claim].(string); got != want {
			t.Errorf("userinfo %s = %q, want %q", claim, got, want)
		}
	}
	if info.Audience != nil {
		t.Errorf("userinfo reported audience %q; it cannot know one", info.Audience)
	}
	// Hydra's userinfo refuses refresh tokens (401), unlike its
	// introspection.
	info, err = userinfoVerifier(t, h).Verify(t.Context(), tok.RefreshToken)
	wantRefused(t, "userinfo with a refresh token", info, err, "")
}

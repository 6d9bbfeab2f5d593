package main

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/mcp-auth/go/examples/internal/gosdkclient"
	"github.com/mcp-auth/go/examples/internal/hydra"
	"github.com/mcp-auth/go/examples/internal/interop"
)

// whoami with Ory Hydra as its provider, end to end, with the clients that
// run the OAuth flow themselves: the TypeScript SDK, the Go SDK and
// mcp-go's, over streamable HTTP and SSE. Hydra ignores RFC 8707's
// resource, so the consent app grants it as the audience (what a Hydra
// deployment for MCP must do: see README, "Ory Hydra"); its JWT access
// tokens then carry the identity at the top level
// (oauth2.allowed_top_level_claims).
func TestWhoamiWithHydra(t *testing.T) {
	h := hydra.Start(t, hydra.Options{
		AccessTokenStrategy:       hydra.JWT,
		Scopes:                    []string{"openid", "offline_access", "profile", "email", "whoami:read"},
		ResourceAsAudience:        true,
		DynamicClientRegistration: true,
		FormLogin:                 true,
	})
	a := startWhoami(t, options{issuer: h.Issuer})
	h.AllowResources(a.resource, a.sseResource)
	user := h.User
	login := func(ctx context.Context, authURL string) (*url.URL, error) {
		return h.Authorize(ctx, nil, authURL, user.Username, user.Password)
	}
	clients := []struct {
		name string
		call func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string
	}{
		{"TypeScript SDK", func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string {
			interop.Setup(t)
			tr := "streamable"
			if sse {
				tr = "sse"
			}
			// Hydra answers a registration with "client_uri": "" and
			// "contacts": null unless the client sent them, and the
			// TypeScript SDK's schema refuses that answer (see README, "Ory
			// Hydra"): this client sends both.
			res, err := interop.RunClient(t, ctx, mcpURL, "--tool", "whoami", "--transport", tr,
				"--username", user.Username, "--password", user.Password,
				"--client-metadata", `{"client_uri":"https://mcp-client.example","contacts":["dev@mcp-client.example"]}`)
			if err != nil {
				t.Fatalf("client: %v\n%s", err, res.Stderr)
			}
			return res.Text()
		}},
		{"Go SDK", func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string {
			// The Go SDK (v1.8.0) decodes a registration response's "jwks"
			// as a string; Hydra sends an object (as RFC 7591 says), so the
			// SDK cannot register there: a client registered at Hydra's
			// admin API instead, as a console would.
			c, err := h.CreateClient(ctx, hydra.ClientOptions{RedirectURIs: []string{gosdkclient.DefaultRedirectURL}}, false)
			if err != nil {
				t.Fatal(err)
			}
			text, err := gosdkclient.CallTool(ctx, gosdkclient.Config{URL: mcpURL, SSE: sse, Login: login, ClientID: c.ID}, "whoami", nil)
			if err != nil {
				t.Fatal(err)
			}
			return text
		}},
		{"mcp-go", func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string {
			return mcpGoOAuthCall(t, ctx, login, mcpURL, sse)
		}},
	}
	for _, cl := range clients {
		for _, tr := range []struct {
			name string
			url  string
			sse  bool
		}{{"streamable", a.resource, false}, {"sse", a.sseResource, true}} {
			t.Run(cl.name+"/"+tr.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
				defer cancel()
				text := cl.call(t, ctx, tr.url, tr.sse)
				claims := claimsOf(t, text)
				for k, want := range map[string]string{"sub": user.Subject, "username": user.Username, "name": user.Name, "email": user.Email} {
					if claims[k] != want {
						t.Errorf("whoami %s = %v, want %s (%s)", k, claims[k], want, text)
					}
				}
				if g, _ := claims["grant"].(map[string]any); mustJSON(g["audience"]) != mustJSON([]string{tr.url}) {
					t.Errorf("grant %v: want the audience [%s]", claims["grant"], tr.url)
				}
			})
		}
	}
}

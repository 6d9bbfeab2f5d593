package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/examples/internal/interop"
)

// These tests put the whoami example between parts nobody here wrote: the
// official TypeScript SDK client, a Logto-like provider (oidc-provider,
// Logto's engine) and the official conformance suite, all from npm.

func interopContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// The README's first command: whoami with its in-process development
// issuer, and the TypeScript SDK client doing everything a real agent does
// (401, metadata, registration, login, consent, token, call, step-up).
func TestTypeScriptClientAgainstWhoami(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	a := startWhoami(t, options{scopes: []string{"whoami:read"}, adminScope: "whoami:admin"})

	tests := []struct {
		name      string
		url       string
		args      []string
		wantAuths int
		wantScope string
	}{
		{"streamable whoami", a.resource, []string{"--tool", "whoami"}, 1, "whoami:read"},
		{"sse whoami", a.sseResource, []string{"--transport", "sse", "--tool", "whoami"}, 1, "whoami:read"},
		// token_info needs whoami:admin: 403 insufficient_scope, the SDK
		// authorizes again with the scopes the challenge lists.
		{"streamable step-up", a.resource, []string{"--tool", "token_info"}, 2, "whoami:admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := interop.RunClient(t, ctx, tt.url, tt.args...)
			if err != nil {
				t.Fatalf("client: %v\n%s", err, res.Stderr)
			}
			if res.IsError() {
				t.Fatalf("tool error: %s", res.Text())
			}
			if res.Authorizations != tt.wantAuths {
				t.Errorf("authorizations = %d, want %d", res.Authorizations, tt.wantAuths)
			}
			if !strings.Contains(res.Scope, tt.wantScope) {
				t.Errorf("final token scope %q lacks %q", res.Scope, tt.wantScope)
			}
			if !strings.Contains(res.Text(), `"sub"`) && !strings.Contains(res.Text(), `"subject"`) {
				t.Errorf("result names no subject: %s", res.Text())
			}
		})
	}
}

// The seed's promise with all defaults: the TypeScript SDK client, over
// streamable HTTP and SSE, gets sub, username, name and email from whoami.
func TestTypeScriptClientGetsTheIdentityByDefault(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	a := startWhoami(t, options{})
	u := devissuer.DemoUser()
	for _, url := range []string{a.resource, a.sseResource} {
		tr := "streamable"
		if url == a.sseResource {
			tr = "sse"
		}
		t.Run(tr, func(t *testing.T) {
			res, err := interop.RunClient(t, ctx, url, "--tool", "whoami", "--transport", tr)
			if err != nil {
				t.Fatalf("client: %v\n%s", err, res.Stderr)
			}
			claims := claimsOf(t, res.Text())
			for k, want := range map[string]string{"sub": u.ID, "username": u.Username, "name": u.Name, "email": u.Email} {
				if claims[k] != want {
					t.Errorf("whoami %s = %v, want %s (%s)", k, claims[k], want, res.Text())
				}
			}
		})
	}
}

// whoami against a Logto-like provider: ES384 JWT access tokens for clients
// that send a resource, opaque userinfo-only tokens for those that do not.
// Logto refuses resource-bound tokens at userinfo, so the identity reaches
// the MCP server only through the access token: with a "custom JWT claims"
// script (custom) whoami shows sub, username, name and email; without one
// (plain) it answers with sub and says which claims the provider did not
// supply.
func TestLogtoLikeProvider(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	custom := interop.StartProvider(t, interop.ProviderOptions{CustomAccessTokenClaims: true})
	plain := interop.StartProvider(t, interop.ProviderOptions{})
	demo := map[string]any{"sub": interop.DemoSubject, "username": "demo", "name": "Demo User", "email": "demo@example.com"}

	// The defaults (auto), and jwt with a scope of the resource's own.
	for _, o := range []options{{verifier: "auto"}, {verifier: "jwt", scopes: []string{"whoami:read"}}} {
		for _, tr := range []string{"streamable", "sse"} {
			t.Run(o.verifier+"/"+tr+"/custom claims/TypeScript client", func(t *testing.T) {
				o := o
				o.issuer = custom.Issuer
				a := startWhoami(t, o)
				url := a.resource
				if tr == "sse" {
					url = a.sseResource
				}
				res, err := interop.RunClient(t, ctx, url, "--tool", "whoami", "--transport", tr)
				if err != nil {
					t.Fatalf("client: %v\n%s\nprovider:\n%s", err, res.Stderr, custom.Stderr())
				}
				claims := claimsOf(t, res.Text())
				for k, want := range demo {
					if claims[k] != want {
						t.Errorf("whoami %s = %v, want %v (%s)", k, claims[k], want, res.Text())
					}
				}
				if g, _ := claims["grant"].(map[string]any); fmt.Sprint(g["audience"]) != "["+url+"]" {
					t.Errorf("grant = %v, want audience [%s]", claims["grant"], url)
				}
			})
		}
	}
	t.Run("auto/no custom claims/TypeScript client", func(t *testing.T) {
		a := startWhoami(t, options{issuer: plain.Issuer})
		res, err := interop.RunClient(t, ctx, a.resource, "--tool", "whoami")
		if err != nil {
			t.Fatalf("client: %v\n%s\nprovider:\n%s", err, res.Stderr, plain.Stderr())
		}
		claims := claimsOf(t, res.Text())
		if claims["sub"] != interop.DemoSubject || fmt.Sprint(claims["missing_claims"]) != "[username name email]" {
			t.Errorf("whoami = %s; want sub %s and missing_claims [username name email]", res.Text(), interop.DemoSubject)
		}
	})

	// Step-up: token_info needs whoami:admin; the SDK re-authorizes with the
	// scopes the 403 lists, replacing its own. The 403 names the identity
	// scopes too, so whoami still shows who is calling afterwards.
	t.Run("auto/TypeScript client step-up keeps the identity", func(t *testing.T) {
		a := startWhoami(t, options{issuer: custom.Issuer, scopes: []string{"whoami:read"}, adminScope: "whoami:admin"})
		res, err := interop.RunClient(t, ctx, a.resource, "--tool", "token_info", "--then", "whoami")
		if err != nil {
			t.Fatalf("client: %v\n%s\nprovider:\n%s", err, res.Stderr, custom.Stderr())
		}
		if res.IsError() || res.Authorizations != 2 || !strings.Contains(res.Text(), "whoami:admin") {
			t.Errorf("step-up: %d authorizations, result %s", res.Authorizations, res.Text())
		}
		claims := claimsOf(t, res.ThenText())
		for k, want := range demo {
			if claims[k] != want {
				t.Errorf("whoami after step-up: %s = %v, want %v (scope %q, %s)", k, claims[k], want, res.Scope, res.ThenText())
			}
		}
	})

	// An agent that sends no resource gets an opaque token. The default
	// refuses it (it cannot be bound to this server) and says what to do;
	// -verifier userinfo, the seed's mode, accepts it.
	t.Run("opaque token", func(t *testing.T) {
		token := providerToken(t, ctx, plain, "")
		if strings.Count(token, ".") == 2 {
			t.Fatalf("expected an opaque token, got a JWT")
		}
		a := startWhoami(t, options{issuer: plain.Issuer})
		status, challenge, body := rawPostBody(t, a.resource, token, `{"jsonrpc":"2.0","id":1,"method":"ping"}`)
		if status != 401 || !strings.Contains(challenge, `error="invalid_token"`) || !strings.Contains(body, "resource parameter") {
			t.Errorf("default: %d %q %s; want 401 invalid_token saying to use the resource parameter", status, challenge, body)
		}
		u := startWhoami(t, options{issuer: plain.Issuer, verifier: "userinfo"})
		s, err := connect(t, u, "streamable", token)
		if err != nil {
			t.Fatalf("userinfo: connect: %v", err)
		}
		text, err := s.call("whoami")
		if err != nil {
			t.Fatal(err)
		}
		claims := claimsOf(t, text)
		for k, want := range demo {
			if claims[k] != want {
				t.Errorf("userinfo: whoami %s = %v, want %v", k, claims[k], want)
			}
		}
	})

	// The jwt verifier refuses opaque tokens, and a JWT for another resource.
	t.Run("jwt/refusals", func(t *testing.T) {
		a := startWhoami(t, options{issuer: plain.Issuer, verifier: "jwt"})
		for name, token := range map[string]string{
			"opaque":         providerToken(t, ctx, plain, ""),
			"other resource": providerToken(t, ctx, plain, "http://127.0.0.1:1/mcp"),
		} {
			if status, challenge := rawPost(t, a.resource, token, `{"jsonrpc":"2.0","id":1,"method":"ping"}`); status != 401 || !strings.Contains(challenge, `error="invalid_token"`) {
				t.Errorf("%s: %d %q, want 401 invalid_token", name, status, challenge)
			}
		}
	})
}

// providerToken registers a public client at p and runs the code flow as
// the demo user, with resource ("" for none).
func providerToken(t *testing.T, ctx context.Context, p *interop.Provider, resource string) string {
	t.Helper()
	tok, err := interop.CodeFlow(ctx, p, resource, "openid", "profile", "email")
	if err != nil {
		t.Fatalf("code flow: %v\nprovider:\n%s", err, p.Stderr())
	}
	return tok
}

// The official conformance suite's server scenarios against the protected
// whoami endpoint, through a proxy that adds a valid token (the suite has no
// OAuth client of its own). The scenarios chosen are those that apply to a
// server without the suite's fixture tools.
func TestConformanceSuite(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	proxy := interop.BearerProxy(t, a.resource, getToken(t, iss, alice, a.resource))
	sum, err := interop.RunConformance(t, ctx, proxy, "server-initialize", "ping", "tools-list", "server-sse-multiple-streams", "dns-rebinding-protection")
	if err != nil {
		t.Fatalf("conformance: %v\n%s", err, sum.Output)
	}
	if sum.Failed > 0 || sum.Passed == 0 {
		t.Errorf("conformance: %d passed, %d failed: %v\n%s", sum.Passed, sum.Failed, sum.FailedChecks(), sum.Output)
	}
	t.Logf("conformance: %d checks passed, %d warnings", sum.Passed, sum.Warnings)
}

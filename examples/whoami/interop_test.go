package main

import (
	"context"
	"strings"
	"testing"
	"time"

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

// whoami against a Logto-like provider: ES384 JWT access tokens for clients
// that send a resource, opaque userinfo-only tokens for those that do not.
func TestLogtoLikeProvider(t *testing.T) {
	interop.Setup(t)
	ctx := interopContext(t)
	p := interop.StartProvider(t, interop.ProviderOptions{})

	// auto asks for the OpenID scopes (its opaque path needs them); jwt asks
	// for the resource's own scope (oidc-provider, like Logto, refuses an
	// authorization that grants no scope at all).
	for _, o := range []options{{verifier: "auto"}, {verifier: "jwt", scopes: []string{"whoami:read"}}} {
		t.Run(o.verifier+"/TypeScript client", func(t *testing.T) {
			o.issuer = p.Issuer
			a := startWhoami(t, o)
			res, err := interop.RunClient(t, ctx, a.resource, "--tool", "whoami")
			if err != nil {
				t.Fatalf("client: %v\n%s\nprovider:\n%s", err, res.Stderr, p.Stderr())
			}
			claims := claimsOf(t, res.Text())
			if claims["sub"] != interop.DemoSubject || claims["aud"] != a.resource {
				t.Errorf("claims = %v, want sub %s and aud %s", claims, interop.DemoSubject, a.resource)
			}
		})
	}

	// Step-up against the Logto-like provider: token_info needs whoami:admin;
	// the SDK re-authorizes with the scopes the 403 lists (ES384 JWTs).
	t.Run("jwt/TypeScript client step-up", func(t *testing.T) {
		a := startWhoami(t, options{issuer: p.Issuer, verifier: "jwt", scopes: []string{"whoami:read"}, adminScope: "whoami:admin"})
		res, err := interop.RunClient(t, ctx, a.resource, "--tool", "token_info")
		if err != nil {
			t.Fatalf("client: %v\n%s\nprovider:\n%s", err, res.Stderr, p.Stderr())
		}
		if res.IsError() || res.Authorizations != 2 || !strings.Contains(res.Text(), "whoami:admin") {
			t.Errorf("step-up: %d authorizations, result %s", res.Authorizations, res.Text())
		}
	})

	// An agent that sends no resource gets an opaque token; auto checks it at
	// userinfo, whose document whoami returns.
	t.Run("auto/opaque token", func(t *testing.T) {
		a := startWhoami(t, options{issuer: p.Issuer})
		token := providerToken(t, ctx, p, "")
		if strings.Count(token, ".") == 2 {
			t.Fatalf("expected an opaque token, got a JWT")
		}
		s, err := connect(t, a, "streamable", token)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		text, err := s.call("whoami")
		if err != nil {
			t.Fatal(err)
		}
		if claims := claimsOf(t, text); claims["sub"] != interop.DemoSubject || claims["email"] == nil {
			t.Errorf("userinfo claims = %v", claims)
		}
	})

	// The jwt verifier refuses opaque tokens, and a JWT for another resource.
	t.Run("jwt/refusals", func(t *testing.T) {
		a := startWhoami(t, options{issuer: p.Issuer, verifier: "jwt"})
		for name, token := range map[string]string{
			"opaque":         providerToken(t, ctx, p, ""),
			"other resource": providerToken(t, ctx, p, "http://127.0.0.1:1/mcp"),
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

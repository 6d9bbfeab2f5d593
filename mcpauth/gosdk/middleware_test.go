package gosdk_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/gosdk"
)

// Every request the Authenticator refuses gets, through the adapter, the
// very answer the Authenticator's own handler gives (status, challenge,
// body), and never reaches the SDK's handler.
func TestMiddlewareRefusalsAreTheAuthenticators(t *testing.T) {
	cases := []struct {
		name          string
		authorization []string
		status        int // what the Authenticator answers, checked so that a pass means something
	}{
		{"no Authorization header", nil, http.StatusUnauthorized},
		{"another scheme", []string{"Basic YWxpY2U6cHc="}, http.StatusUnauthorized},
		{"Bearer without token", []string{"Bearer"}, http.StatusUnauthorized},
		{"two Authorization headers", []string{"Bearer alice", "Bearer bob"}, http.StatusBadRequest},
		{"unknown token", []string{"Bearer nobody"}, http.StatusUnauthorized},
		{"token for another resource", []string{"Bearer other-resource"}, http.StatusUnauthorized},
		{"token from an untrusted issuer", []string{"Bearer other-issuer"}, http.StatusUnauthorized},
		{"token without the required scope", []string{"Bearer no-scope"}, http.StatusForbidden},
		{"authorization server unreachable", []string{"Bearer provider-down"}, http.StatusServiceUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeVerifier()
			authn := newAuthenticator(t, f)
			reached := false
			next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })

			want := serve(authn.Handler(next), request(http.MethodPost, tc.authorization...))
			callsAlone := f.calls.Load()
			got := serve(gosdk.Middleware(authn)(next), request(http.MethodPost, tc.authorization...))

			if reached {
				t.Fatal("a refused request reached the handler")
			}
			if want.status != tc.status {
				t.Fatalf("the Authenticator alone answers %d, the test expects %d", want.status, tc.status)
			}
			if got.status != want.status || !slices.Equal(got.challenge, want.challenge) ||
				got.contentType != want.contentType || got.body != want.body {
				t.Errorf("through the adapter:\n  %d %q %s %s\nthe Authenticator alone:\n  %d %q %s %s",
					got.status, got.challenge, got.contentType, got.body,
					want.status, want.challenge, want.contentType, want.body)
			}
			if n := f.calls.Load() - callsAlone; n != callsAlone {
				t.Errorf("the adapter called the verifier %d times, the Authenticator alone %d", n, callsAlone)
			}
		})
	}
}

// The first request of every MCP client: the challenge is this library's,
// with resource_metadata, not the SDK's "no bearer token".
func TestMiddlewareChallengeWithoutToken(t *testing.T) {
	authn := newAuthenticator(t, newFakeVerifier())
	got := serve(gosdk.Middleware(authn)(http.NotFoundHandler()), request(http.MethodPost))
	if got.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", got.status)
	}
	if len(got.challenge) != 1 || !strings.Contains(got.challenge[0], `resource_metadata="`+testMetadataURL+`"`) {
		t.Errorf("WWW-Authenticate %q, want one Bearer challenge with resource_metadata=%q", got.challenge, testMetadataURL)
	}
	if strings.Contains(got.body, "no bearer token") {
		t.Errorf("the SDK's refusal leaked through: %q", got.body)
	}
}

// An accepted request reaches the handler with both views of the caller:
// the SDK's TokenInfo and this library's AuthInfo, the same value, and the
// token verified once.
func TestMiddlewareHandsTheCallerToTheSDK(t *testing.T) {
	f := newFakeVerifier()
	authn := newAuthenticator(t, f)
	var ti *auth.TokenInfo
	var info *bearer.AuthInfo
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti = auth.TokenInfoFromContext(r.Context())
		info, _ = bearer.FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})

	got := serve(gosdk.Middleware(authn)(next), request(http.MethodPost, "Bearer alice"))
	if got.status != http.StatusNoContent {
		t.Fatalf("status %d (%s), want the handler's 204", got.status, got.body)
	}
	if ti == nil || info == nil {
		t.Fatalf("TokenInfo %v, AuthInfo %v: want both", ti, info)
	}
	if ti.UserID != "alice-id" || !slices.Equal(ti.Scopes, []string{"read"}) || !ti.Expiration.Equal(info.ExpiresAt) {
		t.Errorf("TokenInfo %+v does not match the AuthInfo %+v", ti, info)
	}
	if back, ok := gosdk.FromTokenInfo(ti); !ok || back != info {
		t.Errorf("FromTokenInfo = %p, %v; want the context's AuthInfo %p", back, ok, info)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("the verifier ran %d times, want once", n)
	}
}

// The SDK's own expiry check would refuse tokens the Authenticator accepts:
// one whose expiry the verifier cannot learn (userinfo) and one expired
// within the Authenticator's leeway. Through the adapter the Authenticator's
// decision stands.
func TestMiddlewareKeepsTheAuthenticatorsExpiryDecision(t *testing.T) {
	for _, token := range []string{"no-expiry", "expired-within-leeway"} {
		t.Run(token, func(t *testing.T) {
			f := newFakeVerifier()
			authn := newAuthenticator(t, f)
			ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if auth.TokenInfoFromContext(r.Context()) == nil {
					t.Error("no TokenInfo in the context")
				}
				w.WriteHeader(http.StatusNoContent)
			})

			// The control: the SDK middleware with default options, given
			// the same TokenInfo, refuses it. Without this the test
			// could pass with an adapter that checks nothing.
			info, err := f.verify(t.Context(), token)
			if err != nil {
				t.Fatal(err)
			}
			sdkAlone := auth.RequireBearerToken(func(_ context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
				return gosdk.TokenInfo(info), nil
			}, nil)
			if got := serve(sdkAlone(ok), request(http.MethodPost, "Bearer "+token)); got.status != http.StatusUnauthorized {
				t.Fatalf("the SDK middleware alone answers %d, want its 401 (the premise of this test)", got.status)
			}

			if got := serve(gosdk.Middleware(authn)(ok), request(http.MethodPost, "Bearer "+token)); got.status != http.StatusNoContent {
				t.Errorf("through the adapter: %d %q %s, want the handler's 204", got.status, got.challenge, got.body)
			}
		})
	}
}

// A CORS preflight, which the Authenticator lets through unauthenticated,
// reaches the handler without a TokenInfo instead of getting the SDK
// middleware's 401.
func TestMiddlewarePreflightReachesTheHandler(t *testing.T) {
	f := newFakeVerifier()
	authn := newAuthenticator(t, f)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth.TokenInfoFromContext(r.Context()) != nil {
			t.Error("a preflight carries a TokenInfo")
		}
		w.WriteHeader(http.StatusNoContent)
	})
	w := serve(gosdk.Middleware(authn)(next), request(http.MethodOptions))
	if w.status != http.StatusNoContent {
		t.Errorf("preflight: %d %q %s, want the handler's 204", w.status, w.challenge, w.body)
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("the verifier ran %d times for a preflight", n)
	}
}

func TestMiddlewarePanicsOnNil(t *testing.T) {
	mustPanic(t, "nil Authenticator", func() { gosdk.Middleware(nil) })
	authn := newAuthenticator(t, newFakeVerifier())
	mustPanic(t, "nil handler", func() { gosdk.Middleware(authn)(nil) })
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	f()
}

package gosdk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// The protected resource of these tests.
const (
	testIssuer      = "https://issuer.example"
	testResource    = "https://mcp.example/mcp"
	testMetadataURL = "https://mcp.example/.well-known/oauth-protected-resource/mcp"
)

// fakeVerifier is a hand-written verifier: it knows a few tokens by name
// and counts its calls, so that tests can tell a token was verified once.
type fakeVerifier struct {
	now   time.Time // the tokens' reference time: when the test started
	calls atomic.Int32
}

func newFakeVerifier() *fakeVerifier { return &fakeVerifier{now: time.Now()} }

// verify returns what a real verifier would learn about token.
func (f *fakeVerifier) verify(_ context.Context, token string) (*bearer.AuthInfo, error) {
	f.calls.Add(1)
	info := &bearer.AuthInfo{
		Issuer:    testIssuer,
		ClientID:  "client-1",
		Audience:  []string{testResource},
		Scopes:    []string{"read"},
		ExpiresAt: f.now.Add(time.Hour),
	}
	switch token {
	case "alice", "bob":
		info.Subject = token + "-id"
		info.Claims = map[string]any{"sub": info.Subject, "username": token}
	case "no-expiry": // what a userinfo verifier reports: no exp
		info.Subject, info.ExpiresAt = "carol-id", time.Time{}
	case "expired-within-leeway":
		info.Subject, info.ExpiresAt = "dave-id", f.now.Add(-4*time.Minute)
	case "no-scope":
		info.Subject, info.Scopes = "erin-id", nil
	case "other-resource":
		info.Subject, info.Audience = "frank-id", []string{"https://other.example/mcp"}
	case "other-issuer":
		info.Subject, info.Issuer = "grace-id", "https://evil.example"
	case "provider-down":
		return nil, context.DeadlineExceeded
	default:
		return nil, bearer.InvalidToken("unknown token", nil)
	}
	return info, nil
}

// newAuthenticator is the resource's bearer middleware over f: the
// settings an mcpauth front door would preset, a required scope, and an
// hour of leeway so that "expired-within-leeway" passes.
func newAuthenticator(t *testing.T, f *fakeVerifier) *bearer.Authenticator {
	t.Helper()
	authn, err := bearer.New(bearer.VerifierFunc(f.verify),
		bearer.WithIssuers(testIssuer),
		bearer.WithAudience(testResource),
		bearer.WithResourceMetadataURL(testMetadataURL),
		bearer.WithRequiredScopes("read"),
		bearer.WithLeeway(5*time.Minute),
	)
	if err != nil {
		t.Fatal(err)
	}
	return authn
}

// request builds a POST to the resource with the given Authorization
// header values (none for no header).
func request(method string, authorization ...string) *http.Request {
	r := httptest.NewRequest(method, testResource, nil)
	for _, v := range authorization {
		r.Header.Add("Authorization", v)
	}
	return r
}

// recorded is what a handler answered, in the parts a client reads.
type recorded struct {
	status      int
	challenge   []string
	contentType string
	body        string
}

func serve(h http.Handler, r *http.Request) recorded {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return recorded{
		status:      w.Code,
		challenge:   w.Header().Values("WWW-Authenticate"),
		contentType: w.Header().Get("Content-Type"),
		body:        w.Body.String(),
	}
}

package bearer_test

// mcp-auth JS's tests of its bearer handler, ported to this package.
//
// Source: github.com/mcp-auth/js v0.2.0 (7ffcb25),
// packages/mcp-auth/src/handlers/handle-bearer-auth.test.ts; each case names
// the JS test by line and title. The Python-only cases name
// tests/middleware/create_bearer_auth_test.py of github.com/mcp-auth/python
// v0.2.0b1.
//
// How to read a case:
//   - differs == "": every assertion the JS test makes holds here (status,
//     the body's error code, cause and missing_scopes members). What the
//     JS test does not look at is asserted with this package's values:
//     the WWW-Authenticate challenge, and the error_description, which is
//     always this package's wording (README, "Where we differ": "error
//     descriptions").
//   - differs != "": an assertion of the JS test does not hold here, by
//     design; the value names the README row that says why, and the case
//     asserts this package's behaviour.
//   - gap != "": a JS assertion does not hold and no README row defends
//     that; the case pins today's behaviour so that closing the gap shows.
//
// Bodies are compared byte for byte (members and their order: error,
// error_description, cause, missing_scopes, as mcp-auth writes them). The
// handler is configured as the JS fixture is: issuer https://example.com,
// required scopes read and write, audience test-audience, and
// WithLegacyErrorCodes, so that the body carries mcp-auth's codes.
//
// Not ported (JS-only mechanics): handle-bearer-auth.test.ts:53 "should throw
// an error if issuer is not a string or a function" (Go's types rule it out).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-auth/go/bearer"
)

// The JS fixture's values.
const (
	jsIssuer   = "https://example.com"
	jsAudience = "test-audience"
)

var jsRequiredScopes = []string{"read", "write"}

// jsVerifier is the JS fixture's verifyAccessToken: "valid-token" is valid
// (issuer, client-id, scopes read and write, no audience); anything else is
// refused as invalid_token. Each case may replace the answer for
// "valid-token" (JS's mockImplementationOnce). It records the tokens it was
// called with (JS's toHaveBeenCalledWith).
type jsVerifier struct {
	mu     sync.Mutex
	calls  []string
	answer func(token string) (*bearer.AuthInfo, error)
}

func (v *jsVerifier) Verify(_ context.Context, token string) (*bearer.AuthInfo, error) {
	v.mu.Lock()
	v.calls = append(v.calls, token)
	v.mu.Unlock()
	if token != "valid-token" {
		return nil, bearer.InvalidToken("the token is not known", nil)
	}
	if v.answer != nil {
		return v.answer(token)
	}
	return &bearer.AuthInfo{Issuer: jsIssuer, ClientID: "client-id", Scopes: []string{"read", "write"}}, nil
}

func (v *jsVerifier) seen() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.calls)
}

// jsInfo returns the AuthInfo the JS fixture's mocks return for
// "valid-token", with audience and scopes as given.
func jsInfo(issuer string, audience []string, scopes ...string) func(string) (*bearer.AuthInfo, error) {
	return func(token string) (*bearer.AuthInfo, error) {
		return &bearer.AuthInfo{Issuer: issuer, ClientID: "client-id", Scopes: scopes, Audience: audience}, nil
	}
}

// TestMCPAuthJSHandleBearerAuthConstructor ports the tests of
// handleBearerAuth() itself: what it accepts as configuration.
func TestMCPAuthJSHandleBearerAuthConstructor(t *testing.T) {
	noop := bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) { return nil, nil })
	cases := []struct {
		name     string
		differs  string
		gap      string
		verifier bearer.Verifier
		opts     []bearer.Option
		wantErr  bool
	}{{
		name:     "handle-bearer-auth.test.ts:14 should return a function",
		verifier: noop,
		opts:     []bearer.Option{bearer.WithIssuers(jsIssuer)},
	}, {
		name:     "handle-bearer-auth.test.ts:26 should throw an error if verifyAccessToken is not a function (nil Verifier)",
		verifier: nil,
		opts:     []bearer.Option{bearer.WithIssuers(jsIssuer)},
		wantErr:  true,
	}, {
		name:     "handle-bearer-auth.test.ts:26 should throw an error if verifyAccessToken is not a function (nil VerifierFunc)",
		verifier: bearer.VerifierFunc(nil),
		opts:     []bearer.Option{bearer.WithIssuers(jsIssuer)},
		wantErr:  true,
	}, {
		name:     "handle-bearer-auth.test.ts:40 should throw an error if issuer is not a valid URL",
		gap:      "WithIssuers accepts any non-empty string; mcp-auth refuses an issuer that is not a URL",
		verifier: noop,
		opts:     []bearer.Option{bearer.WithIssuers("not a valid url")},
		wantErr:  false,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := bearer.New(tc.verifier, tc.opts...)
			if tc.wantErr {
				if !errors.Is(err, bearer.ErrMisconfigured) || a != nil {
					t.Fatalf("New = %v, %v; want nil and an error matching ErrMisconfigured", a, err)
				}
				return
			}
			if err != nil || a == nil {
				t.Fatalf("New = %v, %v; want an Authenticator", a, err)
			}
			if a.Handler(http.NotFoundHandler()) == nil {
				t.Fatal("Handler returned nil")
			}
		})
	}
}

// TestMCPAuthJSHandleBearerAuthResponses ports the tests of the function
// handleBearerAuth() returns: the response to each request.
func TestMCPAuthJSHandleBearerAuthResponses(t *testing.T) {
	cases := []struct {
		name    string
		differs string
		header  []string // Authorization values; none when nil
		answer  func(string) (*bearer.AuthInfo, error)
		opts    []bearer.Option // after the fixture's
		// request context: an AuthInfo already there (JS: request.auth)
		previous *bearer.AuthInfo

		wantStatus    int
		wantBody      string // exact; "" for a request that reaches next
		wantChallenge string // exact
		wantCalls     []string
		wantInfo      *bearer.AuthInfo // what next sees, when it is reached
	}{{
		name:          "handle-bearer-auth.test.ts:86 should respond with an error if the request does not have a bearer token",
		wantStatus:    401,
		wantBody:      `{"error":"missing_auth_header","error_description":"The request has no Authorization header; send a bearer token."}`,
		wantChallenge: `Bearer scope="read write"`,
	}, {
		name:          `handle-bearer-auth.test.ts:98 should respond with an error if the bearer token is malformed ("Bearer invalid token format")`,
		differs:       "malformed credentials",
		header:        []string{"Bearer invalid token format"},
		wantStatus:    400,
		wantBody:      `{"error":"invalid_request","error_description":"The Authorization header is malformed."}`,
		wantChallenge: `Bearer error="invalid_request", scope="read write"`,
	}, {
		name:          `handle-bearer-auth.test.ts:98 should respond with an error if the bearer token is malformed ("invalid-header")`,
		header:        []string{"invalid-header"},
		wantStatus:    401,
		wantBody:      `{"error":"invalid_auth_header_format","error_description":"The Authorization header does not use the Bearer scheme."}`,
		wantChallenge: `Bearer scope="read write"`,
	}, {
		name:          `handle-bearer-auth.test.ts:98 should respond with an error if the bearer token is malformed ("Bearer")`,
		header:        []string{"Bearer"},
		wantStatus:    401,
		wantBody:      `{"error":"missing_bearer_token","error_description":"The Authorization header has no bearer token."}`,
		wantChallenge: `Bearer scope="read write"`,
	}, {
		name:          "handle-bearer-auth.test.ts:138 should respond with an error if the bearer token is not valid",
		header:        []string{"Bearer invalid-token"},
		wantStatus:    401,
		wantBody:      `{"error":"invalid_token","error_description":"The access token is invalid or has expired."}`,
		wantChallenge: `Bearer error="invalid_token", scope="read write"`,
		wantCalls:     []string{"invalid-token"},
	}, {
		name:          "handle-bearer-auth.test.ts:172 should respond with an error if the issuer does not match",
		header:        []string{"Bearer valid-token"},
		answer:        jsInfo("https://wrong-issuer.com", []string{jsAudience}, "read", "write"),
		wantStatus:    401,
		wantBody:      `{"error":"invalid_issuer","error_description":"The access token was issued by an issuer this resource does not trust."}`,
		wantChallenge: `Bearer error="invalid_token", scope="read write"`,
		wantCalls:     []string{"valid-token"},
	}, {
		// The default verifier reports no audience: refused, as mcp-auth
		// refuses an undefined audience.
		name:          "handle-bearer-auth.test.ts:199 should respond with an error if the audience does not match",
		header:        []string{"Bearer valid-token"},
		wantStatus:    401,
		wantBody:      `{"error":"invalid_audience","error_description":"The access token was not issued for this resource; request one with the resource parameter (RFC 8707) set to this resource."}`,
		wantChallenge: `Bearer error="invalid_token", scope="read write"`,
		wantCalls:     []string{"valid-token"},
	}, {
		name:          "handle-bearer-auth.test.ts:214 should respond with an error if the audience does not match (array case)",
		header:        []string{"Bearer valid-token"},
		answer:        jsInfo(jsIssuer, []string{"wrong-audience"}, "read", "write"),
		wantStatus:    401,
		wantBody:      `{"error":"invalid_audience","error_description":"The access token was not issued for this resource; request one with the resource parameter (RFC 8707) set to this resource."}`,
		wantChallenge: `Bearer error="invalid_token", scope="read write"`,
		wantCalls:     []string{"valid-token"},
	}, {
		// missing_scopes lists the required scopes the token lacks, as
		// mcp-auth's does; the challenge's scope names every scope the
		// request needs (README: "403 challenge").
		name:          "handle-bearer-auth.test.ts:242 should respond with an error if the required scopes are not present",
		header:        []string{"Bearer valid-token"},
		answer:        jsInfo(jsIssuer, []string{jsAudience}, "read"),
		wantStatus:    403,
		wantBody:      `{"error":"missing_required_scopes","error_description":"The access token lacks a scope this request needs.","missing_scopes":["write"]}`,
		wantChallenge: `Bearer error="insufficient_scope", scope="read write"`,
		wantCalls:     []string{"valid-token"},
	}, {
		name: "handle-bearer-auth.test.ts:282 should call next() if the token is valid and has the correct audience and scopes",
		// JS also expects req.auth.token, the raw token.
		differs:    "raw token",
		header:     []string{"Bearer valid-token"},
		answer:     jsInfo(jsIssuer, []string{jsAudience}, "read", "write"),
		wantStatus: 200,
		wantCalls:  []string{"valid-token"},
		wantInfo:   &bearer.AuthInfo{Issuer: jsIssuer, ClientID: "client-id", Scopes: []string{"read", "write"}, Audience: []string{jsAudience}},
	}, {
		name: "handle-bearer-auth.test.ts:295 should override the existing `auth` property on the request object",
		// JS also expects req.auth.token, the raw token.
		differs:    "raw token",
		header:     []string{"Bearer valid-token"},
		answer:     jsInfo(jsIssuer, []string{jsAudience}, "read", "write"),
		previous:   &bearer.AuthInfo{ClientID: "old-client-id", Scopes: []string{"old-scope"}},
		wantStatus: 200,
		wantCalls:  []string{"valid-token"},
		wantInfo:   &bearer.AuthInfo{Issuer: jsIssuer, ClientID: "client-id", Scopes: []string{"read", "write"}, Audience: []string{jsAudience}},
	}, {
		// JS: MCPAuthAuthServerError with showErrorDetails gives 500
		// server_error with cause {error, error_description}. Here a server
		// fault is 500 server_error too, and never shows its cause.
		name:    "handle-bearer-auth.test.ts:316 should handle `MCPAuthAuthServerError` and `MCPAuthConfigError` (server error, details shown)",
		differs: "error details",
		header:  []string{"Bearer valid-token"},
		answer: func(string) (*bearer.AuthInfo, error) {
			return nil, fmt.Errorf("%w: the server configuration does not match the MCP specification", bearer.ErrMisconfigured)
		},
		opts:       []bearer.Option{bearer.WithShowErrorDetails(true)},
		wantStatus: 500,
		wantBody:   `{"error":"server_error","error_description":"the access token could not be checked"}`,
		wantCalls:  []string{"valid-token"},
	}, {
		name:   "handle-bearer-auth.test.ts:316 should handle `MCPAuthAuthServerError` and `MCPAuthConfigError` (config error)",
		header: []string{"Bearer valid-token"},
		answer: func(string) (*bearer.AuthInfo, error) {
			return nil, bearer.NewError(bearer.CodeServerError, "Configuration is invalid", nil)
		},
		wantStatus: 500,
		wantBody:   `{"error":"server_error","error_description":"The server could not check the access token."}`,
		wantCalls:  []string{"valid-token"},
	}, {
		// JS rethrows to Express (an HTML 500 outside production); here it
		// is the JSON 500, the cause in the logs only.
		name:    "handle-bearer-auth.test.ts:368 should throw for unexpected errors",
		differs: "unexpected verifier errors",
		header:  []string{"Bearer valid-token"},
		answer: func(string) (*bearer.AuthInfo, error) {
			return nil, errors.New("Unexpected error")
		},
		wantStatus: 500,
		wantBody:   `{"error":"server_error","error_description":"The server could not check the access token."}`,
		wantCalls:  []string{"valid-token"},
	}, {
		name:          "handle-bearer-auth.test.ts:385 should show error details for `MCPAuthBearerAuthError`",
		header:        []string{"Bearer valid-token"},
		answer:        jsInfo(jsIssuer+"1", []string{jsAudience}, "read", "write"),
		opts:          []bearer.Option{bearer.WithShowErrorDetails(true)},
		wantStatus:    401,
		wantBody:      `{"error":"invalid_issuer","error_description":"the access token was issued by an issuer this resource does not accept","cause":{"expected":"https://example.com","actual":"https://example.com1"}}`,
		wantChallenge: `Bearer error="invalid_token", error_description="The access token was issued by an issuer this resource does not trust.", scope="read write"`,
		wantCalls:     []string{"valid-token"},
	}, {
		// Not a JS test: the scope refusal with details, whose cause
		// mcp-auth fills with missing_scopes (errors.ts toJson).
		name:          "handle-bearer-auth.test.ts:242 with showErrorDetails (cause.missing_scopes)",
		header:        []string{"Bearer valid-token"},
		answer:        jsInfo(jsIssuer, []string{jsAudience}, "read"),
		opts:          []bearer.Option{bearer.WithShowErrorDetails(true)},
		wantStatus:    403,
		wantBody:      `{"error":"missing_required_scopes","error_description":"the access token lacks a scope this request needs","cause":{"missing_scopes":["write"]},"missing_scopes":["write"]}`,
		wantChallenge: `Bearer error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="read write"`,
		wantCalls:     []string{"valid-token"},
	}, {
		// Python: test_should_include_resource_metadata_on_401_bearer_error.
		name:          "create_bearer_auth_test.py test_should_include_resource_metadata_on_401_bearer_error",
		header:        []string{"Bearer valid-token"},
		answer:        jsInfo("https://wrong-issuer.com", []string{jsAudience}, "read", "write"),
		opts:          []bearer.Option{bearer.WithResourceMetadataURL("https://my-api.com/.well-known/oauth-protected-resource")},
		wantStatus:    401,
		wantBody:      `{"error":"invalid_issuer","error_description":"The access token was issued by an issuer this resource does not trust."}`,
		wantChallenge: `Bearer error="invalid_token", scope="read write", resource_metadata="https://my-api.com/.well-known/oauth-protected-resource"`,
		wantCalls:     []string{"valid-token"},
	}, {
		name:          "create_bearer_auth_test.py test_should_include_resource_metadata_on_token_verification_error",
		header:        []string{"Bearer invalid-token"},
		opts:          []bearer.Option{bearer.WithResourceMetadataURL("https://my-api.com/.well-known/oauth-protected-resource")},
		wantStatus:    401,
		wantBody:      `{"error":"invalid_token","error_description":"The access token is invalid or has expired."}`,
		wantChallenge: `Bearer error="invalid_token", scope="read write", resource_metadata="https://my-api.com/.well-known/oauth-protected-resource"`,
		wantCalls:     []string{"invalid-token"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := &jsVerifier{answer: tc.answer}
			opts := append([]bearer.Option{
				bearer.WithIssuers(jsIssuer),
				bearer.WithRequiredScopes(jsRequiredScopes...),
				bearer.WithAudience(jsAudience),
				bearer.WithLegacyErrorCodes(),
			}, tc.opts...)
			a, err := bearer.New(v, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var reached bool
			var seen *bearer.AuthInfo
			h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				seen, _ = bearer.FromContext(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, v := range tc.header {
				req.Header.Add("Authorization", v)
			}
			if tc.previous != nil {
				req = req.WithContext(bearer.NewContext(req.Context(), tc.previous))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tc.wantStatus {
				t.Errorf("status %d, want %d (body %s)", rec.Code, tc.wantStatus, rec.Body)
			}
			if got := rec.Body.String(); got != tc.wantBody {
				t.Errorf("body\n got %s\nwant %s", got, tc.wantBody)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, tc.wantChallenge)
			}
			if got := v.seen(); !slices.Equal(got, tc.wantCalls) {
				t.Errorf("verifier called with %q, want %q", got, tc.wantCalls)
			}
			if reached != (tc.wantInfo != nil) {
				t.Fatalf("next reached: %v, want %v", reached, tc.wantInfo != nil)
			}
			if tc.wantInfo != nil && !reflect.DeepEqual(seen, tc.wantInfo) {
				t.Errorf("AuthInfo in the context\n got %+v\nwant %+v", seen, tc.wantInfo)
			}
		})
	}
}

// TestMCPAuthJSDifferencesDocumented checks that every difference a ported
// case names, in this file and in every other port of mcp-auth's tests
// (mcpauthjs*_test.go in this module's packages), is a row of README's
// "Where we differ" table.
func TestMCPAuthJSDifferencesDocumented(t *testing.T) {
	files, err := filepath.Glob("../*/mcpauthjs*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(files, "../bearer/mcpauthjs_test.go") {
		t.Fatalf("the glob found %q, not this file: the pattern is stale", files)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`differs\s*[:=]\s*"([^"]+)"`)
	total := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range named.FindAllSubmatch(src, -1) {
			total++
			if row := "\n| " + string(m[1]) + " |"; !strings.Contains(string(readme), row) {
				t.Errorf("%s: README.md has no row %q in its \"Where we differ\" table", f, m[1])
			}
		}
	}
	if total == 0 {
		t.Fatal("no ported case names a difference: the pattern is stale")
	}
}

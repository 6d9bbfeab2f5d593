package bearer_test

// mcp-auth JS's tests of its WWW-Authenticate builder, ported to this
// package.
//
// Source: github.com/mcp-auth/js v0.2.0 (7ffcb25),
// packages/mcp-auth/src/utils/bearer-www-authenticate-header.test.ts (the
// Python package's tests/utils/bearer_www_authenticate_header_test.py has the
// same four cases). Each case names the JS test by line and title; differs
// and gap read as in mcpauthjs_test.go.
//
// mcp-auth's builder is a public class taking any attribute in any order;
// this package's challenge is internal and built by the Authenticator from
// the refusal, so each case produces the attributes the JS case sets
// through the public API (a refusal, WithShowErrorDetails for
// error_description, WithResourceMetadataURL for resource_metadata,
// WithChallengeScopes for scope) and compares the header the Authenticator
// writes, byte for byte.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mcp-auth/go/bearer"
)

func TestMCPAuthJSBearerWWWAuthenticateHeader(t *testing.T) {
	const prm = "https://example.com/.well-known/oauth-protected-resource"
	refuse := bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
		return nil, bearer.InvalidToken("the access token expired", nil)
	})
	cases := []struct {
		name    string
		differs string
		opts    []bearer.Option
		header  string // Authorization; none when ""
		// want is the WWW-Authenticate value, exact.
		want string
	}{{
		// JS: headerName is "WWW-Authenticate". Here: the refusal carries
		// exactly one WWW-Authenticate field (looked up case-insensitively,
		// as HTTP field names are).
		name:   "bearer-www-authenticate-header.test.ts:6 should have the correct header name",
		header: "Bearer some-token",
		opts:   []bearer.Option{bearer.WithChallengeScopes()},
		want:   `Bearer error="invalid_token"`,
	}, {
		// JS: a builder with no attribute renders "". Here the emptiest
		// challenge, a request without credentials and nothing to
		// advertise, is the bare scheme: a 401 always challenges.
		name:    "bearer-www-authenticate-header.test.ts:11 should generate an empty string if no parameters are set",
		differs: "bare challenge",
		opts:    []bearer.Option{bearer.WithChallengeScopes()},
		want:    `Bearer`,
	}, {
		// JS sets realm, error, error_description and resource_metadata
		// and expects them in call order, realm first, the description
		// as given. Here: no realm, the fixed order, and the
		// description is this package's own text for the code.
		name:    "bearer-www-authenticate-header.test.ts:16 should build the header string correctly from chained calls",
		differs: "challenge attributes",
		header:  "Bearer some-token",
		opts: []bearer.Option{
			bearer.WithChallengeScopes(),
			bearer.WithShowErrorDetails(true),
			bearer.WithResourceMetadataURL(prm),
		},
		want: `Bearer error="invalid_token", error_description="The access token is invalid or has expired.", resource_metadata="` + prm + `"`,
	}, {
		// JS sets realm, an empty scope, error, an undefined error_uri
		// and an empty error_description, and expects only realm and
		// error. The same rule holds here (empty attributes are left
		// out: no scope to advertise, no description without details),
		// without the realm.
		name:    "bearer-www-authenticate-header.test.ts:32 should ignore parameters that are empty, null, or undefined",
		differs: "challenge attributes",
		header:  "Bearer some-token",
		opts:    []bearer.Option{bearer.WithChallengeScopes()},
		want:    `Bearer error="invalid_token"`,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := bearer.New(refuse, append([]bearer.Option{bearer.WithIssuers(jsIssuer)}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the refused request reached next")
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", rec.Code)
			}
			got := rec.Header().Values("WWW-Authenticate")
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("WWW-Authenticate %q, want exactly [%q]", got, tc.want)
			}
		})
	}
}

// TestMCPAuthJSBearerWWWAuthenticateEmptyScope ports the empty scope of
// bearer-www-authenticate-header.test.ts:32: mcp-auth drops the empty
// attribute when it renders the header; here an empty scope is a
// configuration mistake, refused by New, so it never reaches a challenge.
func TestMCPAuthJSBearerWWWAuthenticateEmptyScope(t *testing.T) {
	noop := bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) { return nil, nil })
	cases := []struct {
		name    string
		differs string
		opt     bearer.Option
	}{{
		name:    `bearer-www-authenticate-header.test.ts:32 (scope "" as a challenge scope)`,
		differs: "challenge attributes",
		opt:     bearer.WithChallengeScopes(""),
	}, {
		name:    `bearer-www-authenticate-header.test.ts:32 (scope "" as a required scope)`,
		differs: "challenge attributes",
		opt:     bearer.WithRequiredScopes(""),
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := bearer.New(noop, bearer.WithIssuers(jsIssuer), tc.opt)
			if !errors.Is(err, bearer.ErrMisconfigured) || a != nil {
				t.Errorf("New = %v, %v; want nil and an error matching ErrMisconfigured", a, err)
			}
		})
	}
}

package mcpauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// testProvider is an OpenID discovery endpoint on loopback: enough of an
// authorization server for the wiring tests (the verifiers have their own
// tests against real providers).
type testProvider struct {
	*httptest.Server
	doc map[string]any
}

// newTestProvider serves an OIDC discovery document whose issuer is the
// server's URL; edit may change the document before it is served.
func newTestProvider(t testing.TB, edit func(doc map[string]any)) *testProvider {
	t.Helper()
	p := &testProvider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(p.doc)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	u := p.URL
	p.doc = map[string]any{
		"issuer":                                u,
		"authorization_endpoint":                u + "/authorize",
		"token_endpoint":                        u + "/token",
		"registration_endpoint":                 u + "/register",
		"jwks_uri":                              u + "/jwks",
		"userinfo_endpoint":                     u + "/userinfo",
		"introspection_endpoint":                u + "/introspect",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"x_vendor_extension":                    "kept",
	}
	if edit != nil {
		edit(p.doc)
	}
	return p
}

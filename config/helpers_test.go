package config

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// provider is a fake authorization server on loopback that records the
// paths it is asked for.
type provider struct {
	*httptest.Server
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	paths  []string
}

// newProvider starts a provider; routes are set with handle.
func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{routes: map[string]http.HandlerFunc{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.EscapedPath())
		h := p.routes[r.URL.EscapedPath()]
		p.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// handle routes path to h.
func (p *provider) handle(path string, h http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.routes[path] = h
}

// serveDoc routes path to a JSON document.
func (p *provider) serveDoc(path string, doc map[string]any) {
	p.handle(path, jsonHandler(doc))
}

// requested returns the paths asked for so far.
func (p *provider) requested() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.paths...)
}

func jsonHandler(doc any) http.HandlerFunc {
	body, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// goodDoc is a metadata document that passes Validate for OAuth and OIDC.
func goodDoc(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                issuer + "/auth",
		"token_endpoint":                        issuer + "/token",
		"jwks_uri":                              issuer + "/jwks",
		"registration_endpoint":                 issuer + "/reg",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES384"},
		"x_vendor_extension":                    map[string]any{"a": []int{1, 2}},
	}
}

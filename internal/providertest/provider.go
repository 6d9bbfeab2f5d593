package providertest

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Provider is a recorded provider served on loopback. Its methods are safe
// for concurrent use.
type Provider struct {
	// Name is the fixture's directory name ("okta", "entra", ...).
	Name string
	// Issuer is the provider's issuer identifier with its origin rewritten
	// to the loopback server's; the path is the documented one, byte for
	// byte.
	Issuer string

	fx       *fixture
	rewrite  *strings.Replacer
	servers  map[string]*httptest.Server // by documented origin
	docs     map[string][]byte           // by rewritten URL: documents and key sets
	userinfo string                      // rewritten userinfo URL, or ""
	key      crypto.Signer
	jwks     []byte

	mu       sync.Mutex
	opaque   map[string]map[string]any // opaque token -> userinfo document
	requests []string                  // rewritten URLs requested, in order
}

// Start serves the provider recorded in testdata/name until the test ends.
// It fails the test if the fixture is broken.
func Start(t testing.TB, name string) *Provider {
	t.Helper()
	fx, err := loadFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Name: name, fx: fx, servers: map[string]*httptest.Server{},
		docs: map[string][]byte{}, opaque: map[string]map[string]any{}}

	// One server per documented origin; the longest origins are replaced
	// first, so that no origin is rewritten inside a longer one.
	var pairs []string
	hosts := slices.Clone(fx.Hosts)
	slices.SortFunc(hosts, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, origin := range hosts {
		if u, err := url.Parse(origin); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			t.Fatalf("providertest: %s: host %q is not an origin", name, origin)
		}
		srv := httptest.NewServer(http.HandlerFunc(p.serve))
		t.Cleanup(srv.Close)
		p.servers[origin] = srv
		pairs = append(pairs, origin, srv.URL)
	}
	p.rewrite = strings.NewReplacer(pairs...)
	p.Issuer = p.URL(fx.Issuer)

	if p.key, err = newKey(fx.Keys.Alg); err != nil {
		t.Fatalf("providertest: %s: %v", name, err)
	}
	if p.jwks, err = publicJWKS(p.key, fx.Keys.KID, p.rewriteMembers(fx.Keys.JWK)); err != nil {
		t.Fatalf("providertest: %s: %v", name, err)
	}
	for _, u := range fx.Keys.URLs {
		p.docs[p.URL(u)] = p.jwks
	}
	for u, file := range fx.Documents {
		raw, err := readFile(name, file)
		if err != nil {
			t.Fatalf("providertest: %s: %v", name, err)
		}
		if !json.Valid(raw) {
			t.Fatalf("providertest: %s/%s is not JSON", name, file)
		}
		p.docs[p.URL(u)] = []byte(p.URL(string(raw)))
	}
	if fx.Userinfo != "" {
		p.userinfo = p.URL(fx.Userinfo)
	}
	return p
}

// URL rewrites the origins of the documented URL (or any text holding such
// URLs) to the loopback servers', keeping everything else.
func (p *Provider) URL(documented string) string { return p.rewrite.Replace(documented) }

// Server returns the loopback server that stands for the documented origin
// (such as "https://login.microsoftonline.com"), or nil.
func (p *Provider) Server(origin string) *httptest.Server { return p.servers[origin] }

// JWKS returns the published key set document.
func (p *Provider) JWKS() []byte { return slices.Clone(p.jwks) }

// Requests returns the URLs requested so far (rewritten), in order.
func (p *Provider) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// OpaqueToken returns a new opaque access token (32 random bytes,
// base64url), which the fixture's userinfo endpoint, if it has one, then
// answers with userinfo.
func (p *Provider) OpaqueToken(t testing.TB, userinfo map[string]any) string {
	t.Helper()
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	p.mu.Lock()
	p.opaque[token] = userinfo
	p.mu.Unlock()
	return token
}

// serve answers the documents, the key set and the userinfo endpoint of
// whichever host the request reached.
func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	u := "http://" + r.Host + r.URL.EscapedPath()
	p.mu.Lock()
	p.requests = append(p.requests, u)
	p.mu.Unlock()
	if u == p.userinfo && p.userinfo != "" {
		p.serveUserinfo(w, r)
		return
	}
	doc, ok := p.docs[u]
	if !ok || r.URL.RawQuery != "" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

// serveUserinfo answers RFC 6750 style: the userinfo document of a known
// opaque token, 401 invalid_token otherwise.
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	doc, known := p.opaque[token]
	p.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// rewriteMembers rewrites the origins in the string members of m.
func (p *Provider) rewriteMembers(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			v = p.URL(s)
		}
		out[k] = v
	}
	return out
}

package check

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// fixture is a deployment under test: an MCP server and an authorization
// server on two loopback origins, hand-written so that each test can break
// exactly one thing. The handlers read the fields at request time; change
// them before calling run.
type fixture struct {
	t        *testing.T
	mcpSrv   *httptest.Server
	asSrv    *httptest.Server
	resource string // the MCP endpoint URL the user gives
	issuer   string
	prmURL   string // the path-suffixed metadata URL

	mu sync.Mutex // guards the fields below against the handlers

	// MCP endpoint.
	postStatus      int    // status of a request without a token (401)
	getStatus       int    // status of a GET without a token (401)
	challenge       string // WWW-Authenticate value; "" sends none
	endpointCORS    bool   // Access-Control-Allow-Origin on the 401
	exposeHeaders   string // Access-Control-Expose-Headers on the 401
	preflightStatus int    // status of OPTIONS on /mcp (204)
	preflightAllow  string // Access-Control-Allow-Headers of that answer

	// Protected resource metadata.
	prm          map[string]any // the document
	rootPRM      map[string]any // the document at the root; nil serves prm there
	prmAtPath    bool           // served at the path-suffixed URL
	prmAtRoot    bool           // served at the root URL
	prmStatus    int            // when not 200: the status of both metadata URLs
	prmCORS      bool           // CORS headers on the metadata URLs
	prmRedirect  string         // when set, the path-suffixed URL redirects (302) there
	prmPadding   int            // bytes of whitespace appended to the document
	asMeta       map[string]any // RFC 8414 document
	oidcMeta     map[string]any // OpenID Connect document
	oauthStatus  int            // status of the RFC 8414 URL when the document is not served (404)
	serveOAuth   bool
	serveOIDC    bool
	jwks         any // the key set document
	jwksStatus   int // 200
	userinfoCode int // 401
	introspCode  int // 401
}

// newFixture starts a correct deployment.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t}
	f.mcpSrv = httptest.NewServer(http.HandlerFunc(f.serveMCP))
	t.Cleanup(f.mcpSrv.Close)
	f.asSrv = httptest.NewServer(http.HandlerFunc(f.serveAS))
	t.Cleanup(f.asSrv.Close)
	f.resource = f.mcpSrv.URL + "/mcp"
	f.prmURL = f.mcpSrv.URL + "/.well-known/oauth-protected-resource/mcp"
	f.setIssuer(f.asSrv.URL)

	f.postStatus, f.getStatus = http.StatusUnauthorized, http.StatusUnauthorized
	f.challenge = `Bearer resource_metadata="` + f.prmURL + `", scope="mcp:read"`
	f.endpointCORS = true
	f.exposeHeaders = "WWW-Authenticate, Mcp-Session-Id"
	f.preflightStatus = http.StatusNoContent
	f.preflightAllow = "Authorization, Content-Type, MCP-Protocol-Version, Mcp-Session-Id"
	f.prmAtPath, f.prmAtRoot, f.prmStatus, f.prmCORS = true, true, http.StatusOK, true
	f.serveOAuth, f.serveOIDC, f.oauthStatus = true, true, http.StatusNotFound
	f.jwks = map[string]any{"keys": []any{ecKey(t, "ec-1")}}
	f.jwksStatus, f.userinfoCode, f.introspCode = http.StatusOK, http.StatusUnauthorized, http.StatusUnauthorized
	return f
}

// setIssuer rebuilds both servers' documents for the issuer identifier
// issuer, whose endpoints live under it.
func (f *fixture) setIssuer(issuer string) {
	f.issuer = issuer
	f.prm = map[string]any{
		"resource":                 f.resource,
		"authorization_servers":    []any{issuer},
		"scopes_supported":         []any{"mcp:read"},
		"bearer_methods_supported": []any{"header"},
	}
	f.asMeta = map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                issuer + "/authorize",
		"token_endpoint":                        issuer + "/token",
		"jwks_uri":                              issuer + "/jwks",
		"registration_endpoint":                 issuer + "/register",
		"userinfo_endpoint":                     issuer + "/userinfo",
		"introspection_endpoint":                issuer + "/introspect",
		"response_types_supported":              []any{"code"},
		"grant_types_supported":                 []any{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []any{"S256"},
		"token_endpoint_auth_methods_supported": []any{"none", "client_secret_basic"},
		"subject_types_supported":               []any{"public"},
		"id_token_signing_alg_values_supported": []any{"ES256"},
		"scopes_supported":                      []any{"openid", "mcp:read"},
	}
	f.oidcMeta = maps.Clone(f.asMeta)
}

// run checks target (the MCP endpoint when "") with the fixture's client.
func (f *fixture) run(target string, opts Options) *Report {
	f.t.Helper()
	if target == "" {
		target = f.resource
	}
	opts.Client = f.client()
	r, err := Run(context.Background(), target, opts)
	if err != nil {
		f.t.Fatalf("Run(%s): %v", target, err)
	}
	return r
}

// client sends requests for hosts under .example.test to the
// authorization server, so that tests can use names that are not loopback
// ones.
func (f *fixture) client() *http.Client {
	asAddr := f.asSrv.Listener.Addr().String()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, _ := net.SplitHostPort(addr); strings.HasSuffix(host, ".example.test") {
				addr = asAddr
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func (f *fixture) set(fn func(f *fixture)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fixture) serveMCP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := w.Header()
	switch {
	case r.URL.Path == "/mcp":
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if f.preflightStatus == http.StatusUnauthorized {
				h.Set("WWW-Authenticate", f.challenge)
			} else {
				h.Set("Access-Control-Allow-Origin", "*")
				h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
				h.Set("Access-Control-Allow-Headers", f.preflightAllow)
			}
			w.WriteHeader(f.preflightStatus)
			return
		}
		if r.Header.Get("Origin") != "" && f.endpointCORS {
			h.Set("Access-Control-Allow-Origin", "*")
			if f.exposeHeaders != "" {
				h.Set("Access-Control-Expose-Headers", f.exposeHeaders)
			}
		}
		status := f.postStatus
		if r.Method == http.MethodGet {
			status = f.getStatus
		}
		if status == http.StatusUnauthorized && f.challenge != "" {
			h.Set("WWW-Authenticate", f.challenge)
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{}`))
	case r.URL.Path == "/.well-known/oauth-protected-resource/mcp":
		if f.prmRedirect != "" {
			http.Redirect(w, r, f.prmRedirect, http.StatusFound)
			return
		}
		f.serveDoc(w, r, f.prmAtPath, f.prmStatus, f.prmCORS, f.prm, f.prmPadding)
	case r.URL.Path == "/.well-known/oauth-protected-resource":
		doc := f.rootPRM
		if doc == nil {
			doc = f.prm
		}
		f.serveDoc(w, r, f.prmAtRoot, f.prmStatus, f.prmCORS, doc, f.prmPadding)
	default:
		http.NotFound(w, r)
	}
}

func (f *fixture) serveAS(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/.well-known/oauth-authorization-server" + f.issuerPath():
		status := http.StatusOK
		if !f.serveOAuth {
			status = f.oauthStatus
		}
		f.serveDoc(w, r, true, status, true, f.asMeta, 0)
	case f.issuerPath() + "/.well-known/openid-configuration":
		f.serveDoc(w, r, f.serveOIDC, http.StatusOK, true, f.oidcMeta, 0)
	case f.issuerPath() + "/jwks":
		if f.jwksStatus != http.StatusOK {
			w.WriteHeader(f.jwksStatus)
			return
		}
		writeJSON(w, f.jwks, 0)
	case f.issuerPath() + "/userinfo":
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(f.userinfoCode)
	case f.issuerPath() + "/introspect":
		w.WriteHeader(f.introspCode)
	default:
		http.NotFound(w, r)
	}
}

// issuerPath is the path of the issuer identifier ("" for an origin).
func (f *fixture) issuerPath() string {
	i := strings.Index(f.issuer, "://")
	if j := strings.IndexByte(f.issuer[i+3:], '/'); j >= 0 {
		return f.issuer[i+3+j:]
	}
	return ""
}

// serveDoc serves a metadata document the way the metadata package does,
// or a failure.
func (f *fixture) serveDoc(w http.ResponseWriter, r *http.Request, served bool, status int, cors bool, doc map[string]any, padding int) {
	h := w.Header()
	if cors {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	if r.Method == http.MethodOptions {
		if cors {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch {
	case status != http.StatusOK:
		if status == http.StatusUnauthorized {
			h.Set("WWW-Authenticate", `Bearer`)
		}
		w.WriteHeader(status)
	case !served:
		http.NotFound(w, r)
	default:
		writeJSON(w, doc, padding)
	}
}

func writeJSON(w http.ResponseWriter, v any, padding int) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
	if padding > 0 {
		w.Write([]byte(strings.Repeat(" ", padding)))
	}
}

// ecKey returns the public JWK of a new P-256 key.
func ecKey(t *testing.T, kid string) map[string]any {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwk.Import(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	k.Set(jwk.KeyIDKey, kid)
	k.Set(jwk.AlgorithmKey, "ES256")
	k.Set(jwk.KeyUsageKey, "sig")
	return jwkMap(t, k)
}

// rsaKey returns the public JWK of a new RSA key of bits bits, written by
// hand so that short keys can be published too.
func rsaKey(t *testing.T, kid string, bits int) map[string]any {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(priv.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(priv.E)).Bytes()),
	}
}

func jwkMap(t *testing.T, k jwk.Key) map[string]any {
	t.Helper()
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// hmacKey is a symmetric JWK, which has no place in a published key set.
var hmacKey = map[string]any{"kty": "oct", "kid": "hs-1", "alg": "HS256", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}

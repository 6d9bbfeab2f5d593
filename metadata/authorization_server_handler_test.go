package metadata

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/mcp-auth/go/config"
)

const asPath = AuthorizationServerWellKnownPath

func asMetadata() *config.Metadata {
	return &config.Metadata{
		Issuer:                        "https://auth.example.com",
		AuthorizationEndpoint:         "https://auth.example.com/authorize",
		TokenEndpoint:                 "https://auth.example.com/token",
		RegistrationEndpoint:          "https://auth.example.com/register",
		ResponseTypesSupported:        []string{"code"},
		CodeChallengeMethodsSupported: []string{"S256"},
		Extra:                         map[string]json.RawMessage{"x_vendor": json.RawMessage(`{"a":[1,2]}`)},
	}
}

func TestAuthorizationServerHandler(t *testing.T) {
	h, err := NewAuthorizationServerHandler(asMetadata())
	if err != nil {
		t.Fatal(err)
	}
	// Compare members, not bytes: the member order is config's business.
	wantDoc := map[string]any{
		"issuer":                           "https://auth.example.com",
		"authorization_endpoint":           "https://auth.example.com/authorize",
		"token_endpoint":                   "https://auth.example.com/token",
		"registration_endpoint":            "https://auth.example.com/register",
		"response_types_supported":         []any{"code"},
		"code_challenge_methods_supported": []any{"S256"},
		"x_vendor":                         map[string]any{"a": []any{1.0, 2.0}}, // kept by config's MarshalJSON
	}
	tests := []struct {
		name, method, target string
		status               int
		doc                  bool // the body is the document
		body                 string
		headers              map[string]string
	}{
		{"GET", "GET", asPath, 200, true, "", map[string]string{
			"Content-Type": "application/json", "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600",
		}},
		{"trailing slash", "GET", asPath + "/", 200, true, "", nil},
		{"query", "GET", asPath + "?x=1", 200, true, "", nil},
		{"HEAD", "HEAD", asPath, 200, false, "", map[string]string{"Content-Type": "application/json"}},
		{"preflight", "OPTIONS", asPath, 204, false, "", map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
			"Access-Control-Allow-Headers": "Authorization, Content-Type, MCP-Protocol-Version",
			"Access-Control-Max-Age":       "86400",
		}},
		{"POST", "POST", asPath, 405, false, `{"error":"method_not_allowed"}`, map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"below the path", "GET", asPath + "/tenant", 404, false, `{"error":"not_found"}`, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"two slashes", "GET", asPath + "//", 404, false, `{"error":"not_found"}`, nil},
		{"OIDC path", "GET", "/.well-known/openid-configuration", 404, false, `{"error":"not_found"}`, nil},
		{"protected resource path", "GET", WellKnownPath, 404, false, `{"error":"not_found"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveRequest(h, tt.method, tt.target, nil)
			if w.Code != tt.status {
				t.Fatalf("%s %s = %d, want %d", tt.method, tt.target, w.Code, tt.status)
			}
			if tt.doc {
				var got map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || !reflect.DeepEqual(got, wantDoc) {
					t.Fatalf("document %s (%v)\nwant %v", w.Body, err, wantDoc)
				}
				if cl := w.Header().Get("Content-Length"); cl != itoa(w.Body.Len()) {
					t.Errorf("Content-Length %s, body %d bytes", cl, w.Body.Len())
				}
			} else if w.Body.String() != tt.body {
				t.Fatalf("body %q, want %q", w.Body, tt.body)
			}
			checkHeaders(t, w.Header(), tt.headers)
		})
	}
}

func TestAuthorizationServerHandlerCopies(t *testing.T) {
	m := asMetadata()
	h, err := NewAuthorizationServerHandler(m)
	if err != nil {
		t.Fatal(err)
	}
	before := serveRequest(h, "GET", asPath, nil).Body.String()
	m.Issuer = "https://changed.example"
	m.Extra["x_vendor"] = json.RawMessage(`0`)
	if after := serveRequest(h, "GET", asPath, nil).Body.String(); after != before {
		t.Fatalf("editing the metadata changed the served document:\n%s\n%s", before, after)
	}
}

func TestNewAuthorizationServerHandlerErrors(t *testing.T) {
	tests := []struct {
		name string
		m    *config.Metadata
		opts []HandlerOption
		want string // "field value"
	}{
		{"nil", nil, nil, "authorization server metadata "},
		{"no issuer", &config.Metadata{}, nil, "issuer "},
		{"http issuer", &config.Metadata{Issuer: "http://auth.example.com"}, nil, "issuer http://auth.example.com"},
		{"issuer with query", &config.Metadata{Issuer: "https://auth.example.com?x"}, nil, "issuer https://auth.example.com?x"},
		{"issuer with fragment", &config.Metadata{Issuer: "https://auth.example.com#x"}, nil, "issuer https://auth.example.com#x"},
		{"relative issuer", &config.Metadata{Issuer: "auth.example.com"}, nil, "issuer auth.example.com"},
		{"bad Cache-Control", asMetadata(), []HandlerOption{WithCacheControl("\n")}, "WithCacheControl \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewAuthorizationServerHandler(tt.m, tt.opts...)
			if h != nil || !errors.Is(err, ErrInvalidMetadata) {
				t.Fatalf("NewAuthorizationServerHandler = %v, %v; want nil, ErrInvalidMetadata", h, err)
			}
			if got := problems(err); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("problems %q, want %q", got, tt.want)
			}
		})
	}
	for _, issuer := range []string{"http://localhost:3001/oidc", "https://auth.example.com/realms/a/"} {
		if _, err := NewAuthorizationServerHandler(&config.Metadata{Issuer: issuer}); err != nil {
			t.Errorf("issuer %q refused: %v", issuer, err)
		}
	}
	if _, err := NewAuthorizationServerHandler(&config.Metadata{Issuer: "http://auth.internal"}, InsecureAllowHTTP()); err != nil {
		t.Errorf("InsecureAllowHTTP: %v", err)
	}
}

func TestAuthorizationServerHandlerRegister(t *testing.T) {
	h, err := NewAuthorizationServerHandler(asMetadata())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET " + asPath, "GET " + asPath + "/{$}", "OPTIONS " + asPath, "OPTIONS " + asPath + "/{$}"}
	if got := h.Paths(); !slices.Equal(got, want) {
		t.Fatalf("Paths() = %q, want %q", got, want)
	}
	prm, err := NewProtectedResourceHandler([]ProtectedResource{validDoc()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mux.HandleFunc("GET "+asPath+"/tenant", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	h.Register(mux)
	prm.Register(mux)
	for _, tt := range []struct {
		method, target string
		status         int
	}{
		{"GET", asPath, 200},
		{"GET", asPath + "/", 200},
		{"HEAD", asPath, 200},
		{"OPTIONS", asPath + "/", 204},
		{"POST", asPath, 405},
		{"GET", asPath + "/tenant", 202}, // paths below stay free
		{"GET", asPath + "/other", 418},
		{"GET", WellKnownPath + "/mcp", 200},
	} {
		if w := serveRequest(mux, tt.method, tt.target, nil); w.Code != tt.status {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.target, w.Code, tt.status)
		}
	}
}

func TestAuthorizationServerHandlerZeroValue(t *testing.T) {
	var h AuthorizationServerHandler
	if w := serveRequest(&h, "GET", asPath, nil); w.Code != 404 {
		t.Fatalf("zero value: GET = %d, want 404", w.Code)
	}
}

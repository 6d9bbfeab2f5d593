package metadata_test

// mcp-auth JS's tests of its metadata routers and of the transpilation of
// its resource configuration into a metadata document, ported to this
// package.
//
// Sources: github.com/mcp-auth/js v0.2.0 (7ffcb25),
// packages/mcp-auth/src/routers/create-delegated-router.test.ts,
// packages/mcp-auth/src/routers/create-resource-metadata-router.test.ts and
// packages/mcp-auth/src/utils/transpile-resource-metadata.test.ts; the
// Python-only cases name tests/auth/authorization_server_handler_test.py and
// tests/auth/resource_server_handler_test.py of github.com/mcp-auth/python
// v0.2.0b1 (its tests/utils/_transpile_resource_metadata_test.py mirrors the
// first three JS transpile cases). Each case names the test by line (JS) or
// function (Python) and title; differs and gap read as in
// bearer/mcpauthjs_test.go, whose TestMCPAuthJSDifferencesDocumented checks
// that every differs value below is a row of README's "Where we differ"
// table.
//
// createDelegatedRouter is NewAuthorizationServerHandler here and
// createResourceMetadataRouter NewProtectedResourceHandler; the JS tests
// call the Express router with mock requests, the ports mount the handlers
// on a ServeMux (Register) behind an httptest server and send real requests
// over loopback. transpileResourceMetadata has no counterpart in this
// package: mcpauth.New builds the document from a ResourceConfig, so those
// cases go through mcpauth.MCPAuth.ProtectedResourceMetadataHandler.

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/mcpauth"
	"github.com/mcp-auth/go/metadata"
)

// jsResponse is what one request to a metadata server got.
type jsResponse struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request to srv and reads the whole response.
func send(t *testing.T, srv *httptest.Server, method, path string) jsResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodOptions {
		req.Header.Set("Origin", "https://client.example.com")
		req.Header.Set("Access-Control-Request-Method", "GET")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return jsResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// serve mounts h on a ServeMux behind a loopback server.
func serve(t *testing.T, register func(*http.ServeMux)) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// checkDocument checks a GET answer as the JS tests do: 200, the body
// equal (as JSON, JS's toEqual) to want, Content-Type application/json and
// Access-Control-Allow-Origin *.
func checkDocument(t *testing.T, got jsResponse, want string) {
	t.Helper()
	if got.status != http.StatusOK {
		t.Errorf("status %d, want 200 (body %s)", got.status, got.body)
	}
	var gotDoc, wantDoc any
	if err := json.Unmarshal(got.body, &gotDoc); err != nil {
		t.Fatalf("body %q: %v", got.body, err)
	}
	if err := json.Unmarshal([]byte(want), &wantDoc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotDoc, wantDoc) {
		t.Errorf("body\n got %s\nwant %s", got.body, want)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if o := got.header.Values("Access-Control-Allow-Origin"); !reflect.DeepEqual(o, []string{"*"}) {
		t.Errorf("Access-Control-Allow-Origin %q, want [*]", o)
	}
}

// checkPreflight checks an OPTIONS answer as the Python tests do: 204,
// an empty body and Access-Control-Allow-Origin *.
func checkPreflight(t *testing.T, got jsResponse) {
	t.Helper()
	if got.status != http.StatusNoContent || len(got.body) != 0 {
		t.Errorf("OPTIONS: status %d, body %q; want 204 and no body", got.status, got.body)
	}
	if o := got.header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("OPTIONS: Access-Control-Allow-Origin %q, want *", o)
	}
}

func TestMCPAuthJSCreateDelegatedRouter(t *testing.T) {
	// create-delegated-router.test.ts's metadata.
	jsMetadata := func() *config.Metadata {
		return &config.Metadata{
			Issuer:                 "https://example.com",
			AuthorizationEndpoint:  "https://example.com/authorize",
			TokenEndpoint:          "https://example.com/token",
			ResponseTypesSupported: []string{"code", "token"},
		}
	}
	const jsDocument = `{"issuer":"https://example.com","authorization_endpoint":"https://example.com/authorize","token_endpoint":"https://example.com/token","response_types_supported":["code","token"]}`

	t.Run("create-delegated-router.test.ts:19 should return a router instance", func(t *testing.T) {
		h, err := metadata.NewAuthorizationServerHandler(jsMetadata())
		if err != nil || h == nil {
			t.Fatalf("NewAuthorizationServerHandler = %v, %v", h, err)
		}
		if len(h.Paths()) == 0 {
			t.Error("the handler mounts at no path")
		}
	})
	t.Run("create-delegated-router.test.ts:24 should respond with snake_case metadata on GET /.well-known/oauth-authorization-server", func(t *testing.T) {
		h, err := metadata.NewAuthorizationServerHandler(jsMetadata())
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, h.Register)
		checkDocument(t, send(t, srv, http.MethodGet, metadata.AuthorizationServerWellKnownPath), jsDocument)
	})
	t.Run("authorization_server_handler_test.py test_metadata_endpoint", func(t *testing.T) {
		m := &config.Metadata{
			Issuer:                 "https://auth.example.com",
			AuthorizationEndpoint:  "https://auth.example.com/auth",
			TokenEndpoint:          "https://auth.example.com/token",
			ResponseTypesSupported: []string{"code"},
			JWKSURI:                "https://auth.example.com/.well-known/jwks.json",
		}
		h, err := metadata.NewAuthorizationServerHandler(m)
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, h.Register)
		checkDocument(t, send(t, srv, http.MethodGet, metadata.AuthorizationServerWellKnownPath),
			`{"issuer":"https://auth.example.com","authorization_endpoint":"https://auth.example.com/auth","token_endpoint":"https://auth.example.com/token","response_types_supported":["code"],"jwks_uri":"https://auth.example.com/.well-known/jwks.json"}`)
		checkPreflight(t, send(t, srv, http.MethodOptions, metadata.AuthorizationServerWellKnownPath))
	})
}

func TestMCPAuthJSCreateResourceMetadataRouter(t *testing.T) {
	// create-resource-metadata-router.test.ts's metadata1 and metadata2.
	metadata1 := metadata.ProtectedResource{
		Resource:               "https://api.example.com/v1",
		AuthorizationServers:   []string{"https://auth.example.com"},
		ScopesSupported:        []string{"read", "write"},
		BearerMethodsSupported: []string{"header", "body"},
	}
	const document1 = `{"resource":"https://api.example.com/v1","authorization_servers":["https://auth.example.com"],"scopes_supported":["read","write"],"bearer_methods_supported":["header","body"]}`
	metadata2 := metadata.ProtectedResource{
		Resource:             "https://api.example.com/v2",
		AuthorizationServers: []string{"https://another-auth.example.com"},
		ScopesSupported:      []string{"admin"},
	}
	const document2 = `{"resource":"https://api.example.com/v2","authorization_servers":["https://another-auth.example.com"],"scopes_supported":["admin"]}`

	// path is createResourceMetadataEndpoint(resource).pathname.
	path := func(t *testing.T, resource string) string {
		t.Helper()
		p, err := metadata.Path(resource)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("create-resource-metadata-router.test.ts:26 should return a router instance", func(t *testing.T) {
		// JS: a router (serving nothing) for no resources. Here that is
		// a configuration mistake.
		const differs = "no resources"
		h, err := metadata.NewProtectedResourceHandler(nil)
		if !errors.Is(err, metadata.ErrInvalidMetadata) || h != nil {
			t.Fatalf("NewProtectedResourceHandler(nil) = %v, %v; want nil and an error matching ErrInvalidMetadata (%s)", h, err, differs)
		}
		h, err = metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{})
		if !errors.Is(err, metadata.ErrInvalidMetadata) || h != nil {
			t.Fatalf("NewProtectedResourceHandler([]) = %v, %v; want nil and an error matching ErrInvalidMetadata (%s)", h, err, differs)
		}
	})
	t.Run("create-resource-metadata-router.test.ts:31 should respond with snake_case metadata for a single resource", func(t *testing.T) {
		h, err := metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{metadata1})
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, h.Register)
		checkDocument(t, send(t, srv, http.MethodGet, path(t, metadata1.Resource)), document1)
	})
	t.Run("create-resource-metadata-router.test.ts:48 should handle multiple resource metadata entries", func(t *testing.T) {
		h, err := metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{metadata1, metadata2})
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, h.Register)
		checkDocument(t, send(t, srv, http.MethodGet, path(t, metadata1.Resource)), document1)
		checkDocument(t, send(t, srv, http.MethodGet, path(t, metadata2.Resource)), document2)
	})
	t.Run("resource_server_handler_test.py test_create_metadata_route", func(t *testing.T) {
		h, err := metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{{
			Resource:             "https://my-api.com",
			AuthorizationServers: []string{"https://auth.example.com"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, h.Register)
		p := path(t, "https://my-api.com")
		checkDocument(t, send(t, srv, http.MethodGet, p), `{"resource":"https://my-api.com","authorization_servers":["https://auth.example.com"]}`)
		checkPreflight(t, send(t, srv, http.MethodOptions, p))
	})
}

func TestMCPAuthJSTranspileResourceMetadata(t *testing.T) {
	// A resolved server of transpile-resource-metadata.test.ts (type
	// oidc, issuer, authorization and token endpoints, code), completed
	// with what mcpauth.New checks and mcp-auth's transpilation does not:
	// PKCE S256 and the members OpenID Connect Discovery requires.
	resolved := func(issuer string) *config.ServerConfig {
		return &config.ServerConfig{Type: config.OIDC, Metadata: config.Metadata{
			Issuer:                           issuer,
			AuthorizationEndpoint:            issuer + "/auth",
			TokenEndpoint:                    issuer + "/token",
			ResponseTypesSupported:           []string{"code"},
			CodeChallengeMethodsSupported:    []string{"S256"},
			RegistrationEndpoint:             issuer + "/register",
			JWKSURI:                          issuer + "/jwks",
			SubjectTypesSupported:            []string{"public"},
			IDTokenSigningAlgValuesSupported: []string{"RS256"},
		}}
	}
	// discovery is a discovery configuration ({issuer, type}): nothing is
	// fetched to publish its issuer.
	discovery := func(t *testing.T, issuer string, typ config.ServerType) *config.ServerConfig {
		t.Helper()
		s, err := mcpauth.DeferredServerConfig(issuer, typ)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// JS's expected document, plus bearer_methods_supported.
	const twoServers = `{"resource":"https://api.example.com","authorization_servers":["https://auth.example.com","https://another-auth.example.com"],"scopes_supported":["read","write"],"bearer_methods_supported":["header"]}`

	cases := []struct {
		name    string
		differs string
		servers func(t *testing.T) []*config.ServerConfig
		want    string // "" when New refuses the configuration
	}{{
		name:    "transpile-resource-metadata.test.ts:8 should transpile resource metadata to standard format",
		differs: "bearer_methods_supported",
		servers: func(*testing.T) []*config.ServerConfig {
			return []*config.ServerConfig{resolved("https://auth.example.com"), resolved("https://another-auth.example.com")}
		},
		want: twoServers,
	}, {
		// JS: {resource, scopes_supported}, authorization_servers
		// omitted.
		name:    "transpile-resource-metadata.test.ts:43 should handle metadata with no authorization servers",
		differs: "authorization servers required",
		servers: func(*testing.T) []*config.ServerConfig { return nil },
	}, {
		name:    "transpile-resource-metadata.test.ts:57 should handle metadata with an empty authorization servers array",
		differs: "authorization servers required",
		servers: func(*testing.T) []*config.ServerConfig { return []*config.ServerConfig{} },
	}, {
		name:    "transpile-resource-metadata.test.ts:72 should handle discovery config (issuer + type only)",
		differs: "bearer_methods_supported",
		servers: func(t *testing.T) []*config.ServerConfig {
			return []*config.ServerConfig{discovery(t, "https://auth.example.com", config.OIDC), discovery(t, "https://another-auth.example.com", config.OAuth)}
		},
		want: twoServers,
	}, {
		name:    "transpile-resource-metadata.test.ts:91 should handle mixed resolved and discovery configs",
		differs: "bearer_methods_supported",
		servers: func(t *testing.T) []*config.ServerConfig {
			return []*config.ServerConfig{resolved("https://auth.example.com"), discovery(t, "https://another-auth.example.com", config.OAuth)}
		},
		want: twoServers,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := mcpauth.ResourceConfig{
				Resource:             "https://api.example.com",
				AuthorizationServers: tc.servers(t),
				ScopesSupported:      []string{"read", "write"},
			}
			a, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{rc}})
			if tc.want == "" {
				if !errors.Is(err, mcpauth.ErrInvalidConfig) || a != nil {
					t.Fatalf("mcpauth.New = %v, %v; want nil and an error matching ErrInvalidConfig", a, err)
				}
				// The metadata handler refuses the document too.
				h, err := metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{{
					Resource:        rc.Resource,
					ScopesSupported: rc.ScopesSupported,
				}})
				if !errors.Is(err, metadata.ErrInvalidMetadata) || h != nil {
					t.Fatalf("NewProtectedResourceHandler = %v, %v; want nil and an error matching ErrInvalidMetadata", h, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			srv := serve(t, func(mux *http.ServeMux) { mux.Handle("/", a.ProtectedResourceMetadataHandler()) })
			checkDocument(t, send(t, srv, http.MethodGet, metadata.WellKnownPath), tc.want)
		})
	}
}

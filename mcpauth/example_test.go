package mcpauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth"
)

// exampleProvider starts a stand-in authorization server publishing an
// OpenID discovery document, as Logto, Keycloak or Auth0 would.
func exampleProvider() *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                srv.URL,
			"authorization_endpoint":                srv.URL + "/auth",
			"token_endpoint":                        srv.URL + "/token",
			"registration_endpoint":                 srv.URL + "/reg",
			"userinfo_endpoint":                     srv.URL + "/me",
			"jwks_uri":                              srv.URL + "/jwks",
			"response_types_supported":              []string{"code"},
			"code_challenge_methods_supported":      []string{"S256"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES384"},
		})
	}))
	return srv
}

func ExampleFetchServerConfig() {
	provider := exampleProvider()
	defer provider.Close()

	as, err := mcpauth.FetchServerConfig(context.Background(), provider.URL, mcpauth.OIDC)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(as.Type, as.Metadata.Issuer == provider.URL)
	fmt.Println(strings.TrimPrefix(as.Metadata.UserinfoEndpoint, provider.URL))
	// Output:
	// oidc true
	// /me
}

// A protected MCP endpoint: the metadata beside it, the endpoint behind the
// bearer middleware, the caller's identity in the handler.
func ExampleMCPAuth_BearerAuth() {
	provider := exampleProvider()
	defer provider.Close()
	as, err := mcpauth.FetchServerConfig(context.Background(), provider.URL, mcpauth.OIDC)
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	server := httptest.NewServer(mux)
	defer server.Close()
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource:             server.URL + "/mcp",
		AuthorizationServers: []*mcpauth.ServerConfig{as},
		ScopesSupported:      []string{"whoami:read"},
	}}})
	if err != nil {
		fmt.Println(err)
		return
	}

	// A stand-in verifier; use auth.JWTVerifier() or auth.UserinfoVerifier() for real.
	verifier := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
		if token != "valid-token" {
			return nil, bearer.InvalidToken("unknown token", nil)
		}
		return &mcpauth.AuthInfo{
			Issuer: as.Metadata.Issuer, Subject: "user-123", Audience: []string{server.URL + "/mcp"},
			Scopes: []string{"whoami:read"}, ExpiresAt: time.Now().Add(time.Hour),
		}, nil
	})
	auth.Register(mux)
	mux.Handle("/mcp", auth.BearerAuth(verifier, bearer.WithRequiredScopes("whoami:read"))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, _ := mcpauth.AuthInfoFromContext(r.Context())
			fmt.Fprintf(w, "hello %s", info.Subject)
		})))

	for _, token := range []string{"", "valid-token"} {
		req, _ := http.NewRequest(http.MethodPost, server.URL+"/mcp", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fmt.Println(resp.StatusCode, strings.ReplaceAll(resp.Header.Get("WWW-Authenticate"), server.URL, "http://mcp.test"))
			continue
		}
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 401 Bearer scope="whoami:read", resource_metadata="http://mcp.test/.well-known/oauth-protected-resource/mcp"
	// 200 hello user-123
}

func ExampleMCPAuth_ProtectedResourceMetadataHandler() {
	provider := exampleProvider()
	defer provider.Close()
	as, err := mcpauth.FetchServerConfig(context.Background(), provider.URL, mcpauth.OIDC)
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
		Resource:             "https://mcp.example.com/mcp",
		AuthorizationServers: []*mcpauth.ServerConfig{as},
		ScopesSupported:      []string{"whoami:read"},
	}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := httptest.NewRecorder()
	auth.ProtectedResourceMetadataHandler().ServeHTTP(rec,
		httptest.NewRequest(http.MethodGet, "https://mcp.example.com/.well-known/oauth-protected-resource/mcp", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(strings.ReplaceAll(rec.Body.String(), provider.URL, "http://as.test"))
	// Output:
	// 200 application/json
	// {"resource":"https://mcp.example.com/mcp","authorization_servers":["http://as.test"],"scopes_supported":["whoami:read"],"bearer_methods_supported":["header"]}
}

// Legacy mode (MCP 2025-03-26): the MCP server mirrors its authorization
// server's metadata at its own origin.
func ExampleMCPAuth_AuthorizationServerMetadataHandler() {
	provider := exampleProvider()
	defer provider.Close()
	as, err := mcpauth.FetchServerConfig(context.Background(), provider.URL, mcpauth.OIDC)
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := mcpauth.New(mcpauth.Config{Server: as, LegacyAudience: "https://mcp.example.com/mcp"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := httptest.NewRecorder()
	auth.AuthorizationServerMetadataHandler().ServeHTTP(rec,
		httptest.NewRequest(http.MethodGet, "/.well-known/oauth-authorization-server", nil))
	var doc map[string]any
	json.Unmarshal(rec.Body.Bytes(), &doc)
	fmt.Println(rec.Code, doc["issuer"] == provider.URL, doc["code_challenge_methods_supported"])
	// Output:
	// 200 true [S256]
}

func ExampleAuthInfoFromContext() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, ok := mcpauth.AuthInfoFromContext(r.Context())
		if !ok {
			http.Error(w, "not authenticated", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "%s via %s with %v", info.Subject, info.ClientID, info.Scopes)
	})

	// The middleware does this for every authenticated request.
	req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	req = req.WithContext(bearer.NewContext(req.Context(), &mcpauth.AuthInfo{
		Subject: "user-123", ClientID: "agent-7", Scopes: []string{"whoami:read"},
	}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// user-123 via agent-7 with [whoami:read]
}

package mcphttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

// The gate in front of an MCP handler (here a stand-in; in a real server
// mcp-go's server.NewStreamableHTTPServer), behind the bearer middleware: a
// call of admin_only with a read-only token is refused with a step-up
// challenge naming every scope it needs.
func ExampleNewScopeGate() {
	verifier := bearer.VerifierFunc(func(_ context.Context, token string) (*bearer.AuthInfo, error) {
		scopes := map[string][]string{"read-token": {"whoami:read"}, "admin-token": {"whoami:admin"}}[token]
		if scopes == nil {
			return nil, bearer.InvalidToken("unknown token", nil)
		}
		return &bearer.AuthInfo{Issuer: "https://issuer.example.com", Subject: "alice", Scopes: scopes}, nil
	})
	authn, err := bearer.New(verifier,
		bearer.WithRequiredScopes("whoami:read"),
		bearer.WithScopeHierarchy(map[string][]string{"whoami:admin": {"whoami:read"}}),
		bearer.WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource"))
	if err != nil {
		panic(err)
	}
	// The gate asks authn to check the scopes a call needs, together with
	// the required whoami:read and through the hierarchy.
	gate, err := mcphttp.NewScopeGate(mcphttp.ToolScopes{
		Tools: map[string][]string{"admin_only": {"whoami:admin"}},
	}, authn)
	if err != nil {
		panic(err)
	}
	binding, err := mcphttp.NewSessionBinding(authn)
	if err != nil {
		panic(err)
	}
	mcpHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // the gate hands the body on intact
		fmt.Fprintf(w, "MCP handler got %d bytes", len(body))
	})
	srv := httptest.NewServer(authn.Handler(binding.Handler(gate(mcpHandler))))
	defer srv.Close()

	for _, token := range []string{"read-token", "admin-token"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"admin_only"}}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(token, resp.StatusCode)
		if c := resp.Header.Get("WWW-Authenticate"); c != "" {
			fmt.Println(c)
		} else {
			fmt.Println(string(body))
		}
	}
	// Output:
	// read-token 403
	// Bearer error="insufficient_scope", scope="whoami:read whoami:admin", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"
	// admin-token 200
	// MCP handler got 77 bytes
}

package gosdk_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/gosdk"
)

// An MCP server on the official Go SDK whose tool reads the caller from
// req.Extra. A real server builds its Authenticator with mcpauth (the
// provider's keys, the resource's metadata URL); this one accepts a single
// made-up token so that the example runs offline.
func Example() {
	verifier := bearer.VerifierFunc(func(_ context.Context, token string) (*bearer.AuthInfo, error) {
		if token != "alice-token" {
			return nil, bearer.InvalidToken("unknown token", nil)
		}
		return &bearer.AuthInfo{
			Issuer: "https://issuer.example", Subject: "alice-id", ClientID: "agent",
			Scopes: []string{"whoami:read"}, ExpiresAt: time.Now().Add(time.Hour),
			Claims: map[string]any{"sub": "alice-id", "email": "alice@example.com"},
		}, nil
	})
	authn, err := bearer.New(verifier,
		bearer.WithResourceMetadataURL("https://mcp.example/.well-known/oauth-protected-resource/mcp"))
	if err != nil {
		log.Fatal(err)
	}

	server := mcp.NewServer(&mcp.Implementation{Name: "whoami", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		info, ok := gosdk.AuthInfo(req.Extra) // req.Extra.TokenInfo, with this library's AuthInfo behind it
		if !ok {
			return nil, nil, fmt.Errorf("not authenticated")
		}
		text := fmt.Sprintf("user %s (%s), scopes %v, client %s",
			req.Extra.TokenInfo.UserID, info.Claims["email"], req.Extra.TokenInfo.Scopes, info.ClientID)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
	})
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	srv := httptest.NewServer(gosdk.Middleware(authn)(handler))
	defer srv.Close()

	// Without a token: this library's challenge, which sends an MCP client
	// to the protected resource metadata.
	resp, err := http.Post(srv.URL, "application/json", nil)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	fmt.Println(resp.Header.Get("WWW-Authenticate"))

	// With a token, through the SDK's own client.
	ctx := context.Background()
	client := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:             srv.URL,
		HTTPClient:           &http.Client{Transport: withToken{"alice-token", http.DefaultTransport}},
		DisableStandaloneSSE: true,
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer session.Close()
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Content[0].(*mcp.TextContent).Text)
	// Output:
	// 401 Unauthorized
	// Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp"
	// user alice-id (alice@example.com), scopes [whoami:read], client agent
}

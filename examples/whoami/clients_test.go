package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/examples/internal/gosdkclient"
)

// The seed's promise, with all defaults: every spec-following client that
// runs the OAuth flow itself (sending the resource parameter) gets sub,
// username, name and email from whoami, over streamable HTTP and the legacy
// SSE transport. The TypeScript SDK client's turn is in interop_test.go.
func TestEveryClientGetsTheIdentityByDefault(t *testing.T) {
	a := startWhoami(t, options{})
	demo := devissuer.DemoUser()
	login := func(ctx context.Context, authURL string) (*url.URL, error) {
		return a.dev.Login(ctx, nil, authURL, demo.Username, demo.Password)
	}
	clients := []struct {
		name string
		call func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string
	}{
		{"Go SDK", func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string {
			text, err := gosdkclient.CallTool(ctx, gosdkclient.Config{URL: mcpURL, SSE: sse, Login: login}, "whoami", nil)
			if err != nil {
				t.Fatal(err)
			}
			return text
		}},
		{"mcp-go", func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string {
			return mcpGoOAuthCall(t, ctx, login, mcpURL, sse)
		}},
		{"curl", func(t *testing.T, ctx context.Context, mcpURL string, sse bool) string {
			return curlFlow(t, ctx, mcpURL, sse, demo)
		}},
	}
	for _, cl := range clients {
		for _, tr := range []struct {
			name string
			url  string
			sse  bool
		}{{"streamable", a.resource, false}, {"sse", a.sseResource, true}} {
			t.Run(cl.name+"/"+tr.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				text := cl.call(t, ctx, tr.url, tr.sse)
				claims := claimsOf(t, text)
				for k, want := range map[string]string{"sub": demo.ID, "username": demo.Username, "name": demo.Name, "email": demo.Email} {
					if claims[k] != want {
						t.Errorf("whoami %s = %v, want %s (%s)", k, claims[k], want, text)
					}
				}
				if g, _ := claims["grant"].(map[string]any); g == nil || !strings.Contains(mustJSON(g["audience"]), tr.url) {
					t.Errorf("grant %v: the token was not bound to %s", claims["grant"], tr.url)
				}
			})
		}
	}
}

// mcpGoOAuthCall runs mcp-go's own OAuth client (registration, PKCE with
// the resource parameter, token) against mcpURL and calls whoami.
func mcpGoOAuthCall(t *testing.T, ctx context.Context, login gosdkclient.LoginFunc, mcpURL string, sse bool) string {
	t.Helper()
	cfg := client.OAuthConfig{
		RedirectURI: "http://127.0.0.1:1/callback",
		PKCEEnabled: true,
		TokenStore:  transport.NewMemoryTokenStore(),
		Scopes:      []string{"openid", "profile", "email"},
	}
	var c *client.Client
	var err error
	if sse {
		c, err = client.NewOAuthSSEClient(mcpURL, cfg)
	} else {
		c, err = client.NewOAuthStreamableHttpClient(mcpURL, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Start(ctx)
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "mcp-go oauth test", Version: "1"}
	if err == nil {
		_, err = c.Initialize(ctx, init)
	}
	if !client.IsOAuthAuthorizationRequiredError(err) {
		t.Fatalf("first contact: %v, want an authorization-required error", err)
	}
	h := client.GetOAuthHandler(err)
	if err := h.RegisterClient(ctx, "mcp-go client"); err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	verifier, err := transport.GenerateCodeVerifier()
	if err != nil {
		t.Fatal(err)
	}
	state, err := transport.GenerateState()
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := h.GetAuthorizationURL(ctx, state, transport.GenerateCodeChallenge(verifier))
	if err != nil {
		t.Fatalf("GetAuthorizationURL: %v", err)
	}
	if !strings.Contains(authURL, "resource=") {
		t.Errorf("mcp-go sent no resource parameter: %s", authURL)
	}
	redirect, err := login(ctx, authURL)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	q := redirect.Query()
	if err := h.ProcessAuthorizationResponse(ctx, q.Get("code"), q.Get("state"), verifier); err != nil {
		t.Fatalf("ProcessAuthorizationResponse: %v", err)
	}
	if sse {
		// The SSE transport opened its stream at Start, without a token:
		// open it again now that the token store has one.
		c.Close()
		if c, err = client.NewOAuthSSEClient(mcpURL, cfg); err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Start(ctx); err != nil {
			t.Fatalf("start with the token: %v", err)
		}
	}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize with the token: %v", err)
	}
	call := mcp.CallToolRequest{}
	call.Params.Name = "whoami"
	res, err := c.CallTool(ctx, call)
	if err != nil || res.IsError {
		t.Fatalf("whoami: %v %+v", err, res)
	}
	return res.Content[0].(mcp.TextContent).Text
}

// curlFlow runs curl-flow.sh, the flow by hand with curl and jq, against
// mcpURL as user.
func curlFlow(t *testing.T, ctx context.Context, mcpURL string, sse bool, user devissuer.User) string {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required (apt-get install -y curl jq openssl)", tool)
			}
			t.Skipf("%s not installed: apt-get install -y curl jq openssl", tool)
		}
	}
	_, file, _, _ := runtime.Caller(0)
	args := []string{filepath.Join(filepath.Dir(file), "curl-flow.sh")}
	if sse {
		args = append(args, "-sse")
	}
	args = append(args, mcpURL, user.Username, user.Password)
	cmd := exec.CommandContext(ctx, "bash", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl-flow.sh: %v\n%s", err, stderr.String())
	}
	return string(out)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

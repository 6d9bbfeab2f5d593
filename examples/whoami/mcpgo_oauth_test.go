package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mcp-auth/go/examples/internal/devissuer"
)

// mcp-go's own client OAuth support (another implementation nobody here
// wrote) completes the flow against the whoami example: the 401 challenge,
// protected resource metadata, registration, PKCE with the resource
// parameter, and the call.
func TestMCPGoOAuthClient(t *testing.T) {
	a := startWhoami(t, options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := client.NewOAuthStreamableHttpClient(a.resource, client.OAuthConfig{
		RedirectURI: "http://127.0.0.1:1/callback",
		PKCEEnabled: true,
		TokenStore:  transport.NewMemoryTokenStore(),
		Scopes:      []string{"openid", "profile", "email"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "mcp-go oauth test", Version: "1"}
	_, err = c.Initialize(ctx, init)
	if !client.IsOAuthAuthorizationRequiredError(err) {
		t.Fatalf("first initialize: %v, want an authorization-required error", err)
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
	redirect, err := a.dev.Login(ctx, nil, authURL, devissuer.DemoUser().Username, devissuer.DemoUser().Password)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	q := redirect.Query()
	if err := h.ProcessAuthorizationResponse(ctx, q.Get("code"), q.Get("state"), verifier); err != nil {
		t.Fatalf("ProcessAuthorizationResponse: %v", err)
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
	text := res.Content[0].(mcp.TextContent).Text
	if claims := claimsOf(t, text); claims["sub"] != devissuer.DemoUser().ID {
		t.Errorf("whoami = %s", text)
	}
}

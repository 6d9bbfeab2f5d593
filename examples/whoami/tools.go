package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mcp-auth/go/mcpauth"
)

// newMCPServer builds the MCP server and its tools. The tools read the
// caller from the request context, where the bearer middleware put it; they
// never see (or return) the raw token. adminScope is the scope token_info
// needs on top of the baseline, "" when it needs none.
func newMCPServer(adminScope string) *server.MCPServer {
	s := server.NewMCPServer("whoami", "1.0.0", server.WithToolCapabilities(false))
	readOnly := []mcp.ToolOption{
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(false),
	}
	s.AddTool(mcp.NewTool("whoami", append([]mcp.ToolOption{
		mcp.WithDescription("Returns who is calling (sub, username, name, email) and what the access token grants (issuer, client, audience, scopes, expiry)."),
	}, readOnly...)...), whoami)
	tokenInfoDescription := "Returns what the server learned about the access token: issuer, subject, client, audience, scopes and expiry."
	if adminScope != "" {
		tokenInfoDescription += " Needs the " + adminScope + " scope (the server answers 403 with a step-up challenge without it)."
	}
	s.AddTool(mcp.NewTool("token_info", append([]mcp.ToolOption{mcp.WithDescription(tokenInfoDescription)}, readOnly...)...), tokenInfo)
	return s
}

// identityResult is the whoami tool's answer: the identity the seed guide
// promises, which of its claims the provider did not supply, and the grant.
type identityResult struct {
	Sub      string `json:"sub"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	// MissingClaims names the identity claims the provider supplied
	// neither in the token nor at userinfo (see README, "Identity").
	MissingClaims []string `json:"missing_claims,omitempty"`
	// IdentitySources says where the claims came from ("token",
	// "userinfo"); UnavailableSources the sources that were down.
	IdentitySources    []string `json:"identity_sources,omitempty"`
	UnavailableSources []string `json:"unavailable_identity_sources,omitempty"`
	Grant              grant    `json:"grant"`
}

// grant is what the access token grants.
type grant struct {
	Issuer    string   `json:"issuer"`
	ClientID  string   `json:"client_id,omitempty"`
	Audience  []string `json:"audience"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expires_at,omitempty"`
}

func grantOf(info *mcpauth.AuthInfo) grant {
	g := grant{Issuer: info.Issuer, ClientID: info.ClientID, Audience: info.Audience, Scopes: info.Scopes}
	if !info.ExpiresAt.IsZero() {
		g.ExpiresAt = info.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return g
}

// whoami returns the caller's identity and grant as one JSON text content.
func whoami(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	info, ok := mcpauth.AuthInfoFromContext(ctx)
	if !ok {
		// Unreachable behind the bearer middleware; refuse rather than guess.
		return mcp.NewToolResultError("not authenticated"), nil
	}
	id := info.Identity
	res := identityResult{
		Sub:                info.Subject,
		Username:           id.Username(),
		Name:               id.Name(),
		Email:              id.Email(),
		IdentitySources:    id.Sources,
		UnavailableSources: id.Unavailable,
		Grant:              grantOf(info),
	}
	for _, c := range []struct{ name, value string }{{"username", res.Username}, {"name", res.Name}, {"email", res.Email}} {
		if c.value == "" {
			res.MissingClaims = append(res.MissingClaims, c.name)
		}
	}
	return jsonResult(res)
}

// tokenInfo is the summary the verifier produced, without the token itself.
func tokenInfo(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	info, ok := mcpauth.AuthInfoFromContext(ctx)
	if !ok {
		return mcp.NewToolResultError("not authenticated"), nil
	}
	return jsonResult(struct {
		Subject string `json:"subject"`
		grant
	}{info.Subject, grantOf(info)})
}

func jsonResult(v any) (*mcp.CallToolResult, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return mcp.NewToolResultText(string(b)), nil
}

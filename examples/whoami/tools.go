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
// never see (or return) the raw token.
func newMCPServer() *server.MCPServer {
	s := server.NewMCPServer("whoami", "1.0.0", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("whoami",
		mcp.WithDescription("Returns the claims of the signed-in user: the verified access token's claims, or the provider's userinfo document for opaque tokens."),
		mcp.WithReadOnlyHintAnnotation(true),
	), whoami)
	s.AddTool(mcp.NewTool("token_info",
		mcp.WithDescription("Returns what the server learned about the access token: issuer, subject, client, audience, scopes and expiry. Needs the admin scope (step-up)."),
		mcp.WithReadOnlyHintAnnotation(true),
	), tokenInfo)
	return s
}

// whoami returns the caller's claims as one JSON text content.
func whoami(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	info, ok := mcpauth.AuthInfoFromContext(ctx)
	if !ok {
		// Unreachable behind the bearer middleware; refuse rather than guess.
		return mcp.NewToolResultError("not authenticated"), nil
	}
	claims := info.Claims
	if claims == nil {
		claims = map[string]any{"sub": info.Subject}
	}
	return jsonResult(claims)
}

// tokenInfo is the summary the verifier produced, without the token itself.
func tokenInfo(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	info, ok := mcpauth.AuthInfoFromContext(ctx)
	if !ok {
		return mcp.NewToolResultError("not authenticated"), nil
	}
	out := map[string]any{
		"issuer":    info.Issuer,
		"subject":   info.Subject,
		"client_id": info.ClientID,
		"audience":  info.Audience,
		"scopes":    info.Scopes,
	}
	if !info.ExpiresAt.IsZero() {
		out["expires_at"] = info.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return jsonResult(out)
}

func jsonResult(v any) (*mcp.CallToolResult, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return mcp.NewToolResultText(string(b)), nil
}

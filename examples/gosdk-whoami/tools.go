package main

import (
	"context"
	"errors"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/mcpauth/gosdk"
)

// identity is the whoami tool's result: who the caller is, and what their
// token grants. The tool never returns (or logs) the token itself.
type identity struct {
	Sub      string `json:"sub" jsonschema:"the subject: the user's id at the provider"`
	Username string `json:"username,omitempty" jsonschema:"the login name (claim username, or preferred_username)"`
	Name     string `json:"name,omitempty" jsonschema:"the display name (claim name)"`
	Email    string `json:"email,omitempty" jsonschema:"the email address (claim email)"`
	// MissingClaims names the identity claims the access token does not
	// carry (as a string), so that a missing one is told apart from an
	// empty one: the provider must be told to put them into access tokens
	// (Logto's custom JWT claims, an Auth0 action, a Keycloak mapper).
	MissingClaims []string `json:"missing_claims" jsonschema:"the identity claims among username, name and email that the access token does not carry"`
	Grant         grant    `json:"grant" jsonschema:"what the access token grants"`
}

// grant is what the access token grants.
type grant struct {
	Issuer    string   `json:"issuer" jsonschema:"the authorization server that issued the token"`
	ClientID  string   `json:"client_id" jsonschema:"the OAuth client the token was issued to"`
	Audience  []string `json:"audience" jsonschema:"the resources the token is meant for"`
	Scopes    []string `json:"scopes" jsonschema:"the scopes granted"`
	ExpiresAt string   `json:"expires_at,omitempty" jsonschema:"when the token expires (RFC 3339)"`
}

// errNotAuthenticated is unreachable behind gosdk.Middleware: a tool
// refuses rather than guesses.
var errNotAuthenticated = errors.New("not authenticated")

// newMCPServer builds the MCP server and its tools.
func newMCPServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "whoami", Version: "1.0.0"}, nil)
	readOnly := &mcp.ToolAnnotations{ReadOnlyHint: true}
	mcp.AddTool(s, &mcp.Tool{
		Name:        "whoami",
		Description: "Returns who the signed-in user is (sub, username, name, email, from the access token's claims; missing_claims lists those the token does not carry) and what the token grants (issuer, client, audience, scopes, expiry).",
		Annotations: readOnly,
	}, whoami)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "token_info",
		Description: "Returns what the server learned about the access token: issuer, client, audience, scopes and expiry. May need an admin scope (step-up).",
		Annotations: readOnly,
	}, tokenInfo)
	return s
}

// whoami reads the caller from req.Extra: the SDK's TokenInfo (subject as
// UserID, scopes, expiry) and, behind it, mcp-auth's AuthInfo (issuer,
// client, audience, and the identity the token carried or the provider's
// userinfo endpoint completed).
func whoami(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, identity, error) {
	info, ok := gosdk.AuthInfo(req.Extra)
	if !ok {
		return nil, identity{}, errNotAuthenticated
	}
	id := info.Identity
	out := identity{Sub: req.Extra.TokenInfo.UserID, Username: id.Username(), Name: id.Name(), Email: id.Email(),
		MissingClaims: []string{}, Grant: grantOf(req)}
	for _, c := range []struct{ name, value string }{{"username", out.Username}, {"name", out.Name}, {"email", out.Email}} {
		if c.value == "" {
			out.MissingClaims = append(out.MissingClaims, c.name)
		}
	}
	return nil, out, nil
}

// tokenInfo is the grant alone.
func tokenInfo(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, grant, error) {
	if _, ok := gosdk.AuthInfo(req.Extra); !ok {
		return nil, grant{}, errNotAuthenticated
	}
	return nil, grantOf(req), nil
}

// grantOf summarises the token of an authenticated request.
func grantOf(req *mcp.CallToolRequest) grant {
	info, _ := gosdk.AuthInfo(req.Extra)
	ti := req.Extra.TokenInfo
	g := grant{
		Issuer:   info.Issuer,
		ClientID: info.ClientID,
		Audience: nonNil(info.Audience),
		Scopes:   nonNil(ti.Scopes),
	}
	if !ti.Expiration.IsZero() {
		g.ExpiresAt = ti.Expiration.UTC().Format(time.RFC3339)
	}
	return g
}

// nonNil makes a nil list an empty one, so that the result says [] rather
// than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

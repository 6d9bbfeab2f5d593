// Package mcpauth is the front door of mcp-auth for Go: everything an MCP
// server reached over HTTP needs to act as an OAuth 2.0 protected resource
// (MCP authorization, revisions 2025-03-26 to 2026-07-28).
//
// The usual wiring:
//
//	ctx := context.Background()
//	as, err := mcpauth.FetchServerConfig(ctx, "https://auth.example.com/oidc", mcpauth.OIDC)
//	if err != nil { ... }
//	auth, err := mcpauth.New(mcpauth.Config{
//		ProtectedResources: []mcpauth.ResourceConfig{{
//			Resource:             "https://mcp.example.com/mcp",
//			AuthorizationServers: []*mcpauth.ServerConfig{as},
//			ScopesSupported:      []string{"whoami:read"},
//		}},
//	})
//	if err != nil { ... }
//	verifier, err := auth.JWTVerifier()
//	if err != nil { ... }
//	defer verifier.Close()
//
//	mux := http.NewServeMux()
//	auth.Register(mux) // RFC 9728 (and RFC 8414 mirror) metadata, never behind auth
//	mux.Handle("/mcp", auth.BearerAuth(verifier, bearer.WithRequiredScopes("whoami:read"))(mcpHandler))
//
// Tool handlers read the caller with [AuthInfoFromContext].
//
// The work is done by three packages that can also be used alone: config
// (discovering and validating the authorization server), bearer (the
// middleware and the token verifiers) and metadata (the documents the server
// publishes). mcpauth only wires them together from one configuration, so
// that the issuer, the resource, the metadata URL and the scopes are stated
// once and agree everywhere.
package mcpauth

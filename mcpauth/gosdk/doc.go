// Package gosdk connects mcp-auth for Go to the official MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk): this library verifies the
// bearer token and answers every refusal, and the SDK's handlers find the
// verified caller where they look for it, in req.Extra.TokenInfo.
//
// It is a module of its own (github.com/mcp-auth/go/mcpauth/gosdk), so that
// github.com/mcp-auth/go never requires the SDK.
//
// Quick start (an MCP server on the SDK, protected by an authorization
// server; see examples/gosdk-whoami for a complete program):
//
//	as, err := mcpauth.FetchServerConfig(ctx, issuer, mcpauth.OIDC)
//	...
//	a, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ResourceConfig{{
//		Resource:             "https://mcp.example.com/mcp",
//		AuthorizationServers: []*mcpauth.ServerConfig{as},
//		ScopesSupported:      []string{"whoami:read"},
//	}}})
//	...
//	v, err := a.JWTVerifier()
//	...
//	authn, err := a.Authenticator(v, bearer.WithRequiredScopes("whoami:read"))
//	...
//	mux := http.NewServeMux()
//	a.Register(mux) // protected resource metadata, beside the MCP endpoint, never behind auth
//	mux.Handle("/mcp", gosdk.Middleware(authn)(mcp.NewStreamableHTTPHandler(
//		func(*http.Request) *mcp.Server { return server }, nil)))
//
// and in a tool:
//
//	func whoami(ctx context.Context, req *mcp.CallToolRequest, _ any) (*mcp.CallToolResult, any, error) {
//		ti := req.Extra.TokenInfo               // the SDK's view: Scopes, Expiration, UserID (the subject), Extra
//		info, ok := gosdk.AuthInfo(req.Extra)   // this library's: issuer, audience, client, claims...
//		...
//	}
//
// What reaches the SDK is described at [TokenInfo]; the Extra* constants
// name the keys of [auth.TokenInfo.Extra].
//
// Use [Middleware] rather than the SDK's own [auth.RequireBearerToken] with a
// verifier of this library: RequireBearerToken answers refusals itself, and
// not as RFC 6750 and the MCP authorization specification ask (a 401 or 403
// whose challenge carries no error code, so that a client cannot tell a bad
// token from a missing scope and does not step up; 500 for an unreachable
// provider; no scope hierarchies). Middleware keeps this library's answers.
package gosdk

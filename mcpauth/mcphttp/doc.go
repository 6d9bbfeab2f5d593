// Package mcphttp is net/http middleware for MCP servers reached over HTTP
// that goes one step past the bearer middleware: per-operation scopes with
// step-up (HTTP 403 insufficient_scope), and sessions bound to the user who
// opened them.
//
//   - [NewScopeGate] reads each JSON-RPC request body (a single message or a
//     batch), works out the scopes it needs (per tool for tools/call, per
//     method otherwise), has the bearer middleware check them together with
//     its own required scopes and scope hierarchy, and answers 403 with a
//     challenge that names all of them before the MCP transport runs. It
//     has to be at the HTTP layer: once an MCP tool handler runs the answer
//     is a 200, so tool middleware cannot ask the client to step up.
//   - [SessionBinding] ties each stateful MCP session (streamable HTTP
//     Mcp-Session-Id, or the legacy SSE transport's sessionId) to the
//     (issuer, subject) that opened it, so that another user's valid token
//     cannot ride on it.
//
// Order matters: the bearer middleware first (it verifies the token and puts
// the [bearer.AuthInfo] in the request context), then the session binding,
// then the scope gate, then the MCP transport. Both handlers of this package
// refuse with 500 a request that did not go through the bearer middleware.
// Both take the [*bearer.Authenticator] itself: the scope gate as its
// [Authorizer] (the required scopes and the scope hierarchy are configured
// once, on the middleware, and the gate's refusals carry its
// WWW-Authenticate challenge, with resource_metadata, and body), the session
// binding as its [ErrorWriter]:
//
//	authn, err := bearer.New(verifier, // or auth.Authenticator(verifier, ...) with an *mcpauth.MCPAuth
//		bearer.WithRequiredScopes("whoami:read"),
//		bearer.WithScopeHierarchy(map[string][]string{"whoami:admin": {"whoami:read"}}),
//		bearer.WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"))
//	if err != nil { ... }
//	gate, err := mcphttp.NewScopeGate(mcphttp.ToolScopes{
//		Tools: map[string][]string{"admin_only": {"whoami:admin"}},
//	}, authn)
//	if err != nil { ... }
//	binding, err := mcphttp.NewSessionBinding(authn)
//	if err != nil { ... }
//
//	mcpHandler := server.NewStreamableHTTPServer(mcpServer, server.WithStateful(true))
//	mux.Handle("/mcp", authn.Handler(binding.Handler(gate(mcpHandler))))
//	// the same as auth.BearerAuth(verifier, ...)(binding.Handler(gate(mcpHandler)))
//
// Tool handlers receive the request context, so they read the caller with
// bearer.FromContext (or mcpauth.AuthInfoFromContext) and may check further
// scopes with the same authenticator, hierarchy included:
//
//	info, ok := bearer.FromContext(ctx)
//	if !ok || authn.CheckScopes(info, "whoami:admin") != nil {
//		return mcp.NewToolResultError("whoami:admin is needed"), nil
//	}
//
// The package does not depend on any MCP SDK; it works with any transport
// that is an http.Handler (mcp-go's streamable HTTP and SSE servers among
// them).
package mcphttp

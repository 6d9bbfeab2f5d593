// Package metadata publishes what an MCP server tells its clients about
// authorization: the OAuth 2.0 protected resource metadata of RFC 9728,
// which MCP 2025-06-18 and later require, and a mirror of the authorization
// server's RFC 8414 metadata for the legacy MCP 2025-03-26 flow.
//
// A [ProtectedResource] is one document; [ProtectedResource.Validate]
// checks it against RFC 9728 and the MCP authorization specification (https
// URLs, at least one authorization server, valid scope tokens, no
// offline_access). [URL] and [Path] derive a resource's metadata URL (RFC
// 9728 section 3.1: https://h/mcp has its document at
// https://h/.well-known/oauth-protected-resource/mcp); that URL goes in the
// resource_metadata parameter of the server's 401 challenges.
// [NewProtectedResourceHandler] validates and marshals documents once and
// serves them at their metadata URLs, with CORS for browser-based clients.
// [NewAuthorizationServerHandler] serves the authorization server's
// document at /.well-known/oauth-authorization-server for 2025-03-26
// clients.
//
// Every configuration mistake is an error from a constructor (matching
// [ErrInvalidMetadata]), never a failure at request time. The handlers
// answer without authentication: mount them beside the MCP endpoint, not
// behind the bearer middleware.
//
// Quick start:
//
//	prm, err := metadata.NewProtectedResourceHandler([]metadata.ProtectedResource{{
//		Resource:               "https://mcp.example.com/mcp",
//		AuthorizationServers:   []string{"https://auth.example.com"},
//		ScopesSupported:        []string{"mcp:read", "mcp:write"},
//		BearerMethodsSupported: []string{"header"},
//		ResourceName:           "Example MCP server",
//	}})
//	if err != nil {
//		log.Fatal(err)
//	}
//	mux := http.NewServeMux()
//	prm.Register(mux) // GET/HEAD/OPTIONS /.well-known/oauth-protected-resource[/...]
//	mux.Handle("/mcp", authMiddleware(mcpHandler))
//
//	// For the 401 challenge:
//	resourceMetadata, _ := metadata.URL("https://mcp.example.com/mcp")
//	// https://mcp.example.com/.well-known/oauth-protected-resource/mcp
package metadata

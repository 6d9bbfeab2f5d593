package mcpauth

import (
	"context"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
)

// AuthInfo is the verified identity behind a request's bearer token.
type AuthInfo = bearer.AuthInfo

// Verifier checks a bearer token; see [bearer.Verifier].
type Verifier = bearer.Verifier

// VerifierFunc adapts a function to [Verifier].
type VerifierFunc = bearer.VerifierFunc

// ServerConfig is a discovered (or hand-written) authorization server: its
// type and its metadata document.
type ServerConfig = config.ServerConfig

// ServerType says how an authorization server publishes its metadata.
type ServerType = config.ServerType

// The authorization server types.
const (
	// Auto tries the locations an MCP client tries (2025-11-25): RFC 8414
	// first, then OpenID Connect, with path insertion and appending.
	Auto = config.Auto
	// OAuth: RFC 8414, /.well-known/oauth-authorization-server inserted
	// before the issuer's path.
	OAuth = config.OAuth
	// OIDC: OpenID Connect Discovery 1.0, /.well-known/openid-configuration
	// appended to the issuer.
	OIDC = config.OIDC
)

// AuthInfoFromContext returns the [AuthInfo] that the bearer middleware put
// in the request's context, and whether there was one. Handlers behind
// [MCPAuth.BearerAuth] always find one.
func AuthInfoFromContext(ctx context.Context) (*AuthInfo, bool) {
	return bearer.FromContext(ctx)
}

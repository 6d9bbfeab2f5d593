package mcpauth

import (
	"log/slog"

	"github.com/mcp-auth/go/metadata"
)

// Config configures [New]. Exactly one of Server and ProtectedResources must
// be set.
type Config struct {
	// Server selects the legacy mode of the MCP 2025-03-26 revision, in
	// which the MCP server presents itself as (a mirror of) its
	// authorization server: [MCPAuth.AuthorizationServerMetadataHandler]
	// serves this server's metadata at the MCP origin, and tokens are checked
	// against its issuer. Prefer ProtectedResources for clients of
	// 2025-06-18 and later.
	Server *ServerConfig

	// ProtectedResources selects the resource-server mode of MCP 2025-06-18
	// and later: each entry is one protected resource (usually one MCP
	// endpoint) with the authorization servers whose tokens it accepts.
	ProtectedResources []ResourceConfig

	// Logger receives the warnings found while validating the
	// authorization servers' metadata (for example, no dynamic client
	// registration). Nil discards them.
	Logger *slog.Logger

	// LegacyAudience is, in legacy mode (Server), the audience tokens must
	// carry (RFC 8707): the MCP server's URL, or the API identifier your
	// provider puts in its access tokens' "aud". 2025-03-26 clients send no
	// resource indicator, so what audience their tokens carry is the
	// provider's default; say which one this server accepts. In legacy mode
	// one of LegacyAudience and InsecureSkipLegacyAudienceCheck is required.
	LegacyAudience string

	// InsecureSkipLegacyAudienceCheck accepts, in legacy mode, tokens
	// whatever their audience: any token the provider issued to any client
	// for any API. Only for a provider that puts no usable audience in its
	// tokens, knowingly.
	InsecureSkipLegacyAudienceCheck bool

	// InsecureAllowHTTP accepts http URLs for non-loopback resources and
	// authorization servers, and lets everything built from this
	// configuration (the metadata handlers, the key set, userinfo and
	// introspection verifiers, the identity sources) reach the providers
	// over http. Only for tests and private networks, such as a compose
	// file with a provider at http://auth:8080: tokens and credentials
	// travel in clear text. Loopback hosts (localhost, 127.0.0.1, [::1]) are
	// accepted over http without it.
	InsecureAllowHTTP bool
}

// ResourceConfig is one protected resource (RFC 9728): the MCP endpoint a
// client calls and the authorization servers that may issue tokens for it.
type ResourceConfig struct {
	// Resource is the resource identifier: the MCP endpoint's URL exactly as
	// clients are configured with it (same scheme, host spelling, port and
	// path, no trailing slash added), such as "https://mcp.example.com/mcp".
	// Tokens must carry it in their audience (RFC 8707). Required.
	Resource string

	// AuthorizationServers are the authorization servers whose tokens this
	// resource accepts, at least one. Their issuers are published in the
	// metadata document's authorization_servers, and a token's issuer must
	// be one of them. Each is a fetched configuration ([FetchServerConfig])
	// or one to discover on first use ([DeferredServerConfig]), for a
	// server that must start before its provider answers.
	AuthorizationServers []*ServerConfig

	// ScopesSupported are the scopes published in the metadata document:
	// the ones a client needs for basic use and every scope the server may
	// later ask for in a step-up challenge. offline_access does not belong
	// here (MCP 2026-07-28).
	ScopesSupported []string

	// Document carries the further, optional RFC 9728 members
	// (resource_name, resource_documentation, ...). Its resource,
	// authorization_servers and scopes_supported are taken from the fields
	// above and must be left empty.
	Document metadata.ProtectedResource
}

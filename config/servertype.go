package config

// ServerType says how an authorization server publishes its metadata, and so
// where [Fetch] looks for it and which rules [ServerConfig.Validate] applies.
type ServerType string

// The server types.
const (
	// Auto, the zero value, tries every location an MCP client tries
	// (MCP authorization, revision 2025-11-25, "Authorization Server
	// Metadata Discovery"), in the client's order: for an issuer with a
	// path, the RFC 8414 path-inserted URL, then the OpenID Connect
	// path-inserted URL, then the OpenID Connect path-appended URL; for an
	// issuer without a path, the RFC 8414 URL, then the OpenID Connect URL.
	// A [ServerConfig] returned by a fetch never has the type Auto: it
	// names the type of the location that answered. A hand-written
	// ServerConfig with the type Auto is validated as an OAuth one.
	Auto ServerType = ""
	// OAuth is an RFC 8414 authorization server: its metadata lives at
	// /.well-known/oauth-authorization-server inserted between the host and
	// the issuer's path.
	OAuth ServerType = "oauth"
	// OIDC is an OpenID Connect provider: its metadata lives at the
	// issuer with /.well-known/openid-configuration appended (OpenID
	// Connect Discovery 1.0 section 4), and must carry the members OpenID
	// Connect requires (jwks_uri, subject_types_supported,
	// id_token_signing_alg_values_supported).
	OIDC ServerType = "oidc"
)

// known reports whether t is one of the declared types.
func (t ServerType) known() bool {
	return t == Auto || t == OAuth || t == OIDC
}

// name is t for messages, with a word for the zero value.
func (t ServerType) name() string {
	if t == Auto {
		return "auto"
	}
	return string(t)
}

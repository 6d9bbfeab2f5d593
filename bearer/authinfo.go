package bearer

import (
	"slices"
	"time"
)

// AuthInfo is the verified identity behind a bearer token: what a [Verifier]
// learned about the token and its subject.
//
// Verifiers fill in what they know; fields they cannot learn stay zero (a
// userinfo verifier, for instance, cannot know the token's audience or
// scopes). An AuthInfo is shared by every request that carries the same
// token, so callers must treat it, and the maps and slices it holds, as
// read-only.
type AuthInfo struct {
	// Token is the raw bearer token. It is a credential: never log it, and
	// never forward it to another service (the MCP specification forbids
	// token passthrough).
	Token string
	// Issuer is the authorization server that issued the token ("iss").
	Issuer string
	// Subject identifies the resource owner, usually the user ("sub").
	Subject string
	// ClientID identifies the OAuth client the token was issued to
	// ("client_id", or "azp" and provider-specific equivalents).
	ClientID string
	// Audience lists the resources the token is meant for ("aud"); nil when
	// the verifier cannot know it.
	Audience []string
	// Scopes lists the scopes granted to the token; nil when unknown.
	Scopes []string
	// ExpiresAt is when the token expires ("exp"); zero when unknown.
	ExpiresAt time.Time
	// Claims holds everything the provider said about the token: the JWT
	// claims, the userinfo document or the introspection response.
	Claims map[string]any
}

// HasScope reports whether the token was granted scope s, exactly as named.
// Scope hierarchies are applied by the middleware, not here.
func (a *AuthInfo) HasScope(s string) bool {
	return a != nil && slices.Contains(a.Scopes, s)
}

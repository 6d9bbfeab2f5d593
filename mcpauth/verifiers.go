package mcpauth

import (
	"context"
	"slices"

	"github.com/mcp-auth/go/bearer"
)

// servers returns every distinct authorization server of the configuration,
// in order.
func (a *MCPAuth) servers() []*ServerConfig {
	if a.legacy != nil {
		return []*ServerConfig{a.legacy}
	}
	var out []*ServerConfig
	for _, r := range a.resources {
		for _, s := range r.servers {
			if !slices.ContainsFunc(out, func(o *ServerConfig) bool { return o.Metadata.Issuer == s.Metadata.Issuer }) {
				out = append(out, s)
			}
		}
	}
	return out
}

// resourceIDs returns the configured resource identifiers.
func (a *MCPAuth) resourceIDs() []string {
	ids := make([]string, len(a.resources))
	for i, r := range a.resources {
		ids[i] = r.id
	}
	return ids
}

// JWTVerifier returns a verifier of JWT access tokens (RFC 9068) signed with
// the keys each authorization server publishes at its jwks_uri; a token's
// iss selects the key set. In resource mode the token's aud must contain a
// configured resource (the middleware then checks it is the right one).
// The key sets are fetched now (pass [bearer.WithLazyKeys] to defer that) and
// refreshed as the servers rotate keys; Close the verifier when done.
//
// It returns the concrete type, rather than [Verifier] as in mcp-auth's
// other ports, so that callers can Close it.
func (a *MCPAuth) JWTVerifier(opts ...bearer.Option) (*bearer.JWTVerifier, error) {
	var issuers []bearer.TrustedIssuer
	for _, s := range a.servers() {
		if s.Metadata.JWKSURI == "" {
			return nil, configErr("authorization server %s publishes no jwks_uri: JWT access tokens cannot be verified (use UserinfoVerifier or IntrospectionVerifier)", s.Metadata.Issuer)
		}
		issuers = append(issuers, bearer.TrustedIssuer{Issuer: s.Metadata.Issuer, JWKSURI: s.Metadata.JWKSURI})
	}
	var preset []bearer.Option
	if ids := a.resourceIDs(); len(ids) > 0 {
		preset = append(preset, bearer.WithAudience(ids...))
	}
	return bearer.NewJWTVerifier(context.Background(), issuers, append(preset, opts...)...)
}

// soleServerFor returns the one authorization server an opaque-token
// verifier can ask: an opaque token names no issuer, so with several there
// is no way to choose.
func (a *MCPAuth) soleServerFor(what string) (*ServerConfig, error) {
	all := a.servers()
	if len(all) != 1 {
		return nil, configErr("%s verification needs exactly one authorization server (an opaque token does not say which issued it); %d are configured: build one verifier per server with the bearer package", what, len(all))
	}
	return all[0], nil
}

// UserinfoVerifier returns a verifier that accepts a token when the
// authorization server's OpenID Connect userinfo endpoint accepts it, with
// the userinfo document as claims. It suits opaque access tokens, such as
// the ones Logto issues when the client requests no resource.
//
// Userinfo proves that the token is valid at the provider, not that it was
// issued for this server: an opaque token has no audience, and userinfo
// reports no scopes. Prefer resource-bound JWTs ([MCPAuth.JWTVerifier]) or
// [bearer.NewCompositeVerifier] (JWTs locally, opaque tokens at userinfo) in production.
func (a *MCPAuth) UserinfoVerifier(opts ...bearer.Option) (*bearer.UserinfoVerifier, error) {
	s, err := a.soleServerFor("userinfo")
	if err != nil {
		return nil, err
	}
	if s.Metadata.UserinfoEndpoint == "" {
		return nil, configErr("authorization server %s publishes no userinfo_endpoint", s.Metadata.Issuer)
	}
	return bearer.NewUserinfoVerifier(s.Metadata.Issuer, s.Metadata.UserinfoEndpoint, opts...)
}

// IntrospectionVerifier returns an RFC 7662 introspection verifier that
// asks the authorization server about each token, authenticating as the
// given client (a resource-server client registered with the provider).
// Unlike userinfo, introspection reports the token's audience and scopes.
func (a *MCPAuth) IntrospectionVerifier(creds bearer.ClientCredentials, opts ...bearer.Option) (*bearer.IntrospectionVerifier, error) {
	s, err := a.soleServerFor("introspection")
	if err != nil {
		return nil, err
	}
	if s.Metadata.IntrospectionEndpoint == "" {
		return nil, configErr("authorization server %s publishes no introspection_endpoint", s.Metadata.Issuer)
	}
	var preset []bearer.Option
	if ids := a.resourceIDs(); len(ids) > 0 {
		preset = append(preset, bearer.WithAudience(ids...))
	}
	return bearer.NewIntrospectionVerifier(s.Metadata.Issuer, s.Metadata.IntrospectionEndpoint, creds, append(preset, opts...)...)
}

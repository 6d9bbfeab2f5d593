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

// transport is what every verifier and identity source built here gets
// from the configuration: plain http when Config.InsecureAllowHTTP says so.
func (a *MCPAuth) transport(opts []bearer.Option) []bearer.Option {
	if !a.insecureHTTP {
		return opts
	}
	return append([]bearer.Option{bearer.InsecureAllowHTTP()}, opts...)
}

// JWTVerifier returns a verifier of JWT access tokens (RFC 9068) signed with
// the keys each authorization server publishes at its jwks_uri; a token's
// iss selects the key set. It proves tokens authentic; the middleware built
// by [MCPAuth.Authenticator] then holds them to the resource (audience),
// so one verifier serves every resource of the configuration. The key sets
// of fetched servers are fetched now (pass [bearer.WithLazyKeys] to defer
// that), those of deferred ones when their first token arrives; they are
// refreshed as the servers rotate keys. Close the verifier when done.
// Configuration errors match [ErrInvalidConfig]; a key set that cannot be
// fetched now matches [bearer.ErrProviderUnavailable].
//
// It returns the concrete type, rather than [Verifier] as in mcp-auth's
// other ports, so that callers can Close it.
func (a *MCPAuth) JWTVerifier(opts ...bearer.Option) (*bearer.JWTVerifier, error) {
	var issuers []bearer.TrustedIssuer
	for _, s := range a.servers() {
		if !s.IsDeferred() && s.Metadata.JWKSURI == "" {
			return nil, configErr("authorization server %s publishes no jwks_uri: JWT access tokens cannot be verified (use UserinfoVerifier or IntrospectionVerifier)", s.Metadata.Issuer)
		}
		issuers = append(issuers, bearer.TrustedIssuer{Issuer: s.Metadata.Issuer, Server: s})
	}
	return built(bearer.NewJWTVerifier(context.Background(), issuers, a.transport(opts)...))
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
// reports no scopes. The middleware built by [MCPAuth.Authenticator]
// therefore refuses its tokens unless given
// [bearer.InsecureAcceptUnboundTokens]. Prefer resource-bound JWTs
// ([MCPAuth.JWTVerifier]) or introspection, and complete their identity
// from userinfo with [MCPAuth.UserinfoIdentity].
func (a *MCPAuth) UserinfoVerifier(opts ...bearer.Option) (*bearer.UserinfoVerifier, error) {
	s, err := a.soleServerFor("userinfo")
	if err != nil {
		return nil, err
	}
	return built(bearer.NewUserinfoVerifierFor(s, a.transport(opts)...))
}

// IntrospectionVerifier returns an RFC 7662 introspection verifier that
// asks the authorization server about each token, authenticating as the
// given client (a resource-server client registered with the provider).
// Unlike userinfo, introspection reports the token's audience and scopes,
// which the middleware holds to the resource.
func (a *MCPAuth) IntrospectionVerifier(creds bearer.ClientCredentials, opts ...bearer.Option) (*bearer.IntrospectionVerifier, error) {
	s, err := a.soleServerFor("introspection")
	if err != nil {
		return nil, err
	}
	return built(bearer.NewIntrospectionVerifierFor(s, creds, a.transport(opts)...))
}

// UserinfoIdentity returns an identity source per authorization server
// that has a userinfo endpoint (deferred servers included: they are asked
// once discovered), for [bearer.WithIdentity]: the middleware then
// completes the identity (username, name, email) of tokens that do not
// carry it by presenting them to their own issuer's userinfo endpoint.
// Providers that refuse resource-bound tokens at userinfo (Logto) answer
// without claims, once per token. opts configure each source.
func (a *MCPAuth) UserinfoIdentity(opts ...bearer.Option) ([]bearer.IdentitySource, error) {
	var sources []bearer.IdentitySource
	for _, s := range a.servers() {
		if !s.IsDeferred() && s.Metadata.UserinfoEndpoint == "" {
			continue
		}
		src, err := built(bearer.NewUserinfoIdentityFor(s, a.transport(opts)...))
		if err != nil {
			return nil, err
		}
		sources = append(sources, src)
	}
	return sources, nil
}

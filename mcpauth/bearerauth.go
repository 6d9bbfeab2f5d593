package mcpauth

import (
	"net/http"
	"slices"

	"github.com/mcp-auth/go/bearer"
)

// Authenticator builds the bearer middleware for the single protected
// resource (or the legacy server), preset from the configuration: accepted
// issuers, the audience (the resource; RFC 8707) and the resource_metadata
// URL. opts come after the presets, so they can add to or override them.
//
// The 401 challenge's scope lists the required scopes
// ([bearer.WithRequiredScopes]), the ones a client needs for basic use;
// scopes needed only by some tools belong in ScopesSupported and in a
// step-up 403, not in the first challenge ([bearer.WithChallengeScopes]
// overrides this). Errors match [ErrInvalidConfig].
//
// With several protected resources, use [MCPAuth.ResourceAuthenticator].
func (a *MCPAuth) Authenticator(v Verifier, opts ...bearer.Option) (*bearer.Authenticator, error) {
	if len(a.resources) > 1 {
		return nil, configErr("%d protected resources are configured: name one with ResourceAuthenticator", len(a.resources))
	}
	if a.legacy != nil {
		preset := []bearer.Option{bearer.WithIssuers(a.legacy.Metadata.Issuer)}
		if a.legacyAudience != "" {
			preset = append(preset, bearer.WithAudience(a.legacyAudience))
		}
		return built(bearer.New(v, append(preset, opts...)...))
	}
	return a.ResourceAuthenticator(a.resources[0].id, v, opts...)
}

// ResourceAuthenticator is [MCPAuth.Authenticator] for the protected
// resource identified by resource, which must be one of the configured ones.
func (a *MCPAuth) ResourceAuthenticator(resource string, v Verifier, opts ...bearer.Option) (*bearer.Authenticator, error) {
	i := slices.IndexFunc(a.resources, func(r resourceEntry) bool { return r.id == resource })
	if i < 0 {
		return nil, configErr("bearer auth for unknown protected resource %q", resource)
	}
	r := a.resources[i]
	preset := []bearer.Option{
		bearer.WithIssuers(r.issuers...),
		bearer.WithAudience(r.id),
		bearer.WithResourceMetadataURL(r.metadataURL),
	}
	return built(bearer.New(v, append(preset, opts...)...))
}

// BearerAuth returns middleware that lets a request through only with a
// valid bearer token for the configured resource, and puts the token's
// [AuthInfo] in the request context (read it with [AuthInfoFromContext]).
// Requests without a token get 401 with a WWW-Authenticate challenge naming
// the resource metadata URL; invalid tokens 401; missing scopes 403; an
// unreachable authorization server 503. See [bearer.Authenticator] for the
// details and [MCPAuth.Authenticator] for the presets.
//
// BearerAuth panics if [MCPAuth.Authenticator] would fail: that is a wiring
// mistake found at startup, like a conflicting pattern in
// [http.ServeMux.Handle], never on a request. Call Authenticator instead to
// handle the error.
func (a *MCPAuth) BearerAuth(v Verifier, opts ...bearer.Option) func(http.Handler) http.Handler {
	auth, err := a.Authenticator(v, opts...)
	if err != nil {
		panic(err)
	}
	return auth.Handler
}

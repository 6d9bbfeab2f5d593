package bearer

import (
	"net/http"
	"slices"
)

// The middleware's own options. The options it shares with other
// constructors (WithLogger, WithClock, WithLeeway, WithMaxTokenLength) are
// in options.go.

// WithRequiredScopes names scopes that every request must carry; the token
// must hold all of them (directly or through [WithScopeHierarchy]), or the
// request gets 403 with error="insufficient_scope" and a scope attribute
// listing every scope needed. Repeated use adds to the list. Each scope must
// be an RFC 6749 scope-token, or [New] fails. The default requires none.
// For: New.
func WithRequiredScopes(scopes ...string) Option {
	scopes = slices.Clone(scopes)
	return option("WithRequiredScopes", forAuthenticator, func(s *settings) {
		s.requiredScopes = append(s.requiredScopes, scopes...)
	})
}

// WithIssuers names the accepted issuers: AuthInfo.Issuer must equal one of
// them exactly, or the request gets 401 [CodeInvalidIssuer]. A token whose
// verifier reports no issuer is then refused too. Repeated use adds to the
// list; giving no issuer at all is a configuration error (it would silently
// disable the check). The default accepts any issuer the verifier accepts.
// For: New.
func WithIssuers(issuers ...string) Option {
	issuers = slices.Clone(issuers)
	return option("WithIssuers", forAuthenticator, func(s *settings) {
		s.issuers = append(s.issuers, issuers...)
		s.issuersSet = true
	})
}

// WithAudience names the resource (RFC 8707 resource indicator, usually the
// MCP endpoint URL such as "https://mcp.example.com/mcp") that tokens must be
// issued for: the audience a verifier reports must contain one of
// resources, compared exactly. A verifier that cannot know a token's
// audience (the userinfo verifier: an opaque token carries none) reports
// none, and such tokens are refused with 401 [CodeInvalidAudience] unless
// [InsecureAcceptUnboundTokens] is given: the MCP specification requires a
// server to accept only tokens issued for it. Repeated use adds to the
// list. For: New.
func WithAudience(resources ...string) Option {
	resources = slices.Clone(resources)
	return option("WithAudience", forAuthenticator, func(s *settings) {
		s.audience = append(s.audience, resources...)
	})
}

// InsecureAcceptUnboundTokens makes the audience check ([WithAudience])
// accept tokens whose verifier cannot know their audience: opaque tokens
// checked at the userinfo endpoint, or a custom verifier that reports a nil
// Audience. Such a token is valid at the provider but may have been issued
// to another client for another API, and a server that accepts it is open
// to token replay by any application of the same provider. Only servers
// that cannot get resource-bound tokens (a provider without RFC 8707
// resource indicators and without introspection) should use it, knowingly.
// A verifier that does report an audience is still held to it. For: New.
func InsecureAcceptUnboundTokens() Option {
	return option("InsecureAcceptUnboundTokens", forAuthenticator, func(s *settings) { s.acceptUnbound = true })
}

// InsecureAllowTrailingSlashAudience makes the audience check also accept a
// token whose audience is one of the configured resources ([WithAudience])
// followed by exactly one "/": "https://mcp.example.com/" for the resource
// "https://mcp.example.com". Some clients (Claude Code, VS Code, the Vercel
// AI SDK) have appended that slash to a pathless resource when asking for a
// token. Only servers that must serve such clients should use it; it widens
// the audience check by one spelling of their own resource and nothing else,
// whatever verifier reported the audience. Off by default. For: New.
func InsecureAllowTrailingSlashAudience() Option {
	return option("InsecureAllowTrailingSlashAudience", forAuthenticator, func(s *settings) { s.trailingSlashAud = true })
}

// WithResourceMetadataURL sets the absolute URL of the RFC 9728 protected
// resource metadata document, which every 400, 401 and 403 challenge names
// in its resource_metadata attribute so that clients can discover the
// authorization server. It must be an absolute http or https URL without
// fragment, user information, quotes, backslashes or non-ASCII characters,
// or [New] fails. The last use wins. The MCP specification requires it;
// without it, challenges carry no resource_metadata. For: New.
func WithResourceMetadataURL(u string) Option {
	return option("WithResourceMetadataURL", forAuthenticator, func(s *settings) { s.resourceMetadataURL = u })
}

// WithChallengeScopes sets the scopes advertised in the scope attribute of
// 401 (and 400) challenges, so that a client knows what to ask for. The
// default is the required scopes ([WithRequiredScopes]). A 403 step-up
// challenge names these too, with the ones the operation needs: MCP clients
// replace their scopes with the challenged ones, and must not lose the
// scopes of everyday calls. The last use wins; WithChallengeScopes() with no
// scope advertises none. "offline_access" is never advertised (MCP
// 2026-07-28) and is dropped silently. Each scope must be an RFC 6749
// scope-token, or [New] fails. For: New.
func WithChallengeScopes(scopes ...string) Option {
	scopes = slices.Clone(scopes)
	return option("WithChallengeScopes", forAuthenticator, func(s *settings) {
		s.challengeScopes, s.challengeScopesSet = scopes, true
	})
}

// WithScopeHierarchy declares scopes that imply others: with
// {"whoami:admin": {"whoami:read"}}, a token holding "whoami:admin" passes a
// check for "whoami:read". Implication is transitive and cycles are allowed
// (each scope in a cycle implies the others). Repeated use merges the maps.
// The map is copied. It applies to [WithRequiredScopes] and
// [Authenticator.CheckScopes]; [AuthInfo.HasScope] ignores it. For: New.
func WithScopeHierarchy(h map[string][]string) Option {
	cp := make(map[string][]string, len(h))
	for k, v := range h {
		cp[k] = slices.Clone(v)
	}
	return option("WithScopeHierarchy", forAuthenticator, func(s *settings) {
		if s.hierarchy == nil {
			s.hierarchy = make(map[string][]string, len(cp))
		}
		for k, v := range cp {
			s.hierarchy[k] = append(s.hierarchy[k], v...)
		}
	})
}

// WithShowErrorDetails adds detail to refusals: the challenge gains an
// error_description (this package's fixed text for the error code) and the
// JSON body's error_description gains the [Error.Description] the verifier
// or check gave (sanitised, and dropped if it contains the token); with
// [WithLegacyErrorCodes], the body also carries mcp-auth's "missing_scopes"
// and "cause". Neither ever contains the token, its payload or the cause
// ([Error.Err]), which only the logs see. Off by default: the challenge
// carries no error_description and the body a fixed text per code. For:
// New.
func WithShowErrorDetails(show bool) Option {
	return option("WithShowErrorDetails", forAuthenticator, func(s *settings) { s.showDetails = show })
}

// WithErrorHandler replaces the default refusal response. When a request is
// refused, the middleware first sets the WWW-Authenticate challenge (for
// 400, 401 and 403), Retry-After (for 503) and Access-Control-Expose-Headers
// on w, then calls h instead of writing the status and JSON body itself. h
// must write the response; it may call [Authenticator.WriteError] to fall
// back to the default. A nil h restores the default. For: New.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err *Error)) Option {
	return option("WithErrorHandler", forAuthenticator, func(s *settings) { s.errorHandler = h })
}

// WithLegacyErrorCodes makes the JSON body's "error" carry mcp-auth's own
// codes ("missing_auth_header", "invalid_auth_header_format",
// "invalid_issuer", ...: the [Code] strings), as the JS and Python packages
// do, for clients migrating from them; with [WithShowErrorDetails] the body
// also carries their "missing_scopes" and "cause" members. The
// WWW-Authenticate challenge keeps the RFC 6750 codes. The default body
// uses the RFC 6750 codes too ("invalid_token", "invalid_request",
// "insufficient_scope") plus "temporarily_unavailable" (503) and
// "server_error" (500), and no "error" for a request without credentials.
// For: New.
func WithLegacyErrorCodes() Option {
	return option("WithLegacyErrorCodes", forAuthenticator, func(s *settings) { s.legacyCodes = true })
}

package bearer

import (
	"net/http"
	"slices"
	"time"
)

// DefaultMaxTokenLength is the default of [WithMaxTokenLength]: 16 KiB, far
// more than any real access token (a large JWT is a few KiB).
const DefaultMaxTokenLength = 16 << 10

// maxMaxTokenLength bounds [WithMaxTokenLength]: 1 MiB, net/http's default
// limit for all request headers together.
const maxMaxTokenLength = 1 << 20

// middlewareDefaultLeeway is the clock skew the middleware tolerates on a
// token's expiry unless [WithLeeway] says otherwise.
const middlewareDefaultLeeway = 60 * time.Second

// middlewareOptions is the middleware's configuration, filled by the
// options and checked by [New].
type middlewareOptions struct {
	common

	requiredScopes      []string            // every request needs all of these
	issuers             []string            // accepted AuthInfo.Issuer values
	issuersSet          bool                // WithIssuers was given (empty = error)
	resourceMetadataURL string              // resource_metadata in challenges
	challengeScopes     []string            // scope in 401/400 challenges
	challengeScopesSet  bool                // WithChallengeScopes was given
	hierarchy           map[string][]string // scope -> scopes it implies
	trailingSlashAud    bool                // accept our resource + "/"
	showDetails         bool                // error_description details
	errorHandler        func(http.ResponseWriter, *http.Request, *Error)
	legacyCodes         bool // mcp-auth codes in the JSON body
	maxTokenLength      int  // 0: DefaultMaxTokenLength
	maxTokenLengthSet   bool // WithMaxTokenLength was given
}

// middlewareOption adapts a function to [Option].
type middlewareOption func(*middlewareOptions)

func (f middlewareOption) applyMiddleware(o *middlewareOptions) { f(o) }

// WithRequiredScopes names scopes that every request must carry; the token
// must hold all of them (directly or through [WithScopeHierarchy]), or the
// request gets 403 with error="insufficient_scope" and a scope attribute
// listing every scope needed. Repeated use adds to the list. Each scope must
// be an RFC 6749 scope-token, or [New] fails. The default requires none.
func WithRequiredScopes(scopes ...string) Option {
	scopes = slices.Clone(scopes)
	return middlewareOption(func(o *middlewareOptions) {
		o.requiredScopes = append(o.requiredScopes, scopes...)
	})
}

// WithIssuers names the accepted issuers: AuthInfo.Issuer must equal one of
// them exactly, or the request gets 401 [CodeInvalidIssuer]. A token whose
// verifier reports no issuer is then refused too. Repeated use adds to the
// list; giving no issuer at all is a configuration error (it would silently
// disable the check). The default accepts any issuer the verifier accepts.
func WithIssuers(issuers ...string) Option {
	issuers = slices.Clone(issuers)
	return middlewareOption(func(o *middlewareOptions) {
		o.issuers = append(o.issuers, issuers...)
		o.issuersSet = true
	})
}

// WithResourceMetadataURL sets the absolute URL of the RFC 9728 protected
// resource metadata document, which every 400, 401 and 403 challenge names
// in its resource_metadata attribute so that clients can discover the
// authorization server. It must be an absolute http or https URL without
// fragment, user information, quotes, backslashes or non-ASCII characters,
// or [New] fails. The last use wins. The MCP specification requires it;
// without it, challenges carry no resource_metadata.
func WithResourceMetadataURL(u string) Option {
	return middlewareOption(func(o *middlewareOptions) { o.resourceMetadataURL = u })
}

// WithChallengeScopes sets the scopes advertised in the scope attribute of
// 401 (and 400) challenges, so that a client knows what to ask for. The
// default is the required scopes ([WithRequiredScopes]). The last use wins;
// WithChallengeScopes() with no scope advertises none. "offline_access" is
// never advertised (MCP 2026-07-28) and is dropped silently. Each scope must
// be an RFC 6749 scope-token, or [New] fails.
func WithChallengeScopes(scopes ...string) Option {
	scopes = slices.Clone(scopes)
	return middlewareOption(func(o *middlewareOptions) {
		o.challengeScopes = scopes
		o.challengeScopesSet = true
	})
}

// WithScopeHierarchy declares scopes that imply others: with
// {"whoami:admin": {"whoami:read"}}, a token holding "whoami:admin" passes a
// check for "whoami:read". Implication is transitive and cycles are allowed
// (each scope in a cycle implies the others). Repeated use merges the maps.
// The map is copied. It applies to [WithRequiredScopes] and
// [Authenticator.CheckScopes]; [AuthInfo.HasScope] ignores it.
func WithScopeHierarchy(h map[string][]string) Option {
	cp := make(map[string][]string, len(h))
	for k, v := range h {
		cp[k] = slices.Clone(v)
	}
	return middlewareOption(func(o *middlewareOptions) {
		if o.hierarchy == nil {
			o.hierarchy = make(map[string][]string, len(cp))
		}
		for k, v := range cp {
			o.hierarchy[k] = append(o.hierarchy[k], v...)
		}
	})
}

// InsecureAllowTrailingSlashAudience makes the audience check also accept a
// token whose audience is one of the configured resources ([WithAudience])
// followed by exactly one "/": "https://mcp.example.com/" for the resource
// "https://mcp.example.com". Some clients (Claude Code, VS Code, the Vercel
// AI SDK) have appended that slash to a pathless resource when asking for a
// token. Only servers that must serve such clients should use it; it widens
// the audience check by one spelling of their own resource and nothing else.
// Off by default.
//
// It serves the middleware and the JWT verifier alike (give it to both).
func InsecureAllowTrailingSlashAudience() interface {
	Option
	JWTOption
} {
	return trailingSlashOption{}
}

type trailingSlashOption struct{}

func (trailingSlashOption) applyMiddleware(o *middlewareOptions) { o.trailingSlashAud = true }
func (trailingSlashOption) applyJWT(o *jwtOptions)               { o.trailingSlashAud = true }

// WithShowErrorDetails adds detail to refusals: the challenge gains an
// error_description (this package's fixed text for the error code) and the
// JSON body's error_description gains the [Error.Description] the verifier
// or check gave (sanitised, and dropped if it contains the token). Neither
// ever contains the token, its payload or the cause ([Error.Err]), which
// only the logs see. Off by default: the challenge carries no
// error_description and the body a fixed text per code.
func WithShowErrorDetails(show bool) Option {
	return middlewareOption(func(o *middlewareOptions) { o.showDetails = show })
}

// WithErrorHandler replaces the default refusal response. When a request is
// refused, the middleware first sets the WWW-Authenticate challenge (for
// 400, 401 and 403), Retry-After (for 503) and Access-Control-Expose-Headers
// on w, then calls h instead of writing the status and JSON body itself. h
// must write the response; it may call [Authenticator.WriteError] to fall
// back to the default. A nil h restores the default.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err *Error)) Option {
	return middlewareOption(func(o *middlewareOptions) { o.errorHandler = h })
}

// WithLegacyErrorCodes makes the JSON body's "error" carry mcp-auth's own
// codes ("missing_auth_header", "invalid_auth_header_format",
// "invalid_issuer", ...: the [Code] strings), as the JS and Python packages
// do, for clients migrating from them. The WWW-Authenticate challenge keeps
// the RFC 6750 codes. The default body uses the RFC 6750 codes too
// ("invalid_token", "invalid_request", "insufficient_scope") plus
// "temporarily_unavailable" (503) and "server_error" (500).
func WithLegacyErrorCodes() Option {
	return middlewareOption(func(o *middlewareOptions) { o.legacyCodes = true })
}

// WithMaxTokenLength caps the bearer token at n bytes (default
// [DefaultMaxTokenLength]). The Authorization header value is refused with
// 401 invalid_token, before it is parsed, when it is longer than n plus the
// length of "Bearer ". n must be between 1 and 1 MiB, or [New] fails.
func WithMaxTokenLength(n int) Option {
	return middlewareOption(func(o *middlewareOptions) {
		o.maxTokenLength, o.maxTokenLengthSet = n, true
	})
}

package bearer

import "time"

// Defaults of the JWT verifier.
const (
	// DefaultKeyRefreshInterval is how old a remote key set may grow before
	// it is fetched again ([WithKeyRefreshInterval]).
	DefaultKeyRefreshInterval = time.Hour
	// DefaultMinRefreshInterval is the shortest time between two fetches of
	// one key set ([WithMinRefreshInterval]): however many tokens name an
	// unknown key, the authorization server sees at most one request per
	// interval.
	DefaultMinRefreshInterval = 10 * time.Second
	// MaxJWTSize is the longest token the JWT verifier reads: 16 KiB, far
	// more than any access token needs. Longer tokens are refused before
	// any decoding.
	MaxJWTSize = 16 << 10
)

const (
	jwtDefaultLeeway    = 60 * time.Second // clock skew tolerated on exp, nbf and iat
	jwtDefaultCacheTTL  = 5 * time.Minute  // cap on a cache entry (never past exp)
	jwtDefaultCacheSize = 10000            // verified tokens remembered
)

// jwtOptions is the JWT verifier's configuration.
type jwtOptions struct {
	common
	algorithms       []string          // allow-list; nil: defaultJWTAlgorithms
	tokenType        string            // required "typ"; "": not checked
	scopeClaim       string            // "": "scope", then "scp"
	clientIDClaims   []string          // nil: defaultClientIDClaims
	refreshEvery     time.Duration     // 0: DefaultKeyRefreshInterval
	refreshEverySet  bool              // given explicitly
	minRefresh       time.Duration     // 0: DefaultMinRefreshInterval
	minRefreshSet    bool              // given explicitly
	lazyKeys         bool              // do not fetch key sets in the constructor
	staticKeys       map[string][]byte // issuer -> JWKS document
	insecureHTTPKeys bool              // allow http:// key set URLs on any host
	// trailingSlashAud accepts an audience of a configured resource plus
	// "/". No option sets it yet: InsecureAllowTrailingSlashAudience (a
	// middleware Option) should set it too, or the JWT verifier refuses
	// such tokens before the middleware sees them.
	trailingSlashAud bool
}

// jwtOptionFunc adapts a function to [JWTOption].
type jwtOptionFunc func(*jwtOptions)

func (f jwtOptionFunc) applyJWT(o *jwtOptions) { f(o) }

// WithAlgorithms replaces the signature algorithms the JWT verifier accepts
// (the token header's "alg"). The default is every asymmetric algorithm it
// supports: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512,
// EdDSA (with Ed25519 keys; Ed448 keys are not supported) and Ed25519 (RFC
// 9864). Narrow it to what your authorization server uses (Logto signs with
// ES384, most others RS256).
//
// [NewJWTVerifier] refuses an empty list, unknown names, "none" in any
// spelling and the HMAC algorithms (HS256, HS384, HS512): a resource server
// that checks HMAC signatures holds the secret that mints tokens, and HMAC
// is how the classic "sign with the public key" attack works.
func WithAlgorithms(algs ...string) JWTOption {
	algs = append([]string(nil), algs...)
	return jwtOptionFunc(func(o *jwtOptions) {
		if algs == nil {
			algs = []string{} // an explicit empty list, refused later
		}
		o.algorithms = algs
	})
}

// WithRequiredTokenType makes the JWT verifier require the token header's
// "typ" to be typ, compared case-insensitively and with or without the
// "application/" prefix. RFC 9068 access tokens carry "at+jwt"; requiring it
// stops an ID token (or any other JWT the authorization server signs) from
// being used as an access token. It is off by default because several
// providers (Entra ID, Okta, older Keycloak) send "JWT".
func WithRequiredTokenType(typ string) JWTOption {
	return jwtOptionFunc(func(o *jwtOptions) { o.tokenType = typ })
}

// WithScopeClaim names the claim the JWT verifier reads scopes from (for
// example "permissions" for Auth0 RBAC). The claim may hold a space-separated
// string or an array of strings. By default "scope" is read, and "scp" if
// "scope" is absent.
func WithScopeClaim(name string) JWTOption {
	return jwtOptionFunc(func(o *jwtOptions) { o.scopeClaim = name })
}

// WithClientIDClaims replaces the claims the JWT verifier reads the client
// ID from, in order; the first that holds a non-empty string wins. The
// default is "client_id" (RFC 9068), "azp" (OIDC), "cid" (Okta), "appid"
// (Entra ID v1 tokens).
func WithClientIDClaims(names ...string) JWTOption {
	names = append([]string(nil), names...)
	return jwtOptionFunc(func(o *jwtOptions) { o.clientIDClaims = names })
}

// WithKeyRefreshInterval sets how old a remote key set may grow before the
// JWT verifier fetches it again (default 1 hour). The refresh runs in the
// background when a token is verified with a stale key set; the stale keys
// serve meanwhile, and go on serving if the fetch fails. It must be
// positive.
func WithKeyRefreshInterval(d time.Duration) JWTOption {
	return jwtOptionFunc(func(o *jwtOptions) { o.refreshEvery, o.refreshEverySet = d, true })
}

// WithMinRefreshInterval sets the shortest time between two fetches of one
// key set (default 10 s). A token whose "kid" is unknown makes the verifier
// fetch the key set at once, to pick up a rotated key; within the interval
// after a fetch such tokens are refused as invalid without any request, so
// that a flood of tokens with made-up key IDs cannot become a flood of
// requests to the authorization server. It must be positive.
func WithMinRefreshInterval(d time.Duration) JWTOption {
	return jwtOptionFunc(func(o *jwtOptions) { o.minRefresh, o.minRefreshSet = d, true })
}

// WithLazyKeys stops [NewJWTVerifier] from fetching the key sets: they are
// fetched when the first token needs them. By default the constructor
// fetches them and fails if it cannot, so that a wrong jwks_uri shows up at
// start-up rather than as 503s. In lazy mode, tokens are answered with
// [ErrProviderUnavailable] (503) until a fetch succeeds.
func WithLazyKeys() JWTOption {
	return jwtOptionFunc(func(o *jwtOptions) { o.lazyKeys = true })
}

// WithStaticKeys gives the JWT verifier the keys of issuer as a JWK Set
// document (RFC 7517 section 5, the content of a jwks_uri) instead of
// fetching them; the issuer's JWKSURI is then ignored and may be empty. issuer must be one
// of the trusted issuers passed to [NewJWTVerifier]. Meant for tests, air-gapped
// deployments and pinned keys; the keys are never refreshed.
func WithStaticKeys(issuer string, jwks []byte) JWTOption {
	jwks = append([]byte(nil), jwks...)
	return jwtOptionFunc(func(o *jwtOptions) {
		if o.staticKeys == nil {
			o.staticKeys = make(map[string][]byte)
		}
		o.staticKeys[issuer] = jwks
	})
}

// InsecureAllowHTTPKeys lets the JWT verifier fetch key sets over plain
// http from any host. By default a JWKSURI must use https unless its host is
// a loopback address or "localhost". Only for test networks (containers
// talking to a development authorization server): over plain http, anyone on
// the path can substitute their own keys and mint tokens.
func InsecureAllowHTTPKeys() JWTOption {
	return jwtOptionFunc(func(o *jwtOptions) { o.insecureHTTPKeys = true })
}

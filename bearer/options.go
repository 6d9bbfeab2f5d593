package bearer

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mcp-auth/go/internal/scope"
)

// Option configures a constructor of this package: the middleware ([New],
// [Middleware]), the verifiers ([NewJWTVerifier], [NewUserinfoVerifier],
// [NewIntrospectionVerifier]) and the identity sources
// ([NewUserinfoIdentity], [NewSubjectIdentity]). All of them take the same
// Option type, so a setting such as [WithLogger] or [InsecureAllowHTTP] is
// one value whatever it configures.
//
// Each option's documentation says which constructors take it. A
// constructor given an option that does not configure it fails with an
// error matching [ErrMisconfigured] that names the option, so no setting is
// ever silently ignored. The zero Option is refused the same way.
type Option struct {
	name    string
	targets target
	apply   func(*settings)
}

// target is the set of constructors an option configures.
type target uint8

const (
	forAuthenticator target = 1 << iota
	forJWT
	forUserinfo
	forIntrospection
	forUserinfoIdentity
	forSubjectIdentity

	forVerifiers = forJWT | forUserinfo | forIntrospection
	forIdentity  = forUserinfoIdentity | forSubjectIdentity
	forAll       = forAuthenticator | forVerifiers | forIdentity
)

// constructorNames names the constructors of each target, for errors.
var constructorNames = []struct {
	t    target
	name string
}{
	{forAuthenticator, "New"},
	{forJWT, "NewJWTVerifier"},
	{forUserinfo, "NewUserinfoVerifier"},
	{forIntrospection, "NewIntrospectionVerifier"},
	{forUserinfoIdentity, "NewUserinfoIdentity"},
	{forSubjectIdentity, "NewSubjectIdentity"},
}

func (t target) String() string {
	var names []string
	for _, c := range constructorNames {
		if t&c.t != 0 {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

// Limits and defaults shared by every constructor; each is defined here
// once.
const (
	// DefaultLeeway is the clock skew tolerated on "exp", "nbf" and "iat"
	// unless [WithLeeway] says otherwise.
	DefaultLeeway = 60 * time.Second
	// MaxLeeway bounds [WithLeeway]: more skew than this is a broken clock,
	// not a tolerance.
	MaxLeeway = 10 * time.Minute
	// DefaultMaxTokenLength is the default of [WithMaxTokenLength]: 16 KiB,
	// far more than any real access token (a large JWT is a few KiB).
	DefaultMaxTokenLength = 16 << 10
	// maxMaxTokenLength bounds [WithMaxTokenLength]: 1 MiB, net/http's
	// default limit for all request headers together.
	maxMaxTokenLength = 1 << 20
	// DefaultCacheSize is how many results a verifier or identity source
	// remembers unless [WithCacheSize] says otherwise.
	DefaultCacheSize = 10_000
)

// defaultClientIDClaims are read in order for a token's client ID: RFC
// 9068's client_id, OpenID Connect's azp, Okta's cid, Entra ID v1's appid.
var defaultClientIDClaims = []string{"client_id", "azp", "cid", "appid"}

// settings is everything the options can set. Each constructor reads the
// part that concerns it; [applyOptions] has already refused the options
// that do not concern it.
type settings struct {
	// Shared by several constructors.
	httpClient     *http.Client     // nil: internal/fetch.DefaultClient()
	logger         *slog.Logger     // never nil after applyOptions
	loggerSet      bool             // WithLogger was given a logger
	now            func() time.Time // nil: time.Now
	leeway         time.Duration
	insecureHTTP   bool // plain http to any host
	cacheTTL       time.Duration
	cacheTTLSet    bool // cacheTTL was given (0 disables the cache)
	cacheSize      int
	maxTokenLength int
	clientIDClaims []string
	scopeClaim     string // "": "scope", then "scp"
	budget         providerBudget
	refusalTTL     time.Duration
	refusalTTLSet  bool
	sharedCache    SharedCache

	// The middleware.
	requiredScopes      []string
	issuers             []string
	issuersSet          bool
	issuerTemplates     []*IssuerTemplate
	issuerTemplatesSet  bool
	audience            []string
	trailingSlashAud    bool
	acceptUnbound       bool
	hierarchy           map[string][]string
	resourceMetadataURL string
	challengeScopes     []string
	challengeScopesSet  bool
	showDetails         bool
	legacyCodes         bool
	errorHandler        func(http.ResponseWriter, *http.Request, *Error)
	identity            []IdentitySource
	identityRequired    bool

	// The JWT verifier.
	algorithms      []string
	algorithmsSet   bool
	tokenType       string
	refreshEvery    time.Duration
	refreshEverySet bool
	minRefresh      time.Duration
	minRefreshSet   bool
	lazyKeys        bool
	staticKeys      map[string][]byte
}

// applyOptions applies opts for the constructor ctor, which takes the
// options of target t, fills in the shared defaults and checks the shared
// settings. Every constructor calls it, so that defaults and the checks of
// shared settings live here only.
func applyOptions(ctor string, t target, opts []Option) (*settings, error) {
	s := &settings{
		leeway:         DefaultLeeway,
		cacheSize:      DefaultCacheSize,
		maxTokenLength: DefaultMaxTokenLength,
		clientIDClaims: defaultClientIDClaims,
	}
	for i, o := range opts {
		if o.apply == nil {
			return nil, configError("%s: option %d is the zero Option", ctor, i)
		}
		if o.targets&t == 0 {
			return nil, configError("%s: %s does not configure it (it configures %s)", ctor, o.name, o.targets)
		}
		o.apply(s)
	}
	switch {
	case s.leeway < 0 || s.leeway > MaxLeeway:
		return nil, configError("%s: WithLeeway: %v is not between 0 and %v", ctor, s.leeway, MaxLeeway)
	case s.cacheTTL < 0:
		return nil, configError("%s: WithCacheTTL: %v is negative", ctor, s.cacheTTL)
	case s.cacheSize < 0:
		return nil, configError("%s: WithCacheSize: %d is negative", ctor, s.cacheSize)
	case s.maxTokenLength <= 0 || s.maxTokenLength > maxMaxTokenLength:
		return nil, configError("%s: WithMaxTokenLength: %d is not between 1 and %d", ctor, s.maxTokenLength, maxMaxTokenLength)
	case len(s.clientIDClaims) == 0 || slices.Contains(s.clientIDClaims, ""):
		return nil, configError("%s: WithClientIDClaims: give at least one claim name, and no empty one", ctor)
	}
	if err := checkProviderGuard(ctor, s); err != nil {
		return nil, err
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// clock returns the configured time source.
func (s *settings) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// checkScopes refuses scopes that are not RFC 6749 scope-tokens; what names
// the option for the error.
func checkScopes(ctor, what string, scopes []string) error {
	for _, sc := range scopes {
		if !scope.Valid(sc) {
			return configError("%s: %s: %q is not a valid scope", ctor, what, sc)
		}
	}
	return nil
}

// configError is a configuration mistake found by a constructor: it
// matches [ErrMisconfigured].
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMisconfigured}, args...)...)
}

func option(name string, t target, apply func(*settings)) Option {
	return Option{name: name, targets: t, apply: apply}
}

// Options shared by several constructors.

// WithHTTPClient sets the client used to reach the authorization server:
// key sets, userinfo, introspection. The default has a 10 s timeout and
// follows same-origin redirects only. The client's own timeout applies; a
// client without one is still bounded by 10 s per shared call. For: the
// verifiers and NewUserinfoIdentity.
func WithHTTPClient(c *http.Client) Option {
	return option("WithHTTPClient", forVerifiers|forUserinfoIdentity, func(s *settings) { s.httpClient = c })
}

// WithLogger sets the log/slog logger for audit and diagnostic lines. Lines
// name the subject, the client and the outcome, never the token. The default
// discards everything, except that the middleware reports a configuration
// that refuses every request (a custom verifier that names no issuer, say)
// once, at warning level, to [slog.Default]. For: every constructor.
func WithLogger(l *slog.Logger) Option {
	return option("WithLogger", forAll, func(s *settings) { s.logger, s.loggerSet = l, l != nil })
}

// WithClock replaces time.Now, for tests that need tokens to expire on cue.
// For: every constructor.
func WithClock(now func() time.Time) Option {
	return option("WithClock", forAll, func(s *settings) { s.now = now })
}

// WithLeeway sets the clock skew tolerated when checking "exp", "nbf" and
// "iat" (default [DefaultLeeway], at most [MaxLeeway]). The verifiers of
// this package check a token's times themselves; the middleware checks the
// expiry that other verifiers report. For: New, NewJWTVerifier,
// NewIntrospectionVerifier.
func WithLeeway(d time.Duration) Option {
	return option("WithLeeway", forAuthenticator|forJWT|forIntrospection, func(s *settings) { s.leeway = d })
}

// InsecureAllowHTTP lets the verifiers and the userinfo identity source reach the
// authorization server (key sets, userinfo, introspection) over plain http
// on any host. Without it their URLs must use https, except for loopback
// hosts (localhost, 127.0.0.0/8, ::1), which tests and local development
// can use as they are.
//
// Only tests and development setups on a trusted network (containers
// talking to a provider by a private name) may use it: over plain http,
// anyone on the path can read tokens and client secrets, and substitute
// their own signing keys. For: the verifiers and NewUserinfoIdentity.
func InsecureAllowHTTP() Option {
	return option("InsecureAllowHTTP", forVerifiers|forUserinfoIdentity, func(s *settings) { s.insecureHTTP = true })
}

// WithCacheTTL sets how long a result is reused: a verified token (default:
// until its expiry, at most 5 minutes for JWT and introspection; 60 s for
// userinfo) or an identity look-up (default 5 minutes). A result is never
// reused past the token's expiry. Zero disables the cache (concurrent
// look-ups of one token are still coalesced); negative is a configuration
// error. Cache keys are SHA-256 digests of tokens (of issuer and subject for
// NewSubjectIdentity). For: the verifiers and NewSubjectIdentity.
func WithCacheTTL(d time.Duration) Option {
	return option("WithCacheTTL", forVerifiers|forSubjectIdentity, func(s *settings) { s.cacheTTL, s.cacheTTLSet = d, true })
}

// WithCacheSize bounds how many results a verifier or identity source
// remembers (default [DefaultCacheSize]); the least recently used go first.
// Zero keeps none; negative is a configuration error. For: the verifiers
// and NewSubjectIdentity.
func WithCacheSize(n int) Option {
	return option("WithCacheSize", forVerifiers|forSubjectIdentity, func(s *settings) { s.cacheSize = n })
}

// WithMaxTokenLength caps the bearer token at n bytes (default
// [DefaultMaxTokenLength]); a longer token is refused with 401
// invalid_token before anything is parsed. n must be between 1 and 1 MiB.
// For: New and the verifiers.
func WithMaxTokenLength(n int) Option {
	return option("WithMaxTokenLength", forAuthenticator|forVerifiers, func(s *settings) { s.maxTokenLength = n })
}

// WithClientIDClaims replaces the claims the client ID is read from, in
// order; the first that holds a non-empty string wins. The default is
// "client_id" (RFC 9068), "azp" (OpenID Connect), "cid" (Okta), "appid"
// (Entra ID v1 tokens). For: the verifiers.
func WithClientIDClaims(names ...string) Option {
	names = slices.Clone(names)
	return option("WithClientIDClaims", forVerifiers, func(s *settings) { s.clientIDClaims = names })
}

// WithScopeClaim names the claim the scopes are read from (for example
// "permissions" for Auth0 RBAC, "roles" for Entra ID application
// permissions). The claim may hold a space-separated string or an array of
// strings. By default the first of "scope", "scp" and "scopes" present is
// read. For: NewJWTVerifier, NewIntrospectionVerifier.
func WithScopeClaim(name string) Option {
	return option("WithScopeClaim", forJWT|forIntrospection, func(s *settings) { s.scopeClaim = name })
}

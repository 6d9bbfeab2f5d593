package bearer

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures the middleware ([New], [Middleware]).
type Option interface{ applyMiddleware(*middlewareOptions) }

// JWTOption configures the JWT verifier ([NewJWTVerifier]).
type JWTOption interface{ applyJWT(*jwtOptions) }

// UserinfoOption configures the userinfo verifier ([NewUserinfoVerifier]).
type UserinfoOption interface{ applyUserinfo(*userinfoOptions) }

// IntrospectionOption configures the RFC 7662 introspection verifier
// ([NewIntrospectionVerifier]).
type IntrospectionOption interface{ applyIntrospection(*introspectionOptions) }

// common holds the settings that several option sets share. Each options
// struct embeds it, so that one option value (WithLogger, say) can serve the
// middleware and every verifier alike.
type common struct {
	httpClient *http.Client     // nil: internal/fetch.DefaultClient()
	logger     *slog.Logger     // nil: discard
	now        func() time.Time // nil: time.Now
	leeway     time.Duration    // clock skew tolerated on exp/nbf/iat
	leewaySet  bool             // leeway was given explicitly (0 is valid)
	audience   []string         // resources the token must be meant for
	cacheTTL   time.Duration    // longest a verified result is reused
	cacheSet   bool             // cacheTTL was given explicitly (0 disables)
	cacheSize  int              // most cached results; 0: the default
	_          struct{}         // keep positional literals out
}

// clock returns the configured time source.
func (c *common) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// WithHTTPClient sets the client used to reach the authorization server
// (key sets, userinfo, introspection). The default has a 10 s timeout and
// follows same-origin redirects only. The client's own timeout applies; a
// client without one is still bounded by the request's context.
func WithHTTPClient(c *http.Client) interface {
	JWTOption
	UserinfoOption
	IntrospectionOption
} {
	return httpClientOption{c}
}

type httpClientOption struct{ c *http.Client }

func (o httpClientOption) applyJWT(x *jwtOptions)                     { x.httpClient = o.c }
func (o httpClientOption) applyUserinfo(x *userinfoOptions)           { x.httpClient = o.c }
func (o httpClientOption) applyIntrospection(x *introspectionOptions) { x.httpClient = o.c }

// WithLogger sets the log/slog logger for audit and diagnostic lines. Lines
// name the subject, the client and the outcome, never the token. The default
// discards everything.
func WithLogger(l *slog.Logger) interface {
	Option
	JWTOption
	UserinfoOption
	IntrospectionOption
} {
	return loggerOption{l}
}

type loggerOption struct{ l *slog.Logger }

func (o loggerOption) applyMiddleware(x *middlewareOptions)       { x.logger = o.l }
func (o loggerOption) applyJWT(x *jwtOptions)                     { x.logger = o.l }
func (o loggerOption) applyUserinfo(x *userinfoOptions)           { x.logger = o.l }
func (o loggerOption) applyIntrospection(x *introspectionOptions) { x.logger = o.l }

// WithClock replaces time.Now, for tests that need tokens to expire on cue.
func WithClock(now func() time.Time) interface {
	Option
	JWTOption
	UserinfoOption
	IntrospectionOption
} {
	return clockOption{now}
}

type clockOption struct{ now func() time.Time }

func (o clockOption) applyMiddleware(x *middlewareOptions)       { x.now = o.now }
func (o clockOption) applyJWT(x *jwtOptions)                     { x.now = o.now }
func (o clockOption) applyUserinfo(x *userinfoOptions)           { x.now = o.now }
func (o clockOption) applyIntrospection(x *introspectionOptions) { x.now = o.now }

// WithLeeway sets the clock skew tolerated when checking exp, nbf and iat
// (default 60 s). Negative values are a configuration error.
func WithLeeway(d time.Duration) interface {
	Option
	JWTOption
	IntrospectionOption
} {
	return leewayOption{d}
}

type leewayOption struct{ d time.Duration }

func (o leewayOption) applyMiddleware(x *middlewareOptions) { x.leeway, x.leewaySet = o.d, true }
func (o leewayOption) applyJWT(x *jwtOptions)               { x.leeway, x.leewaySet = o.d, true }
func (o leewayOption) applyIntrospection(x *introspectionOptions) {
	x.leeway, x.leewaySet = o.d, true
}

// WithAudience names the resource (RFC 8707 resource indicator, usually the
// MCP endpoint URL such as "https://mcp.example.com/mcp") that tokens must be
// meant for: their audience must contain one of resources, compared exactly.
// The middleware applies the check to whatever a verifier reports; the JWT
// and introspection verifiers apply it themselves as well.
func WithAudience(resources ...string) interface {
	Option
	JWTOption
	IntrospectionOption
} {
	return audienceOption{resources}
}

type audienceOption struct{ aud []string }

func (o audienceOption) applyMiddleware(x *middlewareOptions) {
	x.audience = append(x.audience, o.aud...)
}
func (o audienceOption) applyJWT(x *jwtOptions) { x.audience = append(x.audience, o.aud...) }
func (o audienceOption) applyIntrospection(x *introspectionOptions) {
	x.audience = append(x.audience, o.aud...)
}

// WithCacheTTL sets how long a verifier reuses the result of verifying a
// token (default 60 s for userinfo, until exp capped at 5 minutes for JWT
// and introspection). A result is never reused past the token's expiry.
// Zero disables the cache. Cache keys are SHA-256 digests of tokens.
func WithCacheTTL(d time.Duration) interface {
	JWTOption
	UserinfoOption
	IntrospectionOption
} {
	return cacheTTLOption{d}
}

type cacheTTLOption struct{ d time.Duration }

func (o cacheTTLOption) applyJWT(x *jwtOptions)           { x.cacheTTL, x.cacheSet = o.d, true }
func (o cacheTTLOption) applyUserinfo(x *userinfoOptions) { x.cacheTTL, x.cacheSet = o.d, true }
func (o cacheTTLOption) applyIntrospection(x *introspectionOptions) {
	x.cacheTTL, x.cacheSet = o.d, true
}

// WithCacheSize bounds how many verified tokens a verifier remembers
// (default 10 000); the least recently used are evicted first.
func WithCacheSize(n int) interface {
	JWTOption
	UserinfoOption
	IntrospectionOption
} {
	return cacheSizeOption{n}
}

type cacheSizeOption struct{ n int }

func (o cacheSizeOption) applyJWT(x *jwtOptions)                     { x.cacheSize = o.n }
func (o cacheSizeOption) applyUserinfo(x *userinfoOptions)           { x.cacheSize = o.n }
func (o cacheSizeOption) applyIntrospection(x *introspectionOptions) { x.cacheSize = o.n }

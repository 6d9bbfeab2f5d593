package bearer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/mcp-auth/go/internal/scope"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Authenticator is the bearer-token middleware of a protected resource. It
// reads the token from the Authorization header, has a [Verifier] check it,
// applies the checks every token must pass (expiry, issuer, audience,
// required scopes) and hands the verified [AuthInfo] to the next handler in
// the request context.
//
// [Authenticator.Authenticate] makes the decision; [Authenticator.Handler]
// wraps it around a handler and answers refusals with
// [Authenticator.WriteError]:
//
//   - no Authorization header, a scheme other than Bearer, or "Bearer" with
//     no token: 401 with a challenge that carries no error attribute (RFC
//     6750 section 3.1);
//   - several Authorization headers, or a token that is not an RFC 6750
//     b64token (inner spaces, tabs, control or non-ASCII characters, two
//     tokens): 400 error="invalid_request";
//   - a header longer than the token limit ([WithMaxTokenLength]), a token
//     the verifier rejects, an expired token, an untrusted issuer or a wrong
//     audience: 401 error="invalid_token";
//   - a valid token without the required scopes: 403
//     error="insufficient_scope" with the scopes needed;
//   - the authorization server unreachable, or the verifier cancelled or out
//     of time: 503 with Retry-After, never 401;
//   - any other verifier failure, or a verifier that returns neither an
//     AuthInfo nor an error: 500.
//
// Tokens are taken from the Authorization header only, never from the query
// string or a form body (the MCP specification forbids both).
//
// Audience: when [WithAudience] is set, a token whose verifier reports an
// audience must name one of the resources. A verifier that cannot know the
// audience reports nil (the userinfo verifier: an opaque token carries no
// audience), and then the check passes: such a verifier accepts any token
// the provider accepts, whatever resource it was issued for. Prefer
// resource-bound JWTs or introspection in production.
//
// The zero value is not usable; create one with [New]. An Authenticator is
// safe for concurrent use, and its configuration cannot change after New.
type Authenticator struct {
	verifier            Verifier
	logger              *slog.Logger // nil: no logging
	now                 func() time.Time
	leeway              time.Duration
	maxHeaderLen        int
	issuers             []string
	audience            []string
	trailingSlashAud    bool
	requiredScopes      []string
	impliedBy           map[string][]string // scope -> scopes that imply it
	challengeScopes     []string
	resourceMetadataURL string
	showDetails         bool
	legacyCodes         bool
	errorHandler        func(http.ResponseWriter, *http.Request, *Error)

	// Precomputed responses for the codes whose challenge and body do not
	// depend on the request.
	challenges map[Code]string
	bodies     map[Code][]byte
}

// New returns an Authenticator that checks tokens with v, configured by
// opts. All configuration is checked here, never on a request: New fails
// (with an error for which errors.Is(err, [ErrMisconfigured]) is true) on a
// nil verifier or option, a negative leeway, an empty issuer or audience,
// [WithIssuers] with no issuer, a scope that is not an RFC 6749
// scope-token, a resource metadata URL that is not an absolute http(s) URL,
// a [WithMaxTokenLength] outside 1 byte to 1 MiB, or required scopes with a
// [*UserinfoVerifier] (userinfo does not report scopes).
//
// Defaults: no required scopes, any issuer, no audience check, 60 s of clock
// leeway on the expiry, a 16 KiB token limit, no resource_metadata in
// challenges (set [WithResourceMetadataURL]: the MCP specification requires
// it), no logging.
func New(v Verifier, opts ...Option) (*Authenticator, error) {
	if v == nil {
		return nil, middlewareConfigError("nil Verifier")
	}
	if f, ok := v.(VerifierFunc); ok && f == nil {
		return nil, middlewareConfigError("nil VerifierFunc")
	}
	var o middlewareOptions
	for i, opt := range opts {
		if opt == nil {
			return nil, middlewareConfigError("option %d is nil", i)
		}
		opt.applyMiddleware(&o)
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	if _, ok := v.(*UserinfoVerifier); ok && len(o.requiredScopes) > 0 {
		// Userinfo reports no scopes: every request would get 403.
		return nil, middlewareConfigError("required scopes cannot be checked with a userinfo verifier, which does not learn a token's scopes: use the JWT or introspection verifier")
	}

	a := &Authenticator{
		verifier:            v,
		logger:              o.logger,
		now:                 o.now,
		leeway:              middlewareDefaultLeeway,
		maxHeaderLen:        DefaultMaxTokenLength + len(bearerScheme) + 1,
		issuers:             slices.Clone(o.issuers),
		audience:            slices.Clone(o.audience),
		trailingSlashAud:    o.trailingSlashAud,
		requiredScopes:      uniqueScopes(o.requiredScopes),
		impliedBy:           impliedByClosure(o.hierarchy),
		resourceMetadataURL: o.resourceMetadataURL,
		showDetails:         o.showDetails,
		legacyCodes:         o.legacyCodes,
		errorHandler:        o.errorHandler,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if o.leewaySet {
		a.leeway = o.leeway
	}
	if o.maxTokenLengthSet {
		a.maxHeaderLen = o.maxTokenLength + len(bearerScheme) + 1
	}
	a.challengeScopes = a.requiredScopes
	if o.challengeScopesSet {
		a.challengeScopes = uniqueScopes(o.challengeScopes)
	}
	a.challengeScopes = slices.DeleteFunc(slices.Clone(a.challengeScopes), func(s string) bool { return s == scopeOfflineAccess })

	a.challenges = make(map[Code]string, len(fixedDescriptions))
	a.bodies = make(map[Code][]byte, len(fixedDescriptions))
	for c := range fixedDescriptions {
		if c.category() != ErrInsufficientScope {
			a.challenges[c] = a.buildChallenge(c, nil)
		}
		a.bodies[c] = refusalBody(bodyErrorCode(c, a.legacyCodes), fixedDescription(c))
	}
	return a, nil
}

// validate checks the configuration.
func (o *middlewareOptions) validate() error {
	if o.leewaySet && o.leeway < 0 {
		return middlewareConfigError("WithLeeway: negative leeway %v", o.leeway)
	}
	if o.maxTokenLengthSet && (o.maxTokenLength <= 0 || o.maxTokenLength > maxMaxTokenLength) {
		return middlewareConfigError("WithMaxTokenLength: %d is not between 1 and %d", o.maxTokenLength, maxMaxTokenLength)
	}
	if o.issuersSet && len(o.issuers) == 0 {
		return middlewareConfigError("WithIssuers: no issuer given")
	}
	if slices.Contains(o.issuers, "") {
		return middlewareConfigError("WithIssuers: empty issuer")
	}
	if slices.Contains(o.audience, "") {
		return middlewareConfigError("WithAudience: empty resource")
	}
	for _, s := range o.requiredScopes {
		if !scope.Valid(s) {
			return middlewareConfigError("WithRequiredScopes: %q is not a valid scope", s)
		}
	}
	for _, s := range o.challengeScopes {
		if !scope.Valid(s) {
			return middlewareConfigError("WithChallengeScopes: %q is not a valid scope", s)
		}
	}
	for k, vs := range o.hierarchy {
		if !scope.Valid(k) {
			return middlewareConfigError("WithScopeHierarchy: %q is not a valid scope", k)
		}
		for _, s := range vs {
			if !scope.Valid(s) {
				return middlewareConfigError("WithScopeHierarchy: %q is not a valid scope", s)
			}
		}
	}
	if o.resourceMetadataURL != "" {
		if err := checkResourceMetadataURL(o.resourceMetadataURL); err != nil {
			return err
		}
	}
	return nil
}

// checkResourceMetadataURL accepts an absolute http or https URL that can be
// put in a quoted-string as it is. Whether http is acceptable for the host
// is the configuration layer's call (mcpauth refuses it outside loopback).
func checkResourceMetadataURL(s string) error {
	if !scope.Valid(s) { // visible ASCII without '"' and '\'
		return middlewareConfigError("WithResourceMetadataURL: %q has characters a header cannot carry", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return middlewareConfigError("WithResourceMetadataURL: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return middlewareConfigError("WithResourceMetadataURL: %q is not an absolute http(s) URL", s)
	}
	if u.User != nil || u.Fragment != "" || strings.Contains(s, "#") {
		return middlewareConfigError("WithResourceMetadataURL: %q must have no user information or fragment", s)
	}
	return nil
}

func middlewareConfigError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMisconfigured}, args...)...)
}

// uniqueScopes returns a copy of s without duplicates, in first-seen order.
func uniqueScopes(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Authenticate decides whether r may proceed: it returns the verified
// [AuthInfo], or an [*Error] that says why not (see [Authenticator] for the
// cases). It calls the verifier with r's context and writes nothing, logs
// nothing and does not look at the method (the preflight exemption belongs to
// [Authenticator.Handler]).
func (a *Authenticator) Authenticate(r *http.Request) (*AuthInfo, error) {
	info, _, e := a.authenticate(r)
	if e != nil {
		return nil, e
	}
	return info, nil
}

// authenticate is Authenticate that also returns the token (for the log
// fingerprint) and the AuthInfo of a token that failed a check (for the log
// line).
func (a *Authenticator) authenticate(r *http.Request) (*AuthInfo, string, *Error) {
	token, e := parseAuthorization(r.Header, a.maxHeaderLen)
	if e != nil {
		return nil, "", e
	}
	info, err := a.verifier.Verify(r.Context(), token)
	if err != nil {
		return nil, token, refusalFromVerifier(err)
	}
	if info == nil {
		return nil, token, NewError(CodeServerError, "the access token could not be checked", errNilAuthInfo)
	}
	if e := a.check(info, a.now()); e != nil {
		return info, token, e
	}
	return info, token, nil
}

// Handler returns next wrapped: requests that [Authenticator.Authenticate]
// accepts reach next with their [AuthInfo] in the context (read it with
// [FromContext]); the others are answered by [Authenticator.WriteError], or
// by the [WithErrorHandler] hook, and next is not called.
//
// OPTIONS requests reach next unauthenticated, so that CORS preflights
// (which never carry credentials) work; next must not serve protected data
// to them. Every response gets WWW-Authenticate added to
// Access-Control-Expose-Headers, so that browser clients can read
// challenges.
//
// With [WithLogger], each decision is logged once: acceptance and requests
// without bearer credentials at Debug, other 4xx refusals at Info, 503 at
// Warn and 500 at Error, with the code, status, subject, client id and a
// fingerprint of the token (the first 8 hex digits of its SHA-256), never
// the token.
//
// Handler panics if next is nil.
func (a *Authenticator) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("bearer: Handler called with a nil http.Handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exposeWWWAuthenticate(w.Header())
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		info, token, e := a.authenticate(r)
		if a.logger != nil {
			a.log(r.Context(), info, token, e)
		}
		if e != nil {
			a.refuse(w, r, e)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithAuthInfo(r.Context(), info)))
	})
}

// refuse answers a refused request, through the hook if there is one.
func (a *Authenticator) refuse(w http.ResponseWriter, r *http.Request, e *Error) {
	if a.errorHandler == nil {
		a.WriteError(w, r, e)
		return
	}
	a.setRefusalHeaders(w.Header(), e)
	a.errorHandler(w, r, e)
}

// Middleware returns [New](v, opts...).Handler, the form routers take.
//
// Middleware panics if New fails: a configuration mistake found when the
// server is wired, like a conflicting pattern in [http.ServeMux.Handle],
// never on a request. Call New to handle the error instead.
func Middleware(v Verifier, opts ...Option) func(http.Handler) http.Handler {
	a, err := New(v, opts...)
	if err != nil {
		panic(err)
	}
	return a.Handler
}

// log writes the one line that records a decision.
func (a *Authenticator) log(ctx context.Context, info *AuthInfo, token string, e *Error) {
	level, msg, status := slog.LevelDebug, "bearer: request authenticated", http.StatusOK
	if e != nil {
		status = e.Code.Status()
		msg = "bearer: request refused"
		switch {
		case status == http.StatusServiceUnavailable:
			level = slog.LevelWarn
		case status >= 500:
			level = slog.LevelError
		case e.Code.category() == ErrMissingToken:
			// Every client's first request: routine, not worth Info.
			level = slog.LevelDebug
		default:
			level = slog.LevelInfo
		}
	}
	if !a.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 7)
	if e != nil {
		attrs = append(attrs, slog.String("code", string(e.Code)))
	}
	attrs = append(attrs, slog.Int("status", status))
	if info != nil {
		attrs = append(attrs, slog.String("sub", info.Subject), slog.String("client_id", info.ClientID))
	}
	if token != "" {
		attrs = append(attrs, slog.String("token_fp", tokenFingerprint(token)))
	}
	if e != nil {
		attrs = append(attrs, slog.String("error", redactToken(e.Error(), token)))
	}
	a.logger.LogAttrs(ctx, level, msg, attrs...)
}

// tokenFingerprint identifies a token in logs without revealing it: the
// first 8 hex digits of its SHA-256.
func tokenFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:4])
}

// redactToken removes token from s, in case a verifier put it in an error.
func redactToken(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[redacted]")
}

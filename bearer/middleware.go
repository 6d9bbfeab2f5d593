package bearer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcp-auth/go/internal/scope"
)

// Authenticator is the bearer-token middleware of a protected resource. It
// reads the token from the Authorization header, has a [Verifier] prove it
// authentic, decides whether this resource accepts it (issuer, audience,
// required scopes) and hands the verified [AuthInfo] to the next handler in
// the request context, completed with the subject's identity claims when
// identity sources are configured ([WithIdentity]).
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
//     the verifier rejects, an expired token, an untrusted issuer, a wrong
//     audience, or a token whose audience the verifier cannot know (see
//     [WithAudience]): 401 error="invalid_token";
//   - a valid token without the required scopes: 403
//     error="insufficient_scope" with the scopes needed;
//   - the authorization server unreachable, or the verifier cancelled or out
//     of time: 503 with Retry-After, never 401; so is an identity source
//     that fails when identity is required ([WithIdentityRequired]);
//   - any other verifier failure, or a verifier that returns neither an
//     AuthInfo nor an error: 500.
//
// Tokens are taken from the Authorization header only, never from the query
// string or a form body (the MCP specification forbids both).
//
// Each rule is applied once: the verifier proves authenticity (and, for
// this package's verifiers, the token's times); the Authenticator applies
// the resource's policy. See [Verifier] for what that asks of custom
// verifiers.
//
// The zero value is not usable; create one with [New]. An Authenticator is
// safe for concurrent use, and its configuration cannot change after New.
type Authenticator struct {
	verifier            Verifier
	logger              *slog.Logger // per-request lines
	warnLogger          *slog.Logger // configuration warnings: logger, or slog.Default
	now                 func() time.Time
	leeway              time.Duration
	checkTimes          bool // the verifier does not check times itself
	maxHeaderLen        int
	issuers             []string
	issuerTemplates     []*IssuerTemplate // WithIssuerTemplates
	audience            []string
	trailingSlashAud    bool
	acceptUnbound       bool
	requiredScopes      []string
	impliedBy           map[string][]string // scope -> scopes that imply it
	challengeScopes     []string            // 400/401 challenges
	stepUpScopes        []string            // the baseline every 403 names
	resourceMetadataURL string
	showDetails         bool
	legacyCodes         bool
	errorHandler        func(http.ResponseWriter, *http.Request, *Error)
	identity            *identityResolver // nil: the token's own claims only

	warned sync.Map // warning kind -> struct{}: each configuration warning once

	// Precomputed responses for the codes whose challenge and body do not
	// depend on the request.
	challenges map[Code]string
	bodies     map[Code][]byte
}

// New returns an Authenticator that checks tokens with v, configured by
// opts. All configuration is checked here, never on a request: New fails
// (with an error for which errors.Is(err, [ErrMisconfigured]) is true) on a
// nil verifier, an option that does not configure the middleware, a
// negative leeway, an empty issuer or audience, [WithIssuers] with no
// issuer, a scope that is not an RFC 6749 scope-token, a resource metadata
// URL that is not an absolute http(s) URL, a [WithMaxTokenLength] outside 1
// byte to 1 MiB, and configurations that would refuse every token: required
// scopes with a [*UserinfoVerifier] (userinfo does not report scopes), or
// an audience with a verifier that cannot know one (userinfo) and no
// [InsecureAcceptUnboundTokens].
//
// Defaults: no required scopes, any issuer, no audience check (mcpauth
// configures issuers, audience and resource metadata URL for you), 60 s of
// clock leeway on a custom verifier's expiry, a 16 KiB token limit, no
// resource_metadata in challenges (set [WithResourceMetadataURL]: the MCP
// specification requires it), identity from the token's own claims, no
// logging of decisions.
func New(v Verifier, opts ...Option) (*Authenticator, error) {
	if isNilVerifier(v) {
		return nil, configError("New: nil Verifier")
	}
	s, err := applyOptions("New", forAuthenticator, opts)
	if err != nil {
		return nil, err
	}
	if err := validateAuthenticator(s); err != nil {
		return nil, err
	}
	checksTimes, knowsAudience := traitsOf(v)
	if len(s.requiredScopes) > 0 && hasUserinfo(v) {
		// Userinfo reports no scopes: every request would get 403.
		return nil, configError("New: required scopes cannot be checked with a userinfo verifier, which does not learn a token's scopes: use the JWT or introspection verifier")
	}
	if len(s.audience) > 0 && !knowsAudience && !s.acceptUnbound {
		return nil, configError("New: the verifier cannot know a token's audience (userinfo: an opaque token carries none), so every token would be refused as not issued for %s: use the JWT or introspection verifier, or accept unbound tokens knowingly with InsecureAcceptUnboundTokens", s.audience[0])
	}

	a := &Authenticator{
		verifier:            v,
		logger:              s.logger,
		warnLogger:          s.logger,
		now:                 s.now,
		leeway:              s.leeway,
		checkTimes:          !checksTimes,
		maxHeaderLen:        s.maxTokenLength + len(bearerScheme) + 1,
		issuers:             slices.Clone(s.issuers),
		issuerTemplates:     slices.Clone(s.issuerTemplates),
		audience:            slices.Clone(s.audience),
		trailingSlashAud:    s.trailingSlashAud,
		acceptUnbound:       s.acceptUnbound,
		requiredScopes:      uniqueScopes(s.requiredScopes),
		impliedBy:           impliedByClosure(s.hierarchy),
		resourceMetadataURL: s.resourceMetadataURL,
		showDetails:         s.showDetails,
		legacyCodes:         s.legacyCodes,
		errorHandler:        s.errorHandler,
	}
	if !s.loggerSet {
		a.warnLogger = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if len(s.identity) > 0 {
		a.identity = newIdentityResolver(s.identity, s.identityRequired, s.logger, a.now, s.sharedCache)
	}
	a.challengeScopes = a.requiredScopes
	if s.challengeScopesSet {
		a.challengeScopes = uniqueScopes(s.challengeScopes)
	}
	a.challengeScopes = slices.DeleteFunc(slices.Clone(a.challengeScopes), scope.IsOfflineAccess)
	a.stepUpScopes = appendUnique(slices.Clone(a.challengeScopes), a.requiredScopes...)

	a.challenges = make(map[Code]string, len(fixedDescriptions))
	a.bodies = make(map[Code][]byte, len(fixedDescriptions))
	for c := range fixedDescriptions {
		if c.category() != ErrInsufficientScope {
			a.challenges[c] = a.buildChallenge(c, nil)
		}
		a.bodies[c] = refusalBody(bodyErrorCode(c, a.legacyCodes), fixedDescription(c), nil)
	}
	return a, nil
}

// validateAuthenticator checks the middleware's own settings.
func validateAuthenticator(s *settings) error {
	if s.issuersSet && len(s.issuers) == 0 {
		return configError("New: WithIssuers: no issuer given")
	}
	if slices.Contains(s.issuers, "") {
		return configError("New: WithIssuers: empty issuer")
	}
	if err := validateIssuerTemplates(s); err != nil {
		return err
	}
	if slices.Contains(s.audience, "") {
		return configError("New: WithAudience: empty resource")
	}
	if err := checkScopes("New", "WithRequiredScopes", s.requiredScopes); err != nil {
		return err
	}
	if err := checkScopes("New", "WithChallengeScopes", s.challengeScopes); err != nil {
		return err
	}
	for k, vs := range s.hierarchy {
		if err := checkScopes("New", "WithScopeHierarchy", append([]string{k}, vs...)); err != nil {
			return err
		}
	}
	if s.resourceMetadataURL != "" {
		if err := checkResourceMetadataURL(s.resourceMetadataURL); err != nil {
			return err
		}
	}
	for i, src := range s.identity {
		if isNilSource(src) {
			return configError("New: WithIdentity: source %d is nil", i)
		}
	}
	return nil
}

// checkResourceMetadataURL accepts an absolute http or https URL that can be
// put in a quoted-string as it is. Whether http is acceptable for the host
// is the configuration layer's call (mcpauth refuses it outside loopback).
func checkResourceMetadataURL(s string) error {
	if !scope.Valid(s) { // visible ASCII without '"' and '\'
		return configError("New: WithResourceMetadataURL: %q has characters a header cannot carry", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return configError("New: WithResourceMetadataURL: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Hostname() == "" {
		return configError("New: WithResourceMetadataURL: %q is not an absolute http(s) URL", s)
	}
	if u.User != nil || u.Fragment != "" || strings.Contains(s, "#") {
		return configError("New: WithResourceMetadataURL: %q must have no user information or fragment", s)
	}
	return nil
}

// uniqueScopes returns a copy of s without duplicates, in first-seen order.
func uniqueScopes(s []string) []string {
	return appendUnique(make([]string, 0, len(s)), s...)
}

// appendUnique appends the non-empty values not yet in list.
func appendUnique(list []string, values ...string) []string {
	for _, v := range values {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// Authenticate decides whether r may proceed: it returns the verified
// [AuthInfo], or an [*Error] that says why not (see [Authenticator] for the
// cases). It calls the verifier and the identity sources with r's context
// and writes nothing, logs nothing and does not look at the method (the
// preflight exemption belongs to [Authenticator.Handler]).
func (a *Authenticator) Authenticate(r *http.Request) (*AuthInfo, error) {
	info, _, e := a.authenticate(r)
	if e != nil {
		return nil, e
	}
	return info, nil
}

// AuthenticateToken is [Authenticator.Authenticate] for a bearer token that
// did not come in an HTTP request's Authorization header (another
// transport, a test): the verifier, the resource's policy and the identity
// sources, with the same errors. The token must be RFC 6750 token syntax
// within the token limit, or it is refused as Authenticate would refuse it.
func (a *Authenticator) AuthenticateToken(ctx context.Context, token string) (*AuthInfo, error) {
	if e := checkTokenSyntax(token, a.maxHeaderLen-len(bearerScheme)-1); e != nil {
		return nil, e
	}
	info, e := a.decide(ctx, token)
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
	info, e := a.decide(r.Context(), token)
	return info, token, e
}

// decide verifies token, applies the resource's policy and completes the
// identity. On a refusal after verification, it returns the AuthInfo too,
// for the log line.
func (a *Authenticator) decide(ctx context.Context, token string) (*AuthInfo, *Error) {
	info, err := a.verifier.Verify(ctx, token)
	if err != nil {
		e := refusalFromVerifier(err, token)
		if e.Code == CodeServerError {
			a.warnOnce(ctx, "verifier-error", "the verifier returned an error that is neither ErrInvalidToken nor ErrProviderUnavailable; requests get 500 (return InvalidToken or ProviderUnavailable errors)", e)
		}
		return nil, e
	}
	if info == nil {
		return nil, NewError(CodeServerError, "the access token could not be checked", errNilAuthInfo)
	}
	if e := a.check(ctx, info); e != nil {
		return info, e
	}
	if a.identity != nil {
		completed, e := a.identity.complete(ctx, token, info)
		if e != nil {
			return info, e
		}
		info = completed
	}
	return info, nil
}

// check applies the resource's policy to what the verifier proved: the
// issuer, the audience, the expiry (for verifiers that do not check times
// themselves) and the required scopes, the cheapest first.
func (a *Authenticator) check(ctx context.Context, info *AuthInfo) *Error {
	if (len(a.issuers) > 0 || len(a.issuerTemplates) > 0) && !a.issuerAccepted(info) {
		if info.Issuer == "" {
			a.warnOnce(ctx, "no-issuer", "the verifier returned an AuthInfo without Issuer while accepted issuers are configured: every such token is refused (set AuthInfo.Issuer in the verifier)", nil)
		}
		return mismatch(CodeInvalidIssuer, "the access token was issued by an issuer this resource does not accept", a.acceptedIssuers(), info.Issuer)
	}
	if len(a.audience) > 0 {
		switch {
		case info.Audience == nil && !a.acceptUnbound:
			a.warnOnce(ctx, "no-audience", "the verifier returned an AuthInfo without Audience while an audience is configured: every such token is refused (report the audience, or opt in with InsecureAcceptUnboundTokens)", nil)
			return mismatch(CodeInvalidAudience, "the access token cannot be shown to be issued for this resource: request a token bound to it with the resource parameter (RFC 8707)", strings.Join(a.audience, ", "), nil)
		case info.Audience != nil && !audienceMatches(info.Audience, a.audience, a.trailingSlashAud):
			return mismatch(CodeInvalidAudience, "the access token was not issued for this resource: request one with the resource parameter (RFC 8707) set to it", strings.Join(a.audience, ", "), info.Audience)
		}
	}
	if a.checkTimes {
		if e := checkTimes(a.now(), a.leeway, info.ExpiresAt, time.Time{}, time.Time{}); e != nil {
			return e
		}
	}
	for _, s := range a.requiredScopes {
		if !a.grants(info, s) {
			return a.insufficientScope(info, nil)
		}
	}
	return nil
}

// warnOnce logs a configuration warning the first time kind happens, so that
// a setup that refuses every request says why without flooding the log.
func (a *Authenticator) warnOnce(ctx context.Context, kind, msg string, e *Error) {
	if _, seen := a.warned.LoadOrStore(kind, struct{}{}); seen {
		return
	}
	attrs := []slog.Attr{slog.String("kind", kind)}
	if e != nil {
		attrs = append(attrs, slog.String("error", e.Error()))
	}
	a.warnLogger.LogAttrs(ctx, slog.LevelWarn, "bearer: "+msg, attrs...)
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
		a.log(r.Context(), info, token, e)
		if e != nil {
			a.refuse(w, r, e)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), info)))
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
		status = e.status()
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

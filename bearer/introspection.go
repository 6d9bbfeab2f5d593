package bearer

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/internal/tokencache"
)

// defaultIntrospectionCacheTTL is the longest an introspection answer is
// reused by default (never past the token's "exp").
const defaultIntrospectionCacheTTL = 5 * time.Minute

// Client authentication methods for [ClientCredentials.Method] (RFC 7591
// "token_endpoint_auth_method" values).
const (
	// ClientSecretBasic sends the credentials in an HTTP Basic
	// Authorization header (RFC 6749 section 2.3.1). The default.
	ClientSecretBasic = "client_secret_basic"
	// ClientSecretPost sends the credentials as the form parameters
	// client_id and client_secret.
	ClientSecretPost = "client_secret_post"
)

// ClientCredentials authenticate the resource server to the introspection
// endpoint, as a confidential client registered with the authorization
// server.
type ClientCredentials struct {
	// ClientID is the resource server's client identifier. Required.
	ClientID string
	// ClientSecret is its secret. Required.
	ClientSecret string
	// Method is [ClientSecretBasic] (also when empty) or [ClientSecretPost].
	Method string
}

// String describes c with the secret redacted, so that credentials printed
// with fmt or log/slog never show it.
func (c ClientCredentials) String() string {
	return fmt.Sprintf("{ClientID:%s ClientSecret:[redacted] Method:%s}", c.ClientID, c.Method)
}

// GoString is String for the %#v verb.
func (c ClientCredentials) GoString() string {
	return fmt.Sprintf("bearer.ClientCredentials{ClientID:%q, ClientSecret:\"[redacted]\", Method:%q}", c.ClientID, c.Method)
}

// IntrospectionVerifier verifies access tokens with the authorization
// server's OAuth 2.0 token introspection endpoint (RFC 7662). It works for
// opaque tokens and JWTs alike, reports the token's audience (so that the
// middleware can hold it to the resource, RFC 8707), and sees revocation at
// once (up to the cache TTL).
//
// Verify answers:
//   - an [AuthInfo] when the endpoint answers 200 with "active": true and
//     the checks below pass. Scopes come from "scope" (space-separated; see
//     [WithScopeClaim]), ClientID from "client_id" ([WithClientIDClaims]),
//     Subject from "sub", Audience from "aud" (string or array; nil when
//     absent, which means unknown), ExpiresAt from "exp"; Issuer is the
//     configured issuer (an "iss" member must equal it); Claims holds the
//     whole response, including "nbf", "iat" and "token_type", and Identity
//     its identity claims.
//   - an [ErrInvalidToken] error (401) when "active" is false; when "iss"
//     differs from the configured issuer ([CodeInvalidIssuer]); when "exp"
//     has passed or "nbf" or "iat" has not (with [WithLeeway], default
//     60 s); when "token_type", or Ory Hydra's "token_use", says
//     "refresh_token"; and when the token is not RFC 6750 token syntax or
//     is too long.
//   - an [ErrMisconfigured] error (500) when the endpoint answers 401 or 403:
//     it refused the resource server's own client credentials, which says
//     nothing about the token.
//   - an [ErrProviderUnavailable] error (503) on network errors, timeouts,
//     any other status, a body over 1 MiB, a non-JSON answer, a response
//     without a boolean "active" or with members of the wrong type; also
//     when the caller's context ends before the answer.
//
// Active results are cached by SHA-256 digest of the token until "exp",
// and at most [WithCacheTTL] (default 5 minutes); [WithCacheSize] bounds the
// entries (default 10 000). A refusal ("active": false, or an issuer or
// audience this verifier refuses) is remembered for [WithRefusalTTL]
// (default 10 s); failures of the provider are not remembered. Concurrent
// first calls with one token make a single request, and calls for tokens
// not cached draw on a budget ([WithProviderBudget]; default 100 a second,
// bursts of 200, 64 at once), past which a new token is answered 503. Failures
// of the provider are logged with [WithLogger] (never the token or the
// secret).
//
// An IntrospectionVerifier is safe for concurrent use. The zero value is not
// usable: create one with [NewIntrospectionVerifier].
type IntrospectionVerifier struct {
	issuer    string
	endpoint  *endpointRef
	creds     ClientCredentials
	basicAuth string // the Authorization header value for ClientSecretBasic
	s         *settings
	set       remoteSettings
	cache     *tokencache.Cache[*AuthInfo]
	guard     *providerGuard
}

var _ verifierTraits = (*IntrospectionVerifier)(nil)

// String names the verifier's endpoint and client; it never shows the
// client secret, which a plain %+v of the struct would.
func (v *IntrospectionVerifier) String() string {
	return fmt.Sprintf("bearer.IntrospectionVerifier{endpoint:%s client:%s}", v.endpoint.url, v.creds.ClientID)
}

// GoString is String for the %#v verb.
func (v *IntrospectionVerifier) GoString() string { return v.String() }

// NewIntrospectionVerifier returns a verifier that introspects tokens at
// introspectionEndpoint (the "introspection_endpoint" of the provider's
// metadata), authenticating with creds, and that accepts only tokens of
// issuer.
//
// issuer and the endpoint must be absolute https URLs without a fragment;
// http is accepted for loopback hosts, and for any host with
// [InsecureAllowHTTP]. creds needs a client ID and a secret, and a known
// Method. It takes the options [WithHTTPClient], [WithLogger], [WithClock],
// [WithLeeway], [InsecureAllowHTTP], [WithCacheTTL], [WithCacheSize],
// [WithMaxTokenLength], [WithClientIDClaims], [WithScopeClaim],
// [WithProviderBudget] and [WithRefusalTTL]. Errors
// match [ErrMisconfigured].
func NewIntrospectionVerifier(issuer, introspectionEndpoint string, creds ClientCredentials, opts ...Option) (*IntrospectionVerifier, error) {
	const ctor = "NewIntrospectionVerifier"
	s, err := applyOptions(ctor, forIntrospection, opts)
	if err != nil {
		return nil, err
	}
	if _, err := checkEndpoint(ctor, "issuer", issuer, s); err != nil {
		return nil, err
	}
	if _, err := checkEndpoint(ctor, "introspection endpoint", introspectionEndpoint, s); err != nil {
		return nil, err
	}
	return newIntrospectionVerifier(ctor, issuer, knownEndpoint("introspection endpoint", introspectionEndpoint), creds, s)
}

// NewIntrospectionVerifierFor is [NewIntrospectionVerifier] for the
// authorization server s: its issuer and "introspection_endpoint". When s
// is a deferred configuration ([config.Deferred]) the endpoint is read from
// s when the first token needs it, and tokens are answered 503 until s is
// discovered.
func NewIntrospectionVerifierFor(s *config.ServerConfig, creds ClientCredentials, opts ...Option) (*IntrospectionVerifier, error) {
	const ctor = "NewIntrospectionVerifierFor"
	set, ref, err := endpointFor(ctor, forIntrospection, "introspection endpoint", s, func(m *config.Metadata) string { return m.IntrospectionEndpoint }, opts)
	if err != nil {
		return nil, err
	}
	return newIntrospectionVerifier(ctor, s.Metadata.Issuer, ref, creds, set)
}

func newIntrospectionVerifier(ctor, issuer string, endpoint *endpointRef, creds ClientCredentials, s *settings) (*IntrospectionVerifier, error) {
	if creds.ClientID == "" || creds.ClientSecret == "" {
		return nil, configError("%s: client credentials need a client ID and a secret", ctor)
	}
	switch creds.Method {
	case "":
		creds.Method = ClientSecretBasic
	case ClientSecretBasic, ClientSecretPost:
	default:
		return nil, configError("%s: client authentication method %q is not supported (use %q or %q)",
			ctor, creds.Method, ClientSecretBasic, ClientSecretPost)
	}
	set := remoteSetup(s, defaultIntrospectionCacheTTL)
	v := &IntrospectionVerifier{
		issuer:   issuer,
		endpoint: endpoint,
		creds:    creds,
		s:        s,
		set:      set,
		cache:    newCache[*AuthInfo](set),
		guard:    newProviderGuard("introspection", s),
	}
	if creds.Method == ClientSecretBasic {
		// RFC 6749 section 2.3.1: the id and the secret are form-encoded
		// before they are joined and base64-encoded.
		pair := url.QueryEscape(creds.ClientID) + ":" + url.QueryEscape(creds.ClientSecret)
		v.basicAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
	}
	return v, nil
}

// checksTimes: mapResponse applies checkTimes.
func (v *IntrospectionVerifier) checksTimes() bool { return true }

// knowsAudience: an introspection response without "aud" reports nil,
// which the middleware treats as unbound.
func (v *IntrospectionVerifier) knowsAudience() bool { return true }

// Verify introspects token, or answers from the cache; see
// [IntrospectionVerifier] for the outcomes.
func (v *IntrospectionVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if e := checkTokenSyntax(token, v.s.maxTokenLength); e != nil {
		return nil, e
	}
	info, err := v.guard.verify(ctx, v.cache, token, func(ctx context.Context) (*AuthInfo, time.Time, error) {
		doc, err := v.fetch(ctx, token)
		if err != nil {
			return nil, time.Time{}, err
		}
		now := v.s.clock()
		info, err := v.mapResponse(doc, token, now)
		if err != nil {
			return nil, time.Time{}, err
		}
		expires := now.Add(v.set.ttl)
		if !info.ExpiresAt.IsZero() && info.ExpiresAt.Before(expires) {
			expires = info.ExpiresAt
		}
		return info, expires, nil
	})
	if err != nil {
		return nil, remoteWaitError(err)
	}
	return info, nil
}

// fetch sends the introspection request for token and returns the decoded
// response.
func (v *IntrospectionVerifier) fetch(ctx context.Context, token string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, v.set.timeout)
	defer cancel()
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	if v.creds.Method == ClientSecretPost {
		form.Set("client_id", v.creds.ClientID)
		form.Set("client_secret", v.creds.ClientSecret)
	}
	endpoint, err := v.endpoint.get(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, NewError(CodeServerError, "the introspection request could not be built", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v.basicAuth != "" {
		req.Header.Set("Authorization", v.basicAuth)
	}
	var doc map[string]any
	if err := fetch.Do(v.set.client, req, "introspection", &doc); err != nil {
		return nil, v.fetchError(ctx, err)
	}
	if doc == nil { // the body was JSON null
		return nil, ProviderUnavailable("the introspection response is not a JSON object", nil)
	}
	return doc, nil
}

// fetchError maps a failed introspection request to a typed error.
func (v *IntrospectionVerifier) fetchError(ctx context.Context, err error) error {
	switch status := remoteStatus(err); {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		// RFC 7662 section 2.1: the endpoint authenticates the caller,
		// the resource server. Its refusal is our misconfiguration.
		err = NewError(CodeServerError, "the authorization server refused the resource server's client credentials", err)
		v.set.logger.LogAttrs(ctx, slog.LevelError, "introspection: client credentials refused", slog.Any("error", err))
		return err
	default:
		err = remoteUnavailable("introspection", err)
	}
	v.set.logger.LogAttrs(ctx, slog.LevelWarn, "introspection: provider unavailable", slog.Any("error", err))
	return err
}

// mapResponse checks an introspection response (RFC 7662 section 2.2) and
// turns it into an AuthInfo for token, as of now. Members of the wrong type
// are the provider's fault (503), not the token's.
func (v *IntrospectionVerifier) mapResponse(doc map[string]any, token string, now time.Time) (*AuthInfo, error) {
	malformed := func(member string) error {
		return ProviderUnavailable(fmt.Sprintf("the introspection response has a malformed %q", member), nil)
	}
	active, ok := doc["active"].(bool)
	if !ok {
		return nil, malformed("active")
	}
	if !active {
		return nil, InvalidToken("the token is not active", nil)
	}
	if iss, present := doc["iss"]; present && iss != v.issuer {
		// The provider says another issuer issued the token (or says so
		// in a malformed way): not a token of this issuer.
		return nil, mismatch(CodeInvalidIssuer, "the token was issued by another issuer", v.issuer, fmt.Sprint(iss))
	}
	c, member, err := readClaims(doc, v.s)
	if err != nil {
		return nil, malformed(member)
	}
	// RFC 7662 puts the kind of token in "token_type"; Ory Hydra (fosite)
	// says "Bearer" there for refresh tokens too, and "refresh_token" in
	// its own "token_use", even when asked with token_type_hint
	// access_token.
	for _, member := range []string{"token_type", "token_use"} {
		tt, ok := doc[member]
		if !ok {
			continue
		}
		s, isString := tt.(string)
		if !isString {
			return nil, malformed(member)
		}
		if strings.EqualFold(s, "refresh_token") {
			return nil, InvalidToken("a refresh token is not an access token", nil)
		}
	}
	if e := checkTimes(now, v.s.leeway, c.exp, c.nbf, c.iat); e != nil {
		return nil, e
	}
	return &AuthInfo{
		Issuer:    v.issuer,
		Subject:   c.subject,
		ClientID:  c.clientID,
		Audience:  c.audience,
		Scopes:    c.scopes,
		ExpiresAt: c.exp,
		Claims:    doc,
		Identity:  identityFromClaims(doc, "token"),
	}, nil
}

// Stats returns what the verifier did for tokens it had not verified yet:
// provider calls, budget refusals and the shared cache's hits and failures.
func (v *IntrospectionVerifier) Stats() ProviderStats { return v.guard.counters.stats() }

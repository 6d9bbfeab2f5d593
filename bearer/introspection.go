package bearer

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

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
// opaque tokens and JWTs alike, and sees revocation at once (up to the
// cache TTL).
//
// Verify answers:
//   - an [AuthInfo] when the endpoint answers 200 with "active": true and
//     the checks below pass. Scopes come from "scope" (space-separated),
//     ClientID from "client_id", Subject from "sub", Audience from "aud"
//     (string or array; nil when absent, which means unknown), ExpiresAt
//     from "exp"; Issuer is the configured issuer (an "iss" member must
//     equal it); Claims holds the whole response, including "nbf", "iat" and
//     "token_type".
//   - an [ErrInvalidToken] error (401) when "active" is false; when "iss"
//     differs from the configured issuer ([CodeInvalidIssuer]); when "exp"
//     has passed or "nbf" has not (with [WithLeeway], default 60 s); when
//     "token_type", or Ory Hydra's "token_use", says "refresh_token"; when
//     [WithAudience] is set and "aud" is absent or names none of its
//     resources ([CodeInvalidAudience]); and when the token is not RFC 6750
//     token syntax.
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
// entries (default 10 000). Inactive and failed results are not cached.
// Concurrent first calls with one token make a single request. Failures
// of the provider are logged with [WithLogger] (never the token or the
// secret).
//
// An IntrospectionVerifier is safe for concurrent use. The zero value is not
// usable: create one with [NewIntrospectionVerifier].
type IntrospectionVerifier struct {
	issuer    string
	endpoint  string
	creds     ClientCredentials
	basicAuth string // the Authorization header value for ClientSecretBasic
	audience  []string
	leeway    time.Duration
	set       remoteSettings
	now       func() time.Time
	cache     *tokencache.Cache[*AuthInfo]
}

// String names the verifier's endpoint and client; it never shows the
// client secret, which a plain %+v of the struct would.
func (v *IntrospectionVerifier) String() string {
	return fmt.Sprintf("bearer.IntrospectionVerifier{endpoint:%s client:%s}", v.endpoint, v.creds.ClientID)
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
// Method. A negative [WithLeeway], [WithCacheTTL] or [WithCacheSize], and an
// empty [WithAudience] resource, are errors.
func NewIntrospectionVerifier(issuer, introspectionEndpoint string, creds ClientCredentials, opts ...IntrospectionOption) (*IntrospectionVerifier, error) {
	var o introspectionOptions
	for _, opt := range opts {
		if opt != nil {
			opt.applyIntrospection(&o)
		}
	}
	fail := func(err error) (*IntrospectionVerifier, error) {
		return nil, fmt.Errorf("bearer: introspection verifier: %w", err)
	}
	if _, err := fetch.CheckURL(issuer, "issuer", o.insecureHTTP); err != nil {
		return fail(err)
	}
	if _, err := fetch.CheckURL(introspectionEndpoint, "introspection endpoint", o.insecureHTTP); err != nil {
		return fail(err)
	}
	if creds.ClientID == "" || creds.ClientSecret == "" {
		return fail(fmt.Errorf("client credentials need a client ID and a secret"))
	}
	switch creds.Method {
	case "":
		creds.Method = ClientSecretBasic
	case ClientSecretBasic, ClientSecretPost:
	default:
		return fail(fmt.Errorf("client authentication method %q is not supported (use %q or %q)",
			creds.Method, ClientSecretBasic, ClientSecretPost))
	}
	leeway := defaultLeeway
	if o.leewaySet {
		if o.leeway < 0 {
			return fail(fmt.Errorf("leeway %v is negative", o.leeway))
		}
		leeway = o.leeway
	}
	if slices.Contains(o.audience, "") {
		return fail(fmt.Errorf("an audience resource is empty"))
	}
	set, err := remoteSetup(&o.common, defaultIntrospectionCacheTTL)
	if err != nil {
		return fail(err)
	}
	v := &IntrospectionVerifier{
		issuer:   issuer,
		endpoint: introspectionEndpoint,
		creds:    creds,
		audience: slices.Clone(o.audience),
		leeway:   leeway,
		set:      set,
		now:      o.clock,
	}
	if creds.Method == ClientSecretBasic {
		// RFC 6749 section 2.3.1: the id and the secret are form-encoded
		// before they are joined and base64-encoded.
		pair := url.QueryEscape(creds.ClientID) + ":" + url.QueryEscape(creds.ClientSecret)
		v.basicAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
	}
	v.cache = newRemoteCache(set, o.now)
	return v, nil
}

// Verify introspects token, or answers from the cache; see
// [IntrospectionVerifier] for the outcomes.
func (v *IntrospectionVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if !isB64Token(token) {
		return nil, InvalidToken("the token is malformed", nil)
	}
	if info, ok := v.cache.Get(token); ok {
		return info, nil
	}
	info, err := v.cache.Load(ctx, token, func(ctx context.Context) (*AuthInfo, time.Time, error) {
		doc, err := v.fetch(ctx, token)
		if err != nil {
			return nil, time.Time{}, err
		}
		now := v.now()
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.endpoint, strings.NewReader(form.Encode()))
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
// turns it into an AuthInfo for token, as of now.
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
	info := &AuthInfo{Token: token, Issuer: v.issuer, Claims: doc}

	if raw, ok := doc["iss"]; ok {
		if iss, _ := raw.(string); iss != v.issuer {
			return nil, NewError(CodeInvalidIssuer, "the token was issued by another issuer", nil)
		}
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
	var err error
	if info.Subject, err = introStringMember(doc, "sub"); err != nil {
		return nil, err
	}
	if info.ClientID, err = introStringMember(doc, "client_id"); err != nil {
		return nil, err
	}
	if info.Scopes, ok = introStrings(doc, "scope", true); !ok {
		return nil, malformed("scope")
	}
	if info.Audience, ok = introStrings(doc, "aud", false); !ok {
		return nil, malformed("aud")
	}
	exp, hasExp, ok := introTime(doc, "exp")
	if !ok {
		return nil, malformed("exp")
	}
	if hasExp {
		if !now.Before(exp.Add(v.leeway)) {
			return nil, InvalidToken("the token has expired", nil)
		}
		info.ExpiresAt = exp
	}
	nbf, hasNbf, ok := introTime(doc, "nbf")
	if !ok {
		return nil, malformed("nbf")
	}
	if hasNbf && now.Add(v.leeway).Before(nbf) {
		return nil, InvalidToken("the token is not valid yet", nil)
	}
	if _, _, ok := introTime(doc, "iat"); !ok {
		return nil, malformed("iat")
	}
	if len(v.audience) > 0 && !slices.ContainsFunc(info.Audience, func(a string) bool {
		return slices.Contains(v.audience, a)
	}) {
		return nil, NewError(CodeInvalidAudience, "the token was not issued for this resource", nil)
	}
	return info, nil
}

// introStringMember returns the string member name of doc, "" when absent,
// and an error when it is not a string.
func introStringMember(doc map[string]any, name string) (string, error) {
	raw, ok := doc[name]
	if !ok || raw == nil {
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", ProviderUnavailable(fmt.Sprintf("the introspection response has a malformed %q", name), nil)
	}
	return s, nil
}

// introStrings reads member name of doc as a list of strings: a JSON array
// of strings, or a single string (split on spaces when split is true, taken
// whole otherwise). It returns nil for an absent member, a non-nil slice
// for a present one, and false when the member has another type.
func introStrings(doc map[string]any, name string, split bool) ([]string, bool) {
	switch raw := doc[name].(type) {
	case nil:
		return nil, true
	case string:
		if split {
			return append([]string{}, strings.Fields(raw)...), true
		}
		return []string{raw}, true
	case []any:
		out := make([]string, 0, len(raw))
		for _, item := range raw {
			s, ok := item.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	default:
		return nil, false
	}
}

// introTime reads member name of doc as NumericDate (seconds since the
// epoch). present is false when the member is absent; ok is false when it
// is not a finite number in a sane range.
func introTime(doc map[string]any, name string) (t time.Time, present, ok bool) {
	raw, found := doc[name]
	if !found || raw == nil {
		return time.Time{}, false, true
	}
	f, isNumber := raw.(float64)
	// Beyond ±2^53 seconds, dates are nonsense and time.Unix overflows.
	if !isNumber || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return time.Time{}, true, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, true
}

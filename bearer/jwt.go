package bearer

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/tokencache"
)

// TrustedIssuer is an authorization server whose JWT access tokens a
// [JWTVerifier] accepts.
type TrustedIssuer struct {
	// Issuer is the issuer identifier, compared exactly with the token's
	// "iss" claim (no trailing-slash or case normalisation).
	Issuer string
	// JWKSURI is the URL of the issuer's JWK Set, usually the jwks_uri of
	// its authorization server metadata. It must use https, except for
	// loopback hosts (see [InsecureAllowHTTP]). It may be empty when
	// the keys are given with [WithStaticKeys], or when Server is set.
	JWKSURI string
	// Server, when JWKSURI is empty, is the issuer's configuration, whose
	// jwks_uri is used; its issuer must be Issuer. When it is deferred
	// ([config.Deferred]) the key set is fetched when the first token of
	// the issuer needs it (never by [NewJWTVerifier]), and such tokens are
	// answered 503 until the server is discovered.
	Server *config.ServerConfig
	// Template, when set, makes this entry trust every issuer of a
	// multi-tenant authorization server ([IssuerTemplate.Match]: the
	// template with a tenant GUID in place of the placeholder, allowed,
	// and equal to the token's "tid"), all of them checked with this
	// entry's keys. Issuer must then be empty or the template's string,
	// and the keys are given as for an exact issuer: JWKSURI (the key set
	// the tenants share), Server (whose issuer must be the template, as
	// in Entra ID's common discovery document), or [WithStaticKeys] named
	// by the template's string.
	Template *IssuerTemplate
}

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
	// jwtDefaultCacheTTL caps a verified token's cache entry (never past
	// its expiry).
	jwtDefaultCacheTTL = 5 * time.Minute
)

// JWTVerifier is a [Verifier] for JWT access tokens (RFC 9068) signed by
// trusted issuers, checked locally against the issuers' published keys.
// The JOSE work (splitting the compact serialization, reading the
// protected header, checking the signature) is done by
// github.com/lestrrat-go/jwx/v3; the claims are decoded with encoding/json.
//
// A token is accepted when it is a compact JWS (three base64url parts) no
// longer than the token limit ([WithMaxTokenLength]); its header names an
// allowed algorithm ([WithAlgorithms]), no "crit" extension and no nested
// JWT; its "iss" is a trusted issuer, exactly; it has an "exp" that has not
// passed, no "nbf" or "iat" in the future (with [WithLeeway]), and a "sub";
// and its signature checks out with the issuer's key named by "kid", whose
// type and own "alg" must fit the token's algorithm. The "jku", "x5u",
// "jwk" and "x5c" header parameters are ignored: keys come only from the
// issuer's JWKSURI. Cheap checks come first: a token that fails the
// structure, algorithm, issuer or time checks costs no signature check and
// no network request.
//
// The verifier proves the token authentic and reports its audience; the
// middleware holds the audience to the resource ([WithAudience]), so one
// verifier can serve several resources.
//
// Failures are [*Error]s: [ErrInvalidToken] (401) for a bad token,
// [CodeInvalidIssuer] among them, and [ErrProviderUnavailable] (503) when
// the issuer's keys could not be fetched, so that an outage is never
// reported as a bad token.
//
// Verified tokens are remembered, keyed by a SHA-256 digest of the token,
// until their expiry but at most 5 minutes ([WithCacheTTL]); at most 10 000
// of them ([WithCacheSize]), least recently used first out. A remembered
// verification ends as soon as a key-set refresh no longer contains the key
// that checked it: a key the provider stopped publishing verifies nothing
// more.
//
// Remote key sets are fetched again in the background once they are an
// hour old ([WithKeyRefreshInterval]), and at once when a token names an
// unknown "kid", at most once per 10 s ([WithMinRefreshInterval]); a failed
// fetch keeps the previous keys.
//
// A JWTVerifier is safe for concurrent use. The zero value is not usable:
// create one with [NewJWTVerifier], and call [JWTVerifier.Close] when it is
// no longer needed, to end key fetches in flight.
type JWTVerifier struct {
	s        *settings
	algs     map[string]*jwtAlgorithm // the allow-list
	issuers  map[string]keySet
	remotes  []*remoteKeySet
	cache    *tokencache.Cache[jwtVerified] // nil: caching disabled
	cacheTTL time.Duration
	lists    sharedLists // the cached tokens' Audience and Scopes lists
	closing  sync.Once

	templates []templateKeys // TrustedIssuer.Template entries, tried after issuers
}

// jwtVerified is a cache entry: what a token proved, and the key that
// proved it, so that the entry ends when the key is withdrawn.
type jwtVerified struct {
	info *AuthInfo
	key  *jwtKey
}

var (
	_ Verifier       = (*JWTVerifier)(nil)
	_ verifierTraits = (*JWTVerifier)(nil)
)

// NewJWTVerifier returns a verifier for JWT access tokens issued by issuers.
//
// Unless [WithLazyKeys] is given it fetches every issuer's key set before
// returning, within ctx, and fails if one cannot be fetched or holds no
// usable key; the error then matches [ErrProviderUnavailable]. It also fails,
// with an error matching [ErrMisconfigured], on a configuration error: no
// issuers, an issuer listed twice or without keys, a JWKSURI that is not
// https, a bad algorithm list (see [WithAlgorithms]), negative durations or
// sizes, an option that does not configure it.
//
// It takes the options [WithAlgorithms], [WithRequiredTokenType],
// [WithScopeClaim], [WithClientIDClaims], [WithKeyRefreshInterval],
// [WithMinRefreshInterval], [WithLazyKeys], [WithStaticKeys],
// [InsecureAllowHTTP], [WithHTTPClient], [WithLogger], [WithClock],
// [WithLeeway], [WithCacheTTL], [WithCacheSize] and [WithMaxTokenLength].
func NewJWTVerifier(ctx context.Context, issuers []TrustedIssuer, opts ...Option) (*JWTVerifier, error) {
	s, err := applyOptions("NewJWTVerifier", forJWT, opts)
	if err != nil {
		return nil, err
	}
	v := &JWTVerifier{s: s}
	if err := v.configure(issuers); err != nil {
		return nil, err
	}
	if !s.lazyKeys {
		for _, r := range v.remotes {
			if r.ref.server != nil {
				continue // deferred: nothing to fetch from yet
			}
			if err := r.load(ctx); err != nil {
				v.Close()
				return nil, fmt.Errorf("bearer: JWT verifier: %w",
					ProviderUnavailable("the authorization server's signing keys are unavailable", err))
			}
		}
	}
	return v, nil
}

// configure checks the JWT verifier's own options, applies their defaults
// and builds the key sets, fetching nothing.
func (v *JWTVerifier) configure(issuers []TrustedIssuer) error {
	const ctor = "NewJWTVerifier"
	s := v.s
	if !s.refreshEverySet {
		s.refreshEvery = DefaultKeyRefreshInterval
	}
	if !s.minRefreshSet {
		s.minRefresh = DefaultMinRefreshInterval
	}
	v.cacheTTL = jwtDefaultCacheTTL
	if s.cacheTTLSet {
		v.cacheTTL = s.cacheTTL
	}
	switch {
	case s.refreshEvery <= 0:
		return configError("%s: WithKeyRefreshInterval: the interval must be positive", ctor)
	case s.minRefresh <= 0:
		return configError("%s: WithMinRefreshInterval: the interval must be positive", ctor)
	case s.tokenType != "" && strings.TrimSpace(s.tokenType) != s.tokenType:
		return configError("%s: WithRequiredTokenType: %q has surrounding spaces", ctor, s.tokenType)
	}
	if err := v.configureAlgorithms(); err != nil {
		return err
	}
	if err := v.configureIssuers(issuers); err != nil {
		return err
	}
	if v.cacheTTL > 0 && s.cacheSize > 0 {
		v.cache = tokencache.New[jwtVerified](s.cacheSize, s.now)
	}
	return nil
}

func (v *JWTVerifier) configureAlgorithms() error {
	const ctor = "NewJWTVerifier"
	names := v.s.algorithms
	if !v.s.algorithmsSet {
		names = defaultJWTAlgorithms
	}
	if len(names) == 0 {
		return configError("%s: WithAlgorithms: empty algorithm list", ctor)
	}
	v.algs = make(map[string]*jwtAlgorithm, len(names))
	for _, name := range names {
		switch a, ok := jwtLookupAlgorithm(name); {
		case strings.EqualFold(name, "none"):
			return configError(`%s: WithAlgorithms: algorithm "none" is never accepted`, ctor)
		case jwtIsHMAC(name):
			return configError("%s: WithAlgorithms: HMAC algorithm %q is not accepted: a resource server must verify with public keys", ctor, name)
		case !ok:
			return configError("%s: WithAlgorithms: unsupported algorithm %q", ctor, name)
		default:
			v.algs[name] = &a
		}
	}
	return nil
}

func (v *JWTVerifier) configureIssuers(issuers []TrustedIssuer) error {
	const ctor = "NewJWTVerifier"
	s := v.s
	if len(issuers) == 0 {
		return configError("%s: no trusted issuers", ctor)
	}
	v.issuers = make(map[string]keySet, len(issuers))
	for _, iss := range issuers {
		if iss.Template != nil {
			if err := v.addTemplate(iss); err != nil {
				return err
			}
			continue
		}
		if iss.Issuer == "" {
			return configError("%s: empty issuer", ctor)
		}
		if _, dup := v.issuers[iss.Issuer]; dup {
			return configError("%s: issuer %q listed twice", ctor, iss.Issuer)
		}
		if doc, ok := s.staticKeys[iss.Issuer]; ok {
			snap, err := parseKeySet(doc, nil)
			if err != nil {
				return configError("%s: static keys of issuer %q: %v", ctor, iss.Issuer, err)
			}
			v.issuers[iss.Issuer] = &staticKeySet{snap: snap}
			continue
		}
		ref, err := jwksRef(ctor, iss, s)
		if err != nil {
			return err
		}
		r := newRemoteKeySet(ref, s)
		v.issuers[iss.Issuer] = r
		v.remotes = append(v.remotes, r)
	}
	for iss := range s.staticKeys {
		if _, ok := v.issuers[iss]; !ok && !v.hasTemplate(iss) {
			return configError("%s: static keys given for issuer %q, which is not trusted", ctor, iss)
		}
	}
	return nil
}

// jwksRef returns where the key set of iss is: its JWKSURI, or its
// server's jwks_uri (read on first use when the server is deferred).
func jwksRef(ctor string, iss TrustedIssuer, s *settings) (*endpointRef, error) {
	if iss.JWKSURI == "" && iss.Server != nil {
		if iss.Server.Metadata.Issuer != iss.Issuer {
			return nil, configError("%s: issuer %q has the server configuration of %q", ctor, iss.Issuer, iss.Server.Metadata.Issuer)
		}
		if iss.Server.IsDeferred() {
			return &endpointRef{what: "JWKS URI", insecure: s.insecureHTTP, server: iss.Server,
				field: func(m *config.Metadata) string { return m.JWKSURI }}, nil
		}
		iss.JWKSURI = iss.Server.Metadata.JWKSURI
	}
	if iss.JWKSURI == "" {
		return nil, configError("%s: issuer %q has neither a JWKSURI nor static keys", ctor, iss.Issuer)
	}
	u, err := checkEndpoint(ctor, "JWKS URI", iss.JWKSURI, s)
	if err != nil {
		return nil, err
	}
	return knownEndpoint("JWKS URI", u.String()), nil
}

// Close ends key set fetches in flight and stops further fetches; it
// returns once the goroutines running them have returned. Tokens signed
// with keys already loaded still verify. Close is idempotent and always
// returns nil.
func (v *JWTVerifier) Close() error {
	v.closing.Do(func() {
		for _, r := range v.remotes {
			r.close()
		}
	})
	return nil
}

// checksTimes: checkClaims applies checkTimes.
func (v *JWTVerifier) checksTimes() bool { return true }

// knowsAudience: the Audience of a verified JWT is never nil.
func (v *JWTVerifier) knowsAudience() bool { return true }

// Verify checks token and returns what it proves. The returned AuthInfo
// is shared by every call with the same token and must not be modified;
// its Claims hold the claims set as decoded by encoding/json (numbers as
// float64), its Audience is never nil (empty when the token names none) and
// its Scopes are empty, not nil, when the token names none. See
// [JWTVerifier] for the rules and the errors.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if len(token) > v.s.maxTokenLength {
		return nil, InvalidToken("the token is too large", nil)
	}
	if v.cache == nil {
		info, _, err := v.verify(ctx, token)
		return info, err
	}
	// The cache first (a token found there was verified whole), and one
	// digest serves the look-up and, on a miss, the store.
	digest := tokencache.Digest(token)
	if hit, ok := v.cache.GetDigest(digest); ok && !hit.key.withdrawn.Load() {
		return hit.info, nil
	}
	info, key, err := v.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	info = v.lists.compactForCache(info)
	v.cache.SetDigest(digest, jwtVerified{info, key}, minTime(info.ExpiresAt, v.s.clock().Add(v.cacheTTL)))
	return info, nil
}

// jwtB64 decodes the payload and signature: base64url without padding,
// refusing non-zero padding bits.
var jwtB64 = base64.RawURLEncoding.Strict()

// Causes of structural failures, for logs.
var (
	errNotCompactJWS = errors.New("not a compact JWS with three non-empty parts")
	errHeader        = errors.New(`the protected header is not base64url JSON with string "alg", "kid", "typ" and "cty"`)
	errPayload       = errors.New("the payload is not base64url JSON")
	errSignature     = errors.New("the signature is not base64url")
	errNotObject     = errors.New("not a JSON object")
)

// jwtHeader is the part of the JOSE header the verifier reads.
type jwtHeader struct {
	alg, kid, typ, cty string
	crit               bool // "crit" is present
}

// verify checks a token that is not in the cache, the cheapest checks
// first, and returns what it proves and the key that checked it.
func (v *JWTVerifier) verify(ctx context.Context, token string) (*AuthInfo, *jwtKey, error) {
	// No CR or LF, which the base64 decoders would skip.
	if strings.ContainsAny(token, "\r\n") {
		return nil, nil, InvalidToken(notAJWT, errNotCompactJWS)
	}
	protected, payload, sig, err := jwsbb.SplitCompactString(token)
	if err != nil || len(protected) == 0 || len(payload) == 0 || len(sig) == 0 {
		return nil, nil, InvalidToken(notAJWT, errNotCompactJWS)
	}
	hdr, err := readJWTHeader(protected)
	if err != nil {
		return nil, nil, InvalidToken("the token is malformed", err)
	}
	alg, e := v.checkHeader(&hdr)
	if e != nil {
		return nil, nil, e
	}

	claims, err := decodeJWTClaims(payload)
	if err != nil {
		return nil, nil, InvalidToken("the token is malformed", err)
	}
	info, keys, e := v.checkClaims(token, claims)
	if e != nil {
		return nil, nil, e
	}

	signature := make([]byte, jwtB64.DecodedLen(len(sig)))
	n, err := jwtB64.Decode(signature, sig)
	if err != nil {
		return nil, nil, InvalidToken("the token is malformed", errSignature)
	}
	signature = signature[:n]

	// Only now, for a token that could be valid, look for keys, which may
	// mean a fetch.
	candidates, err := keys.keys(ctx, hdr.kid, alg)
	if err != nil {
		return nil, nil, err
	}
	signingInput := []byte(token[:len(protected)+1+len(payload)])
	tried := 0
	for _, k := range candidates {
		if !k.usableFor(alg) {
			continue
		}
		if jwsbb.Verify(k.pub, alg.name, signingInput, signature) == nil {
			return info, k, nil
		}
		if tried++; tried == jwtMaxCandidateKeys {
			break
		}
	}
	return nil, nil, InvalidToken("the token's signature is invalid", nil)
}

// notAJWT is the description of a token that is not a compact JWS: it
// says what this resource wants instead, since such a token is usually an
// opaque access token obtained without a resource indicator.
const notAJWT = "the access token is not a JWT: this resource accepts JWT access tokens issued for it (RFC 9068); request one with the resource parameter (RFC 8707) set to this resource"

// readJWTHeader decodes the protected header: base64url JSON holding one
// object, decoded with encoding/json, which keeps the last of duplicate
// members as RFC 7515 section 4 requires of a parser that does not refuse
// them, and matches member names exactly (a map, not a struct, whose field
// matching would fold case). "alg", "kid", "typ" and "cty" must be strings
// when present.
func readJWTHeader(protected []byte) (jwtHeader, error) {
	members, err := decodeJWTObject(protected)
	if err != nil {
		return jwtHeader{}, errHeader
	}
	var hdr jwtHeader
	for _, f := range []struct {
		name string
		dst  *string
	}{{"alg", &hdr.alg}, {"kid", &hdr.kid}, {"typ", &hdr.typ}, {"cty", &hdr.cty}} {
		switch v := members[f.name].(type) {
		case nil:
			if _, present := members[f.name]; present {
				return jwtHeader{}, errHeader
			}
		case string:
			*f.dst = v
		default:
			return jwtHeader{}, errHeader
		}
	}
	_, hdr.crit = members["crit"]
	return hdr, nil
}

// decodeJWTClaims decodes the payload: base64url JSON holding one object.
func decodeJWTClaims(payload []byte) (map[string]any, error) {
	claims, err := decodeJWTObject(payload)
	if err != nil {
		return nil, errPayload
	}
	return claims, nil
}

// decodeJWTObject decodes a base64url part holding one JSON object with
// encoding/json.
func decodeJWTObject(part []byte) (map[string]any, error) {
	raw := make([]byte, jwtB64.DecodedLen(len(part)))
	n, err := jwtB64.Decode(raw, part)
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw[:n])
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errNotObject
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkHeader applies the header rules and returns the algorithm.
func (v *JWTVerifier) checkHeader(h *jwtHeader) (*jwtAlgorithm, *Error) {
	alg, ok := v.algs[h.alg] // never "none" nor HMAC: configure refuses them
	if !ok {
		return nil, InvalidToken("the token's signature algorithm is not accepted", nil)
	}
	if h.crit {
		// RFC 7515 section 4.1.11: a recipient that does not understand
		// every listed extension must refuse the token, and this verifier
		// implements none (an empty list is itself invalid).
		return nil, InvalidToken("the token uses an unsupported critical header extension", nil)
	}
	if strings.EqualFold(h.cty, "JWT") || strings.EqualFold(h.cty, "application/jwt") {
		return nil, InvalidToken("nested tokens are not accepted", nil)
	}
	if want := v.s.tokenType; want != "" {
		typ := h.typ
		if len(typ) > len("application/") && strings.EqualFold(typ[:len("application/")], "application/") {
			typ = typ[len("application/"):]
		}
		if !strings.EqualFold(typ, strings.TrimPrefix(want, "application/")) {
			return nil, InvalidToken("the token is not an access token of the required type", nil)
		}
	}
	return alg, nil
}

// checkClaims applies the claim rules to the unverified claims and builds
// the AuthInfo a valid signature will confirm; keys are the issuer's.
func (v *JWTVerifier) checkClaims(token string, claims map[string]any) (*AuthInfo, keySet, *Error) {
	c, member, err := readClaims(claims, v.s)
	switch {
	case member == "iss":
		return nil, nil, NewError(CodeInvalidIssuer, "the token's issuer is missing or malformed", err)
	case member == "aud":
		return nil, nil, NewError(CodeInvalidAudience, "the token's audience is malformed", err)
	case err != nil:
		return nil, nil, InvalidToken(fmt.Sprintf("the token's %q claim is malformed", member), err)
	}
	keys, ok := v.issuers[c.issuer]
	if !ok {
		keys, ok = v.templateKeySet(c.issuer, claims)
	}
	if !ok {
		if c.issuer == "" {
			return nil, nil, NewError(CodeInvalidIssuer, "the token's issuer is missing or malformed", errClaimIssuer)
		}
		return nil, nil, NewError(CodeInvalidIssuer, "the token's issuer is not trusted", nil)
	}
	if c.exp.IsZero() {
		return nil, nil, InvalidToken("the token has no expiry", errClaimNoExp)
	}
	if e := checkTimes(v.s.clock(), v.s.leeway, c.exp, c.nbf, c.iat); e != nil {
		return nil, nil, e
	}
	if c.subject == "" {
		return nil, nil, InvalidToken("the token has no subject", errClaimSubject)
	}
	if c.audience == nil {
		c.audience = []string{} // known: the token names no resource
	}
	if c.scopes == nil {
		c.scopes = []string{} // known: the token was granted none
	}
	return &AuthInfo{
		Issuer:    c.issuer,
		Subject:   c.subject,
		ClientID:  c.clientID,
		Audience:  c.audience,
		Scopes:    c.scopes,
		ExpiresAt: c.exp,
		Claims:    claims,
		Identity:  identityFromClaims(claims, "token"),
	}, keys, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// JWT verifier options.

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
// is how the classic "sign with the public key" attack works. For:
// NewJWTVerifier.
func WithAlgorithms(algs ...string) Option {
	algs = append([]string{}, algs...)
	return option("WithAlgorithms", forJWT, func(s *settings) { s.algorithms, s.algorithmsSet = algs, true })
}

// WithRequiredTokenType makes the JWT verifier require the token header's
// "typ" to be typ, compared case-insensitively and with or without the
// "application/" prefix. RFC 9068 access tokens carry "at+jwt"; requiring it
// stops an ID token (or any other JWT the authorization server signs) from
// being used as an access token. It is off by default because several
// providers (Entra ID, Okta, older Keycloak) send "JWT". For:
// NewJWTVerifier.
func WithRequiredTokenType(typ string) Option {
	return option("WithRequiredTokenType", forJWT, func(s *settings) { s.tokenType = typ })
}

// WithKeyRefreshInterval sets how old a remote key set may grow before the
// JWT verifier fetches it again (default 1 hour). The refresh runs in the
// background when a token is verified with a stale key set; the stale keys
// serve meanwhile, and go on serving if the fetch fails. It must be
// positive. For: NewJWTVerifier.
func WithKeyRefreshInterval(d time.Duration) Option {
	return option("WithKeyRefreshInterval", forJWT, func(s *settings) { s.refreshEvery, s.refreshEverySet = d, true })
}

// WithMinRefreshInterval sets the shortest time between two fetches of one
// key set (default 10 s). A token whose "kid" is unknown makes the verifier
// fetch the key set at once, to pick up a rotated key; within the interval
// after a fetch such tokens are refused as invalid without any request, so
// that a flood of tokens with made-up key IDs cannot become a flood of
// requests to the authorization server. It must be positive. For:
// NewJWTVerifier.
func WithMinRefreshInterval(d time.Duration) Option {
	return option("WithMinRefreshInterval", forJWT, func(s *settings) { s.minRefresh, s.minRefreshSet = d, true })
}

// WithLazyKeys stops [NewJWTVerifier] from fetching the key sets: they are
// fetched when the first token needs them. By default the constructor
// fetches them and fails if it cannot, so that a wrong jwks_uri shows up at
// start-up rather than as 503s. In lazy mode, tokens are answered with
// [ErrProviderUnavailable] (503) until a fetch succeeds. For:
// NewJWTVerifier.
func WithLazyKeys() Option {
	return option("WithLazyKeys", forJWT, func(s *settings) { s.lazyKeys = true })
}

// WithStaticKeys gives the JWT verifier the keys of issuer as a JWK Set
// document (RFC 7517 section 5, the content of a jwks_uri) instead of
// fetching them; the issuer's JWKSURI is then ignored and may be empty.
// issuer must be one of the trusted issuers passed to [NewJWTVerifier].
// Meant for tests, air-gapped deployments and pinned keys; the keys are
// never refreshed. For: NewJWTVerifier.
func WithStaticKeys(issuer string, jwks []byte) Option {
	jwks = append([]byte(nil), jwks...)
	return option("WithStaticKeys", forJWT, func(s *settings) {
		if s.staticKeys == nil {
			s.staticKeys = make(map[string][]byte)
		}
		s.staticKeys[issuer] = jwks
	})
}

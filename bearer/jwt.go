package bearer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/mcp-auth/go/internal/fetch"
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
	// loopback hosts (see [InsecureAllowHTTPKeys]). It may be empty when
	// the keys are given with [WithStaticKeys].
	JWKSURI string
}

// JWTVerifier is a [Verifier] for JWT access tokens (RFC 9068) signed by
// trusted issuers, checked locally against the issuers' published keys.
//
// A token is accepted when it is a compact JWS (three base64url parts) no
// longer than [MaxJWTSize]; its header names an allowed algorithm
// ([WithAlgorithms]), no "crit" extension and no nested JWT; its "iss" is
// a trusted issuer, exactly; it has an "exp" that has not passed, no "nbf"
// or "iat" in the future, a "sub", and an "aud" that names one of the
// resources given with [WithAudience] (when given); and its signature
// checks out with the issuer's key named by "kid", whose type and own
// "alg" must fit the token's algorithm. The "jku", "x5u", "jwk" and "x5c"
// header parameters are ignored: keys come only from the issuer's JWKSURI.
// Cheap checks come first: a token that fails the structure, algorithm,
// issuer or claim checks costs no signature check and no network request.
// A JSON member repeated in the header or the claims counts with its last
// value, which RFC 7515 and RFC 7519 allow.
//
// Failures are [*Error]s: [ErrInvalidToken] (401) for a bad token,
// [CodeInvalidIssuer] and [CodeInvalidAudience] among them, and
// [ErrProviderUnavailable] (503) when the issuer's keys could not be
// fetched, so that an outage is never reported as a bad token.
//
// Verified tokens are remembered, keyed by a SHA-256 digest of the token,
// until their expiry but at most 5 minutes ([WithCacheTTL]); at most 10 000
// of them ([WithCacheSize]), least recently used first out.
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
	opts     jwtOptions
	algs     map[string]*jwtAlgorithm // the allow-list
	issuers  map[string]keySet
	remotes  []*remoteKeySet
	cache    *tokencache.Cache[*AuthInfo] // nil: caching disabled
	cacheTTL time.Duration
	closing  sync.Once
}

var _ Verifier = (*JWTVerifier)(nil)

// NewJWTVerifier returns a verifier for JWT access tokens issued by issuers.
//
// Unless [WithLazyKeys] is given it fetches every issuer's key set before
// returning, within ctx, and fails if one cannot be fetched or holds no
// usable key; the error then matches [ErrProviderUnavailable]. It also fails
// on a configuration error: no issuers, an issuer listed twice or without
// keys, a JWKSURI that is not https, a bad algorithm list (see
// [WithAlgorithms]), negative durations or sizes.
//
// Give [WithAudience] the resource this server is (its RFC 9728 "resource"):
// without it the verifier accepts tokens meant for any resource of the
// issuer, and only the middleware's own audience check protects the server.
func NewJWTVerifier(ctx context.Context, issuers []TrustedIssuer, opts ...JWTOption) (*JWTVerifier, error) {
	v := &JWTVerifier{}
	for _, o := range opts {
		if o != nil {
			o.applyJWT(&v.opts)
		}
	}
	if err := v.configure(issuers); err != nil {
		return nil, fmt.Errorf("bearer: JWT verifier: %w", err)
	}
	if !v.opts.lazyKeys {
		for _, r := range v.remotes {
			if err := r.load(ctx); err != nil {
				v.Close()
				return nil, fmt.Errorf("bearer: JWT verifier: %w",
					ProviderUnavailable("the authorization server's signing keys are unavailable", err))
			}
		}
	}
	return v, nil
}

// configure checks the options, applies the defaults and builds the key
// sets, fetching nothing.
func (v *JWTVerifier) configure(issuers []TrustedIssuer) error {
	o := &v.opts
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if !o.leewaySet {
		o.leeway = jwtDefaultLeeway
	}
	if !o.refreshEverySet {
		o.refreshEvery = DefaultKeyRefreshInterval
	}
	if !o.minRefreshSet {
		o.minRefresh = DefaultMinRefreshInterval
	}
	if !o.cacheSet {
		o.cacheTTL = jwtDefaultCacheTTL
	}
	if o.cacheSize == 0 {
		o.cacheSize = jwtDefaultCacheSize
	}
	if o.clientIDClaims == nil {
		o.clientIDClaims = defaultClientIDClaims
	}
	switch {
	case o.leeway < 0:
		return errors.New("negative leeway")
	case o.refreshEvery <= 0:
		return errors.New("the key refresh interval must be positive")
	case o.minRefresh <= 0:
		return errors.New("the minimum key refresh interval must be positive")
	case o.cacheTTL < 0:
		return errors.New("negative cache TTL")
	case o.cacheSize < 0:
		return errors.New("negative cache size")
	case o.tokenType != "" && strings.TrimSpace(o.tokenType) != o.tokenType:
		return fmt.Errorf("required token type %q has surrounding spaces", o.tokenType)
	}
	for _, a := range o.audience {
		if a == "" {
			return errors.New("empty audience")
		}
	}
	if err := v.configureAlgorithms(); err != nil {
		return err
	}
	if err := v.configureIssuers(issuers); err != nil {
		return err
	}
	if o.cacheTTL > 0 {
		v.cache = tokencache.New[*AuthInfo](o.cacheSize, o.clock)
		v.cacheTTL = o.cacheTTL
	}
	return nil
}

func (v *JWTVerifier) configureAlgorithms() error {
	names := v.opts.algorithms
	if names == nil {
		names = defaultJWTAlgorithms
	}
	if len(names) == 0 {
		return errors.New("empty algorithm list")
	}
	v.algs = make(map[string]*jwtAlgorithm, len(names))
	for _, name := range names {
		switch a, ok := jwtLookupAlgorithm(name); {
		case strings.EqualFold(name, "none"):
			return errors.New(`algorithm "none" is never accepted`)
		case jwtIsHMAC(name):
			return fmt.Errorf("HMAC algorithm %q is not accepted: a resource server must verify with public keys", name)
		case !ok:
			return fmt.Errorf("unsupported algorithm %q", name)
		default:
			v.algs[name] = &a
		}
	}
	return nil
}

func (v *JWTVerifier) configureIssuers(issuers []TrustedIssuer) error {
	o := &v.opts
	if len(issuers) == 0 {
		return errors.New("no trusted issuers")
	}
	v.issuers = make(map[string]keySet, len(issuers))
	for _, iss := range issuers {
		if iss.Issuer == "" {
			return errors.New("empty issuer")
		}
		if _, dup := v.issuers[iss.Issuer]; dup {
			return fmt.Errorf("issuer %q listed twice", iss.Issuer)
		}
		if doc, ok := o.staticKeys[iss.Issuer]; ok {
			snap, err := parseKeySet(doc)
			if err != nil {
				return fmt.Errorf("static keys of issuer %q: %w", iss.Issuer, err)
			}
			v.issuers[iss.Issuer] = &staticKeySet{snap: snap}
			continue
		}
		if iss.JWKSURI == "" {
			return fmt.Errorf("issuer %q has neither a JWKSURI nor static keys", iss.Issuer)
		}
		u, err := fetch.CheckURL(iss.JWKSURI, "JWKS URI", o.insecureHTTPKeys)
		if err != nil {
			return err
		}
		r := newRemoteKeySet(u.String(), o)
		v.issuers[iss.Issuer] = r
		v.remotes = append(v.remotes, r)
	}
	for iss := range o.staticKeys {
		if _, ok := v.issuers[iss]; !ok {
			return fmt.Errorf("static keys given for issuer %q, which is not trusted", iss)
		}
	}
	return nil
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

// Verify checks token and returns what it proves. The returned AuthInfo
// is shared by every call with the same token and must not be modified;
// its Claims hold the claims set as decoded JSON (numbers as float64), its
// Audience is never nil and its Scopes are empty, not nil, when the token
// names none. See [JWTVerifier] for the rules and the errors.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if len(token) > MaxJWTSize {
		return nil, InvalidToken("the token is too large", nil)
	}
	if v.cache == nil {
		return v.split(ctx, token)
	}
	// The cache first (a token found there was verified whole), and one
	// digest serves the look-up and, on a miss, the store.
	key := tokencache.Digest(token)
	if info, ok := v.cache.GetDigest(key); ok {
		return info, nil
	}
	info, err := v.split(ctx, token)
	if err != nil {
		return nil, err
	}
	v.cache.SetDigest(key, info, jwtMinTime(info.ExpiresAt, v.opts.clock().Add(v.cacheTTL)))
	return info, nil
}

// jwtB64 decodes base64url without padding and refuses non-zero padding
// bits, so that each token has exactly one encoding.
var jwtB64 = base64.RawURLEncoding.Strict()

// Causes of structural failures, for logs.
var (
	errNotCompactJWS   = errors.New("not a compact JWS with three non-empty parts")
	errHeaderBase64    = errors.New("header is not base64url")
	errPayloadBase64   = errors.New("payload is not base64url")
	errSignatureBase64 = errors.New("signature is not base64url")
	errHeaderType      = errors.New(`"alg", "kid", "typ" or "cty" is not a string`)
)

// jwtHeader is the part of the JOSE header the verifier reads.
type jwtHeader struct {
	alg, kid, typ, cty string
	crit               bool // "crit" is present
}

// jwtSplit finds the two dots of a compact JWS: three non-empty parts, and
// no CR or LF, which the base64 decoder would skip.
func jwtSplit(token string) (dot1, dot2 int, ok bool) {
	dot1 = strings.IndexByte(token, '.')
	dot2 = strings.LastIndexByte(token, '.')
	ok = dot1 > 0 && dot2 > dot1+1 && dot2 < len(token)-1 &&
		strings.IndexByte(token[dot1+1:dot2], '.') < 0 &&
		strings.IndexByte(token, '\n') < 0 && strings.IndexByte(token, '\r') < 0
	return dot1, dot2, ok
}

// split checks that token is a compact JWS, then verifies it.
func (v *JWTVerifier) split(ctx context.Context, token string) (*AuthInfo, error) {
	dot1, dot2, ok := jwtSplit(token)
	if !ok {
		return nil, InvalidToken("the token is malformed", errNotCompactJWS)
	}
	return v.verify(ctx, token, dot1, dot2)
}

// verify checks a token that is not in the cache; dot1 and dot2 are from
// jwtSplit.
func (v *JWTVerifier) verify(ctx context.Context, token string, dot1, dot2 int) (*AuthInfo, error) {
	headerB64, payloadB64, sigB64 := token[:dot1], token[dot1+1:dot2], token[dot2+1:]

	// The header first, in a buffer of its own, so that a token with a
	// refused algorithm costs no more decoding. Strings read from the
	// header and claims share the buffers' memory, so the buffers are never
	// written after decoding.
	hdrBuf := make([]byte, jwtB64.DecodedLen(len(headerB64)))
	n, err := jwtB64.Decode(hdrBuf, jwtBytes(headerB64))
	if err != nil {
		return nil, InvalidToken("the token is malformed", errHeaderBase64)
	}
	hdr, err := jwtParseHeader(unsafe.String(unsafe.SliceData(hdrBuf), n))
	if err != nil {
		return nil, InvalidToken("the token is malformed", err)
	}
	alg, ierr := v.checkHeader(&hdr)
	if ierr != nil {
		return nil, ierr
	}

	// Then the claims.
	payload := make([]byte, jwtB64.DecodedLen(len(payloadB64)))
	n, err = jwtB64.Decode(payload, jwtBytes(payloadB64))
	if err != nil {
		return nil, InvalidToken("the token is malformed", errPayloadBase64)
	}
	claimsJSON := unsafe.String(unsafe.SliceData(payload), n)
	// A glance at "iss" first: a token from an untrusted issuer is refused
	// before its claims are decoded (checkClaims checks "iss" for real).
	// The glance also counts the claims, to size the map.
	iss, ok, members := jwtPeek(claimsJSON, "iss")
	if _, trusted := v.issuers[iss]; ok && !trusted {
		return nil, NewError(CodeInvalidIssuer, "the token's issuer is not trusted", nil)
	}
	claims, err := jwtDecodeObject(claimsJSON, members)
	if err != nil {
		return nil, InvalidToken("the token is malformed", fmt.Errorf("claims: %w", err))
	}
	info, keys, ierr := v.checkClaims(token, claims)
	if ierr != nil {
		return nil, ierr
	}

	// The signature is used only here: on the stack, unless it is larger
	// than any RSA-4096 signature.
	var sigBuf [512]byte
	var sig []byte
	if sLen := jwtB64.DecodedLen(len(sigB64)); sLen <= len(sigBuf) {
		sig = sigBuf[:sLen]
	} else {
		sig = make([]byte, sLen)
	}
	n, err = jwtB64.Decode(sig, jwtBytes(sigB64))
	if err != nil {
		return nil, InvalidToken("the token is malformed", errSignatureBase64)
	}
	sig = sig[:n]

	// Only now, for a token that could be valid, look for keys, which may
	// mean a fetch.
	candidates, err := keys.keys(ctx, hdr.kid, alg)
	if err != nil {
		return nil, err
	}
	signingInput := jwtBytes(token[:dot2])
	tried := 0
	for _, k := range candidates {
		if !k.usableFor(alg) {
			continue
		}
		if alg.verify(k.pub, signingInput, sig) {
			return info, nil
		}
		if tried++; tried == jwtMaxCandidateKeys {
			break
		}
	}
	return nil, InvalidToken("the token's signature is invalid", nil)
}

// jwtBytes views s as a byte slice without copying it. Only for callees
// that read their input and do not keep it: base64 decoding, hashing,
// signature checks.
func jwtBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// jwtParseHeader decodes the JOSE header, a JSON object. "alg", "kid",
// "typ" and "cty" must be strings when present; a duplicate keeps the last
// value, like any member. Other members are decoded only to be skipped.
func jwtParseHeader(s string) (jwtHeader, error) {
	var h jwtHeader
	d := jwtJSON{s: s}
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '{' {
		return h, errJSONObject
	}
	err := d.members(func(name string) error {
		var dst *string
		switch name {
		case "alg":
			dst = &h.alg
		case "kid":
			dst = &h.kid
		case "typ":
			dst = &h.typ
		case "cty":
			dst = &h.cty
		default:
			h.crit = h.crit || name == "crit"
			_, err := d.value()
			return err
		}
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return errHeaderType
		}
		var err error
		*dst, err = d.string()
		return err
	})
	if err != nil {
		return jwtHeader{}, fmt.Errorf("header: %w", err)
	}
	d.space()
	if d.i != len(d.s) {
		return jwtHeader{}, fmt.Errorf("header: %w", errJSONSyntax)
	}
	return h, nil
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
	if want := v.opts.tokenType; want != "" {
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
	iss, ok := claims["iss"].(string)
	if !ok {
		return nil, nil, NewError(CodeInvalidIssuer, "the token's issuer is missing or malformed", errClaimIssuer)
	}
	keys, ok := v.issuers[iss]
	if !ok {
		return nil, nil, NewError(CodeInvalidIssuer, "the token's issuer is not trusted", nil)
	}
	exp, ierr := jwtTimes(claims, v.opts.clock(), v.opts.leeway)
	if ierr != nil {
		return nil, nil, ierr
	}
	aud, err := jwtAudience(claims)
	if err != nil {
		return nil, nil, NewError(CodeInvalidAudience, "the token's audience is malformed", err)
	}
	if !jwtAudienceAccepted(aud, v.opts.audience, v.opts.trailingSlashAud) {
		return nil, nil, NewError(CodeInvalidAudience, "the token is not meant for this resource", errClaimAudience)
	}
	sub, ok := claims["sub"].(string)
	if !ok || sub == "" {
		return nil, nil, InvalidToken("the token has no subject", errClaimSubject)
	}
	scopes, err := jwtScopes(claims, v.opts.scopeClaim)
	if err != nil {
		return nil, nil, InvalidToken("the token's scopes are malformed", err)
	}
	clientID, err := jwtClientID(claims, v.opts.clientIDClaims)
	if err != nil {
		return nil, nil, InvalidToken("the token's client ID is malformed", err)
	}
	return &AuthInfo{
		Token:     token,
		Issuer:    iss,
		Subject:   sub,
		ClientID:  clientID,
		Audience:  aud,
		Scopes:    scopes,
		ExpiresAt: exp,
		Claims:    claims,
	}, keys, nil
}

func jwtMinTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

package bearer

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// This file is the token policy: each rule a token must pass is written
// here once, and the verifiers and the middleware call it. The rules read
// claims that may not be authentic yet (the JWT verifier checks some before
// the signature, so that a refused token costs no signature check): they
// only read, and their errors never contain a claim's value.

// Causes of claim failures, for logs; they never contain claim values.
var (
	errClaimNoExp     = errors.New(`"exp" claim missing`)
	errClaimDate      = errors.New("date claim is not a number of seconds within ±2^40")
	errClaimExpired   = errors.New(`"exp" is in the past`)
	errClaimNotBefore = errors.New(`"nbf" is in the future`)
	errClaimIssuedAt  = errors.New(`"iat" is in the future`)
	errClaimAudType   = errors.New(`"aud" claim is neither a string nor an array of strings`)
	errClaimIssuer    = errors.New(`"iss" claim missing or not a string`)
	errClaimSubject   = errors.New(`"sub" claim missing or not a string`)
	errClaimScope     = errors.New("scope claim is neither a string nor an array of strings")
	errClaimClientID  = errors.New("client ID claim is not a string")
	errClaimString    = errors.New("claim is not a string")
)

// maxNumericDate bounds NumericDate values (about year 36812): beyond it a
// date is nonsense, and time.Time arithmetic would overflow.
const maxNumericDate = 1 << 40

// numericDate reads a NumericDate (RFC 7519 section 2): a JSON number of
// seconds since the epoch, possibly fractional, as decoded by encoding/json
// (float64, or json.Number with UseNumber).
func numericDate(v any) (time.Time, error) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, errClaimDate
		}
	default:
		return time.Time{}, errClaimDate
	}
	if math.IsNaN(f) || math.Abs(f) > maxNumericDate {
		return time.Time{}, errClaimDate
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// claimTime reads the NumericDate claim name; the zero time when absent.
func claimTime(claims map[string]any, name string) (time.Time, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, nil
	}
	return numericDate(v)
}

// checkTimes applies the validity window at now, tolerating leeway of clock
// skew: exp must not have passed, nbf and iat must not be in the future. A
// zero time is an absent claim and passes (whether "exp" is required is the
// caller's rule).
func checkTimes(now time.Time, leeway time.Duration, exp, nbf, iat time.Time) *Error {
	switch {
	case !exp.IsZero() && !now.Before(exp.Add(leeway)):
		return InvalidToken("the access token has expired", errClaimExpired)
	case !nbf.IsZero() && now.Add(leeway).Before(nbf):
		return InvalidToken("the access token is not valid yet", errClaimNotBefore)
	case !iat.IsZero() && now.Add(leeway).Before(iat):
		return InvalidToken("the access token was issued in the future", errClaimIssuedAt)
	}
	return nil
}

// audienceMatches reports whether aud names one of resources, compared
// exactly, or, with trailingSlash, one of resources followed by a single
// "/" ([InsecureAllowTrailingSlashAudience]).
func audienceMatches(aud, resources []string, trailingSlash bool) bool {
	for _, a := range aud {
		if slices.Contains(resources, a) {
			return true
		}
		if trailingSlash && strings.HasSuffix(a, "/") && slices.Contains(resources, a[:len(a)-1]) {
			return true
		}
	}
	return false
}

// claimAudience reads "aud": a string or an array of strings (RFC 7519
// section 4.1.3). An absent claim gives nil, ok.
func claimAudience(claims map[string]any) ([]string, error) {
	v, present := claims["aud"]
	if !present {
		return nil, nil
	}
	aud, ok := claimStrings(v, false)
	if !ok {
		return nil, errClaimAudType
	}
	return aud, nil
}

// claimScopes reads the scopes from the claim name, or when name is empty
// from "scope" (RFC 9068), then "scp" (Okta, Entra ID), then "scopes"
// (what mcp-auth reads too). A string is split on spaces (RFC 6749
// section 3.3); an array must hold strings. No scope claim gives nil (what
// that means is the caller's: no scopes for a JWT, unknown for an
// introspection response).
func claimScopes(claims map[string]any, name string) ([]string, error) {
	names := defaultScopeClaims
	if name != "" {
		names = []string{name}
	}
	for _, n := range names {
		if v, ok := claims[n]; ok {
			scopes, valid := claimStrings(v, true)
			if !valid {
				return nil, errClaimScope
			}
			return scopes, nil
		}
	}
	return nil, nil
}

// defaultScopeClaims are the claims scopes are read from, in order, when
// no scope claim is configured.
var defaultScopeClaims = []string{"scope", "scp", "scopes"}

// claimStrings reads a string or an array of strings. A string is split on
// spaces when split is true, and taken whole otherwise. The result is never
// nil when ok.
func claimStrings(v any, split bool) ([]string, bool) {
	switch v := v.(type) {
	case string:
		if split {
			if f := strings.Fields(v); f != nil {
				return f, true
			}
			return []string{}, true
		}
		return []string{v}, true
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	default:
		return nil, false
	}
}

// claimClientID returns the first non-empty string among the claims names.
func claimClientID(claims map[string]any, names []string) (string, error) {
	for _, n := range names {
		switch v := claims[n].(type) {
		case nil:
		case string:
			if v != "" {
				return v, nil
			}
		default:
			return "", errClaimClientID
		}
	}
	return "", nil
}

// claimString reads the string claim name: "" when absent or null, an
// error when it has another type.
func claimString(claims map[string]any, name string) (string, error) {
	switch v := claims[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", errClaimString
	}
}

// tokenClaims is what the verifiers read from a claims set, whatever
// carried it (a JWT payload, an introspection response), by the rules
// above.
type tokenClaims struct {
	issuer, subject, clientID string
	audience, scopes          []string // audience nil when absent
	exp, nbf, iat             time.Time
}

// readClaims reads the registered claims, the scopes and the client ID of
// claims, with the claim names s configures. A member of the wrong type is
// an *Error for the token (the JWT verifier) or the provider (the
// introspection verifier decides: see malformed).
func readClaims(claims map[string]any, s *settings) (tokenClaims, string, error) {
	var c tokenClaims
	var err error
	if c.issuer, err = claimString(claims, "iss"); err != nil {
		return c, "iss", errClaimIssuer
	}
	if c.subject, err = claimString(claims, "sub"); err != nil {
		return c, "sub", errClaimSubject
	}
	if c.audience, err = claimAudience(claims); err != nil {
		return c, "aud", err
	}
	if c.scopes, err = claimScopes(claims, s.scopeClaim); err != nil {
		return c, "scope", err
	}
	if c.clientID, err = claimClientID(claims, s.clientIDClaims); err != nil {
		return c, "client_id", err
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"exp", &c.exp}, {"nbf", &c.nbf}, {"iat", &c.iat}} {
		if *t.dst, err = claimTime(claims, t.name); err != nil {
			return c, t.name, err
		}
	}
	return c, "", nil
}

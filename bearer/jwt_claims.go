package bearer

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// This file reads the registered claims (RFC 7519 section 4.1, RFC 9068
// section 2.2) and the scope and client claims of a decoded claims set, and
// applies the time and audience rules. Every function works on claims that
// are not yet known to be authentic: it only reads, and its failures are
// reported without any claim value in them.

// defaultClientIDClaims are read in order for the client ID: RFC 9068's
// client_id, OIDC's azp, Okta's cid, Entra ID v1's appid.
var defaultClientIDClaims = []string{"client_id", "azp", "cid", "appid"}

// Causes of claim failures, for logs; they never contain claim values.
var (
	errClaimIssuer    = errors.New(`"iss" claim missing or not a string`)
	errClaimNoExp     = errors.New(`"exp" claim missing`)
	errClaimDate      = errors.New("date claim is not a number")
	errClaimExpired   = errors.New(`"exp" is in the past`)
	errClaimNotBefore = errors.New(`"nbf" is in the future`)
	errClaimIssuedAt  = errors.New(`"iat" is in the future`)
	errClaimAudType   = errors.New(`"aud" claim is neither a string nor an array of strings`)
	errClaimAudience  = errors.New(`"aud" does not contain an accepted resource`)
	errClaimSubject   = errors.New(`"sub" claim missing or not a string`)
	errClaimScope     = errors.New("scope claim is neither a string nor an array of strings")
	errClaimClientID  = errors.New("client ID claim is not a string")
)

// jwtMaxUnixSeconds caps numeric dates (year 33658): larger values would
// overflow time.Time's arithmetic, and mean "never" anyway.
const jwtMaxUnixSeconds = 1 << 40

// jwtNumericDate reads the NumericDate claim name (RFC 7519 section 2): a
// JSON number of seconds since the epoch, possibly fractional. ok is false
// when the claim is absent; a present claim that is not a number is an
// error.
func jwtNumericDate(claims map[string]any, name string) (t time.Time, ok bool, err error) {
	v, present := claims[name]
	if !present {
		return time.Time{}, false, nil
	}
	f, isNum := v.(float64)
	if !isNum {
		return time.Time{}, false, errClaimDate
	}
	f = math.Max(math.Min(f, jwtMaxUnixSeconds), -jwtMaxUnixSeconds)
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// jwtTimes applies exp (required), nbf and iat at now, tolerating leeway of
// clock skew, and returns the expiry.
func jwtTimes(claims map[string]any, now time.Time, leeway time.Duration) (exp time.Time, err *Error) {
	exp, ok, perr := jwtNumericDate(claims, "exp")
	switch {
	case perr != nil:
		return exp, InvalidToken("the token's expiry is malformed", perr)
	case !ok:
		return exp, InvalidToken("the token has no expiry", errClaimNoExp)
	case !now.Before(exp.Add(leeway)):
		return exp, InvalidToken("the token has expired", errClaimExpired)
	}
	nbf, ok, perr := jwtNumericDate(claims, "nbf")
	switch {
	case perr != nil:
		return exp, InvalidToken("the token's not-before time is malformed", perr)
	case ok && now.Add(leeway).Before(nbf):
		return exp, InvalidToken("the token is not valid yet", errClaimNotBefore)
	}
	iat, ok, perr := jwtNumericDate(claims, "iat")
	switch {
	case perr != nil:
		return exp, InvalidToken("the token's issue time is malformed", perr)
	case ok && now.Add(leeway).Before(iat):
		return exp, InvalidToken("the token was issued in the future", errClaimIssuedAt)
	}
	return exp, nil
}

// jwtAudience reads "aud": a string or an array of strings (RFC 7519
// section 4.1.3). An absent claim gives an empty, non-nil list.
func jwtAudience(claims map[string]any) ([]string, error) {
	switch v := claims["aud"].(type) {
	case nil:
		if _, present := claims["aud"]; present {
			return nil, errClaimAudType
		}
		return []string{}, nil
	case string:
		return []string{v}, nil
	case []any:
		return jwtStrings(v, errClaimAudType)
	default:
		return nil, errClaimAudType
	}
}

// jwtAudienceAccepted reports whether aud names one of accepted, compared
// exactly, or, with trailingSlash, one of accepted followed by a single "/"
// (the middleware's InsecureAllowTrailingSlashAudience). An empty accepted
// list accepts any audience.
func jwtAudienceAccepted(aud, accepted []string, trailingSlash bool) bool {
	if len(accepted) == 0 {
		return true
	}
	for _, a := range aud {
		if slices.Contains(accepted, a) {
			return true
		}
		if trailingSlash && strings.HasSuffix(a, "/") && slices.Contains(accepted, a[:len(a)-1]) {
			return true
		}
	}
	return false
}

// jwtScopes reads the scopes from the claim name, or from "scope" and then
// "scp" when name is empty. A string value is split on spaces (RFC 6749
// section 3.3); an array must hold strings. No scope claim gives an empty,
// non-nil list: the token was granted no scopes.
func jwtScopes(claims map[string]any, name string) ([]string, error) {
	v, ok := claims[name]
	if name == "" {
		if v, ok = claims["scope"]; !ok {
			v, ok = claims["scp"]
		}
	}
	if !ok {
		return []string{}, nil
	}
	switch v := v.(type) {
	case string:
		return strings.Fields(v), nil
	case []any:
		return jwtStrings(v, errClaimScope)
	default:
		return nil, errClaimScope
	}
}

// jwtClientID returns the first non-empty string among the claims names.
func jwtClientID(claims map[string]any, names []string) (string, error) {
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

// jwtStrings converts a JSON array of strings.
func jwtStrings(a []any, errType error) ([]string, error) {
	out := make([]string, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, errType
		}
		out[i] = s
	}
	return out, nil
}

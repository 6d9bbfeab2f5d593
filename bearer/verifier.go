package bearer

import (
	"context"
	"reflect"
)

// Verifier checks a bearer token and returns what it proves: that the token
// is authentic (signed by a trusted issuer's key, or vouched for by the
// issuer's userinfo or introspection endpoint) and what it says (issuer,
// subject, audience, scopes, expiry, claims).
//
// The verifier establishes authenticity; the middleware ([Authenticator])
// then decides whether this resource accepts the token: the issuer
// ([WithIssuers]), the audience ([WithAudience]) and the required scopes
// are checked there, once, whatever verified the token. So a Verifier must
// report what it knows faithfully:
//
//   - Issuer: the token's issuer. With [WithIssuers] configured (mcpauth
//     always configures it), an AuthInfo with an empty or other Issuer is
//     refused with 401 invalid_issuer. Custom verifiers must set it.
//   - Audience: the resources the token was issued for; nil when the
//     verifier cannot know (an opaque token checked at userinfo). With
//     [WithAudience] configured, a nil Audience is refused unless
//     [InsecureAcceptUnboundTokens] says otherwise, and a non-nil one must
//     name the resource.
//   - Scopes: nil when unknown; such a token passes no scope check.
//   - ExpiresAt: the expiry, zero when unknown. The middleware refuses a
//     token whose reported expiry has passed, unless the verifier is one of
//     this package's, which check the token's times themselves.
//
// Verify must return an error for which errors.Is(err, [ErrInvalidToken]) is
// true when the token itself is bad (unknown, expired, badly signed, revoked),
// and one for which errors.Is(err, [ErrProviderUnavailable]) is true when the
// token could not be checked because the authorization server or its keys
// could not be reached. The middleware answers the first with 401 and the
// second with 503; any other error becomes a 500, since the middleware cannot
// tell whose fault it was. The [*Error] constructors [InvalidToken] and
// [ProviderUnavailable] build such errors.
//
// Implementations must be safe for concurrent use and must honour ctx. The
// AuthInfo returned may be shared by every request with the same token (a
// cache): nobody modifies it after Verify returns.
type Verifier interface {
	Verify(ctx context.Context, token string) (*AuthInfo, error)
}

// VerifierFunc adapts an ordinary function to the [Verifier] interface. The
// function must fill in Issuer (see [Verifier]) and should fill in
// Audience, Scopes and ExpiresAt when it knows them; the middleware logs,
// once, a warning when every request is being refused because a field is
// missing. See the package's ExampleVerifierFunc for an API key accepted
// beside JWT access tokens.
type VerifierFunc func(ctx context.Context, token string) (*AuthInfo, error)

// Verify calls f(ctx, token).
func (f VerifierFunc) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	return f(ctx, token)
}

// verifierTraits is what the verifiers of this package tell the middleware
// about themselves, so that it applies each rule once and refuses, at
// construction, a configuration that would refuse every token.
type verifierTraits interface {
	// checksTimes reports whether every AuthInfo the verifier returns has
	// passed checkTimes (the middleware then does not check again).
	checksTimes() bool
	// knowsAudience reports whether the verifier reports a token's
	// audience (a nil Audience means "none", not "unknown").
	knowsAudience() bool
}

// traitsOf returns v's traits: those of this package's verifiers, or "does
// not check times, knows the audience if it says so" for any other (a
// custom verifier's nil Audience is then refused unless the caller opts
// in).
func traitsOf(v Verifier) (checksTimes, knowsAudience bool) {
	if t, ok := v.(verifierTraits); ok {
		return t.checksTimes(), t.knowsAudience()
	}
	return false, true
}

// isNilVerifier reports whether v is nil or an interface holding a nil
// pointer (or other nil-able kind), which would panic on its first Verify.
func isNilVerifier(v Verifier) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

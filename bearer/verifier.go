package bearer

import "context"

// Verifier checks a bearer token and returns what it proves.
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
// Implementations must be safe for concurrent use and must honour ctx.
type Verifier interface {
	Verify(ctx context.Context, token string) (*AuthInfo, error)
}

// VerifierFunc adapts an ordinary function to the [Verifier] interface.
type VerifierFunc func(ctx context.Context, token string) (*AuthInfo, error)

// Verify calls f(ctx, token).
func (f VerifierFunc) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	return f(ctx, token)
}

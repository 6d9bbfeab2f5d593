package gosdk

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/mcp-auth/go/bearer"
)

// errNoAuthInfo is what the SDK middleware's verifier returns if it ever runs
// without a verified AuthInfo in the context: a wiring mistake, answered by
// the SDK with 500, never a 401 that would send a client to log in again.
var errNoAuthInfo = errors.New("gosdk: no verified AuthInfo in the request context; the SDK middleware must run inside the bearer.Authenticator's handler")

// Middleware returns middleware for the Go SDK's HTTP handlers (such as
// [github.com/modelcontextprotocol/go-sdk/mcp.NewStreamableHTTPHandler])
// that authenticates every request with authn and hands the verified caller
// to the SDK, where handlers find it in req.Extra.TokenInfo (read the full
// [bearer.AuthInfo] back with [AuthInfo]) and plain HTTP handlers with
// [auth.TokenInfoFromContext] or [bearer.FromContext].
//
// authn is in charge of every refusal: a request without a token, with a
// token authn rejects, without the required scopes, or while the
// authorization server is unreachable gets authn's own answer (401 with the
// resource_metadata challenge, 401 invalid_token, 403 insufficient_scope,
// 503), exactly as from [bearer.Authenticator.Handler], and never reaches
// the SDK. The token is verified once, by authn.
//
// The request authn accepts then goes through the SDK's
// [auth.RequireBearerToken], which is the only way to put a TokenInfo where
// the SDK's transports read it. Its verifier converts the AuthInfo that
// authn put in the context with [TokenInfo]; it never verifies the token
// again. The SDK middleware is configured so that it cannot refuse what
// authn accepted: no required scopes (authn checks them, with scope
// hierarchies), no expiry check of its own (authn's decision stands, with
// its clock leeway, and tokens whose expiry the verifier cannot learn pass).
//
// Requests that authn lets through without authentication (CORS preflights:
// OPTIONS) reach next without a TokenInfo; next must not serve protected
// data to them (the SDK's streamable handler answers OPTIONS with 405).
//
// Session binding is the SDK's: its streamable transport refuses with 403 a
// request whose TokenInfo.UserID (the subject) differs from that of the
// request that opened the session.
//
// Middleware panics if authn is nil, and the returned function panics if
// next is nil: wiring mistakes, found when the server is put together.
func Middleware(authn *bearer.Authenticator) func(http.Handler) http.Handler {
	if authn == nil {
		panic("gosdk: Middleware called with a nil *bearer.Authenticator")
	}
	handOver := auth.RequireBearerToken(tokenInfoFromContext, &auth.RequireBearerTokenOptions{
		// authn decided on the expiry (with its leeway); an unknown expiry
		// (userinfo) is authn's policy too.
		AllowMissingExpiration: true,
		ClockSkew:              time.Duration(math.MaxInt64),
	})
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("gosdk: Middleware called with a nil http.Handler")
		}
		withTokenInfo := handOver(next)
		return authn.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := bearer.FromContext(r.Context()); !ok {
				// authn let it through unauthenticated (a preflight):
				// the SDK middleware would refuse it with a 401 of its
				// own, so it goes on as authn decided.
				next.ServeHTTP(w, r)
				return
			}
			withTokenInfo.ServeHTTP(w, r)
		}))
	}
}

// tokenInfoFromContext is the SDK middleware's [auth.TokenVerifier]: it
// ignores the token, which authn has verified, and converts authn's result.
func tokenInfoFromContext(ctx context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
	info, ok := bearer.FromContext(ctx)
	if !ok {
		return nil, errNoAuthInfo
	}
	return TokenInfo(info), nil
}

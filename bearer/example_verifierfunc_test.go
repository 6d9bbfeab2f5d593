package bearer_test

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// A custom verifier: machine clients send an API key, which the server
// checks itself, beside JWT access tokens checked by the JWT verifier. A
// VerifierFunc must fill in Issuer (the middleware refuses a token from an
// issuer it does not accept, and an empty one with it) and the Audience it
// vouches for (a nil Audience is refused when an audience is configured,
// unless bearer.InsecureAcceptUnboundTokens is given). When a field is
// missing, every request is refused and the middleware says why, once, in
// a warning.
func ExampleVerifierFunc() {
	const (
		resource  = "https://mcp.example.com/mcp"
		apiKeys   = "https://mcp.example.com/api-keys" // the "issuer" of API keys
		keyPrefix = "mcpk_"
	)
	// The API keys, by SHA-256, as a database would keep them.
	known := map[[32]byte]string{sha256.Sum256([]byte("mcpk_9f2c1e")): "build-bot"}

	apiKeyVerifier := bearer.VerifierFunc(func(_ context.Context, token string) (*bearer.AuthInfo, error) {
		sum := sha256.Sum256([]byte(token))
		for k, owner := range known {
			if subtle.ConstantTimeCompare(k[:], sum[:]) == 1 {
				return &bearer.AuthInfo{
					Issuer:    apiKeys,
					Subject:   owner,
					Audience:  []string{resource}, // keys are issued for this server only
					Scopes:    []string{"tools:read"},
					ExpiresAt: time.Now().Add(time.Hour),
				}, nil
			}
		}
		return nil, bearer.InvalidToken("unknown API key", nil)
	})
	// JWTs would go to a *bearer.JWTVerifier; this example has none.
	jwtVerifier := bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
		return nil, bearer.InvalidToken("no JWT verifier in this example", nil)
	})
	both := bearer.VerifierFunc(func(ctx context.Context, token string) (*bearer.AuthInfo, error) {
		if strings.HasPrefix(token, keyPrefix) {
			return apiKeyVerifier(ctx, token)
		}
		return jwtVerifier(ctx, token)
	})

	authn, err := bearer.New(both,
		bearer.WithIssuers(apiKeys, "https://auth.example.com"),
		bearer.WithAudience(resource),
		bearer.WithRequiredScopes("tools:read"))
	if err != nil {
		panic(err)
	}
	h := authn.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := bearer.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", info.Subject)
	}))
	for _, token := range []string{"mcpk_9f2c1e", "mcpk_unknown"} {
		req := httptest.NewRequest(http.MethodPost, resource, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 hello build-bot
	// 401 {"error":"invalid_token","error_description":"The access token is invalid or has expired."}
}

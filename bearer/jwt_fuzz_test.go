package bearer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// FuzzJWTVerify feeds arbitrary strings to a verifier with static keys: it
// must never panic, must refuse everything but the one valid seed token, and
// must refuse with a 401 *Error whose description does not echo the input.
func FuzzJWTVerify(f *testing.F) {
	clock := newJWTClock()
	key := jwtNewKey(f, "ES256", "k")
	valid := jwtSign(f, key, jwtClaimsAt(clock.Now()), nil)
	v, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: jwtTestIssuer}},
		WithStaticKeys(jwtTestIssuer, jwtJWKS(key)), WithClock(clock.Now), WithCacheTTL(0))
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid, parts[0] + "." + parts[1] + ".", parts[0] + ".." + parts[2], valid + ".x.y", "a.b.c", "",
		jwtB64url([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		jwtB64url([]byte(`{"alg":"ES256","crit":["x"]}`)) + "." + parts[1] + "." + parts[2],
		jwtB64url([]byte(`{"alg":"ES256"}`)) + "." + jwtB64url([]byte(`{"iss":"`+jwtTestIssuer+`","exp":1e400}`)) + "." + parts[2],
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		info, err := v.Verify(context.Background(), token)
		if err == nil {
			if token != valid || info == nil {
				t.Fatalf("accepted %q", token)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusUnauthorized || !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("error %v is not a 401 invalid token", err)
		}
		if len(token) >= 8 && strings.Contains(e.Description, token) {
			t.Fatalf("description %q echoes the token", e.Description)
		}
	})
}

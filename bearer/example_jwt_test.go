package bearer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/mcp-auth/go/bearer"
)

// ExampleNewJWTVerifier verifies an RFC 9068 access token against the key
// set an authorization server publishes at its jwks_uri. Here the
// authorization server is played by an httptest server and a key made on
// the spot.
func ExampleNewJWTVerifier() {
	// The authorization server's signing key and its public JWK Set.
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	signingKey, _ := jwk.Import(priv)
	signingKey.Set(jwk.KeyIDKey, "key-1")
	publicKey, _ := signingKey.PublicKey()
	publicKey.Set(jwk.AlgorithmKey, jwa.ES256())
	keySet := jwk.NewSet()
	keySet.AddKey(publicKey)
	jwks, _ := json.Marshal(keySet)

	as := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(jwks)
	}))
	defer as.Close()

	// The resource server trusts this issuer's keys.
	const resource = "https://mcp.example.com/mcp"
	verifier, err := bearer.NewJWTVerifier(context.Background(),
		[]bearer.TrustedIssuer{{Issuer: as.URL, JWKSURI: as.URL + "/jwks"}},
		bearer.WithAlgorithms("ES256"),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer verifier.Close()

	// A token the authorization server issued for the resource.
	mint := func(audience string) string {
		tok, _ := jwt.NewBuilder().
			Issuer(as.URL).
			Subject("user-123").
			Audience([]string{audience}).
			Expiration(time.Now().Add(time.Hour)).
			Claim("client_id", "agent-7").
			Claim("scope", "read:tools write:tools").
			Build()
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), signingKey))
		if err != nil {
			log.Fatal(err)
		}
		return string(signed)
	}

	info, err := verifier.Verify(context.Background(), mint(resource))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("subject:", info.Subject)
	fmt.Println("client:", info.ClientID)
	fmt.Println("scopes:", info.Scopes)
	fmt.Println("audience:", info.Audience)

	// The verifier proves tokens authentic; the middleware decides whether
	// this resource accepts them. A token for another resource is refused:
	// 401 invalid_token.
	authn, err := bearer.New(verifier, bearer.WithAudience(resource), bearer.WithIssuers(as.URL))
	if err != nil {
		log.Fatal(err)
	}
	_, err = authn.AuthenticateToken(context.Background(), mint("https://other.example.com"))
	var e *bearer.Error
	if errors.As(err, &e) {
		fmt.Println("refused:", e.Status, e.Code, errors.Is(err, bearer.ErrInvalidToken))
	}
	// Output:
	// subject: user-123
	// client: agent-7
	// scopes: [read:tools write:tools]
	// audience: [https://mcp.example.com/mcp]
	// refused: 401 invalid_audience true
}

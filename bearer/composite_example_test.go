package bearer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mcp-auth/go/bearer"
)

func ExampleNewCompositeVerifier() {
	userinfo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"sub":"user-42"}`)
	}))
	defer userinfo.Close()

	opaque, err := bearer.NewUserinfoVerifier("https://auth.example.com/oidc", userinfo.URL+"/oidc/me")
	if err != nil {
		fmt.Println(err)
		return
	}
	// In a real server this is the JWT verifier, which checks the token's
	// signature against the provider's JWKS.
	jwt := bearer.VerifierFunc(func(ctx context.Context, token string) (*bearer.AuthInfo, error) {
		return &bearer.AuthInfo{Subject: "from-jwt"}, nil
	})
	v, err := bearer.NewCompositeVerifier(jwt, opaque)
	if err != nil {
		fmt.Println(err)
		return
	}

	// {"alg":"ES384"} . {"sub":"user-42"} . signature
	jws := "eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl"
	for _, token := range []string{jws, "kR9_ds0Hq4yS2Pj-7bXfQeTzL1mNcVwA"} {
		info, err := v.Verify(context.Background(), token)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(info.Subject)
	}
	// Output:
	// from-jwt
	// user-42
}

package bearer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mcp-auth/go/bearer"
)

func ExampleNewUserinfoVerifier() {
	// A stand-in for the provider's userinfo endpoint.
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer opaque-token-123" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"sub":"user-42","name":"Ann"}`)
	}))
	defer provider.Close()

	v, err := bearer.NewUserinfoVerifier("https://auth.example.com/oidc", provider.URL+"/oidc/me")
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := v.Verify(context.Background(), "opaque-token-123")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.Subject, info.Claims["name"], info.Audience == nil)

	_, err = v.Verify(context.Background(), "revoked-token")
	fmt.Println(errors.Is(err, bearer.ErrInvalidToken))
	// Output:
	// user-42 Ann true
	// true
}

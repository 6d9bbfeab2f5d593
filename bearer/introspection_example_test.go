package bearer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mcp-auth/go/bearer"
)

func ExampleNewIntrospectionVerifier() {
	// A stand-in for the provider's RFC 7662 introspection endpoint.
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, ok := r.BasicAuth(); !ok || id != "mcp-server" || secret != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostFormValue("token") != "opaque-token-123" {
			fmt.Fprint(w, `{"active":false}`)
			return
		}
		fmt.Fprintf(w, `{"active":true,"sub":"user-42","client_id":"agent","scope":"whoami:read","aud":"https://mcp.example.com/mcp","exp":%d}`,
			time.Now().Add(time.Hour).Unix())
	}))
	defer provider.Close()

	v, err := bearer.NewIntrospectionVerifier("https://auth.example.com", provider.URL+"/introspect",
		bearer.ClientCredentials{ClientID: "mcp-server", ClientSecret: "s3cret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := v.Verify(context.Background(), "opaque-token-123")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.Subject, info.ClientID, info.Scopes, info.Audience)

	_, err = v.Verify(context.Background(), "revoked-token")
	fmt.Println(errors.Is(err, bearer.ErrInvalidToken))
	// Output:
	// user-42 agent [whoami:read] [https://mcp.example.com/mcp]
	// true
}

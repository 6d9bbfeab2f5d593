package bearer_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mcp-auth/go/bearer"
)

// exampleVerifier accepts one token; a real server uses the JWT, userinfo or
// introspection verifier.
var exampleVerifier = bearer.VerifierFunc(func(ctx context.Context, token string) (*bearer.AuthInfo, error) {
	switch token {
	case "read-token":
		return &bearer.AuthInfo{Subject: "alice", ClientID: "agent", Scopes: []string{"whoami:read"}}, nil
	case "admin-token":
		return &bearer.AuthInfo{Subject: "root", ClientID: "agent", Scopes: []string{"whoami:admin"}}, nil
	}
	return nil, bearer.InvalidToken("unknown token", nil)
})

func ExampleMiddleware() {
	whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := bearer.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", info.Subject)
	})
	protect := bearer.Middleware(exampleVerifier,
		bearer.WithRequiredScopes("whoami:read"),
		bearer.WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"),
	)
	srv := httptest.NewServer(protect(whoami))
	defer srv.Close()

	for _, token := range []string{"", "read-token"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
		if c := resp.Header.Get("WWW-Authenticate"); c != "" {
			fmt.Println(c)
		} else {
			fmt.Println(string(body))
		}
	}
	// Output:
	// 401
	// Bearer scope="whoami:read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	// 200
	// hello alice
}

func ExampleFromContext() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, ok := bearer.FromContext(r.Context())
		if !ok {
			http.Error(w, "not authenticated", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "subject=%s client=%s scopes=%s", info.Subject, info.ClientID, strings.Join(info.Scopes, " "))
	})
	protected := bearer.Middleware(exampleVerifier)(handler)

	req := httptest.NewRequest(http.MethodGet, "/whoami", nil)
	req.Header.Set("Authorization", "Bearer read-token")
	rec := httptest.NewRecorder()
	protected.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// subject=alice client=agent scopes=whoami:read
}

// A step-up gate: every request needs whoami:read, and the admin operation
// also needs whoami:admin, which implies whoami:read. The 403 challenge
// names every scope the call needs.
func ExampleAuthenticator_CheckScopes() {
	auth, err := bearer.New(exampleVerifier,
		bearer.WithRequiredScopes("whoami:read"),
		bearer.WithScopeHierarchy(map[string][]string{"whoami:admin": {"whoami:read"}}),
		bearer.WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	adminOnly := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := bearer.FromContext(r.Context())
		if err := auth.CheckScopes(info, "whoami:admin"); err != nil {
			auth.WriteError(w, r, err)
			return
		}
		fmt.Fprint(w, "admin ok")
	})
	h := auth.Handler(adminOnly)

	for _, token := range []string{"read-token", "admin-token"} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	}
	// Output:
	// 403 Bearer error="insufficient_scope", scope="whoami:read whoami:admin", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp" {"error":"insufficient_scope","error_description":"The access token lacks a scope this request needs."}
	// 200  admin ok
}

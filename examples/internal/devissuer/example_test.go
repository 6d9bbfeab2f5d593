package devissuer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/mcp-auth/go/examples/internal/devissuer"
	"golang.org/x/oauth2"
)

func ExampleStart() {
	iss, err := devissuer.Start(context.Background(), devissuer.Config{Scopes: []string{"whoami:read"}})
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()

	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Get(iss.URL() + "/.well-known/oauth-authorization-server")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		Issuer  string   `json:"issuer"`
		PKCE    []string `json:"code_challenge_methods_supported"`
		Scopes  []string `json:"scopes_supported"`
		IssResp bool     `json:"authorization_response_iss_parameter_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta.Issuer == iss.URL(), meta.PKCE, meta.Scopes, meta.IssResp)
	// Output: true [S256] [openid profile email offline_access whoami:read] true
}

func ExampleIssuer_Login() {
	ctx := context.Background()
	iss, err := devissuer.Start(ctx, devissuer.Config{Scopes: []string{"whoami:read"}})
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	err = iss.RegisterClient(devissuer.Client{
		ID:           "agent",
		Name:         "Example Agent",
		RedirectURIs: []string{"http://127.0.0.1/callback"}, // any port
	})
	if err != nil {
		log.Fatal(err)
	}

	cfg := &oauth2.Config{
		ClientID:    "agent",
		RedirectURL: "http://127.0.0.1:8976/callback",
		Scopes:      []string{"openid", "whoami:read"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   iss.URL() + "/authorize",
			TokenURL:  iss.URL() + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	verifier := oauth2.GenerateVerifier()
	resource := oauth2.SetAuthURLParam("resource", "http://127.0.0.1:3001/mcp")
	authURL := cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), resource)

	// Sign in as the demo user and approve, as a person would in a browser.
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	redirect, err := iss.Login(ctx, c, authURL, "demo", "demo")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("state:", redirect.Query().Get("state"), "iss ok:", redirect.Query().Get("iss") == iss.URL())

	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c), redirect.Query().Get("code"),
		oauth2.VerifierOption(verifier), resource)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("JWT access token:", strings.Count(tok.AccessToken, ".") == 2)
	// Output:
	// state: state-1 iss ok: true
	// JWT access token: true
}

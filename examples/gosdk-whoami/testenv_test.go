package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/examples/internal/gosdkclient"
)

// testUsers are the development issuer's users in these tests.
var (
	alice = devissuer.User{ID: "alice-id", Username: "alice", Password: "alice-pw", Name: "Alice", Email: "alice@example.com", EmailVerified: true}
	bob   = devissuer.User{ID: "bob-id", Username: "bob", Password: "bob-pw", Name: "Bob", Email: "bob@example.com"}
)

// testRedirect is the redirect URI of the tests' own client (for getToken).
const testRedirect = "http://127.0.0.1/callback"

// startIssuer starts a development issuer with alice and bob, granting
// scopes, and a public client for the tests' own token requests.
func startIssuer(t *testing.T, scopes ...string) *devissuer.Issuer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	iss, err := devissuer.Start(ctx, devissuer.Config{Users: []devissuer.User{alice, bob}, Scopes: scopes, Logger: quietLogger()})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { iss.Close(); cancel() })
	if err := iss.RegisterClient(devissuer.Client{ID: "test-agent", Name: "test agent", RedirectURIs: []string{testRedirect}}); err != nil {
		t.Fatal(err)
	}
	return iss
}

// startWhoami runs the example's server on a free loopback port until the
// test ends.
func startWhoami(t *testing.T, o options) *app {
	t.Helper()
	o.addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	a, err := start(ctx, o, quietLogger())
	if err != nil {
		cancel()
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		if err := a.shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		cancel()
	})
	return a
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// loginAs is the user's part of the OAuth flow, headless: user signs in at
// iss and approves the consent page.
func loginAs(iss *devissuer.Issuer, user devissuer.User) gosdkclient.LoginFunc {
	return func(ctx context.Context, authURL string) (*url.URL, error) {
		return iss.Login(ctx, nil, authURL, user.Username, user.Password)
	}
}

// connectSDK runs the Go SDK client's whole OAuth flow against a as user.
func connectSDK(t *testing.T, a *app, iss *devissuer.Issuer, user devissuer.User, protocolVersion string) *gosdkclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := gosdkclient.Connect(ctx, gosdkclient.Config{URL: a.resource, Login: loginAs(iss, user), ProtocolVersion: protocolVersion})
	if err != nil {
		t.Fatalf("Go SDK client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// callTool calls a tool through c, failing the test on any error.
func callTool(t *testing.T, c *gosdkclient.Client, tool string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	text, err := c.CallTool(ctx, tool, nil)
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return text
}

// decode decodes a tool's JSON text into v.
func decode(t *testing.T, text string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("tool result is not the expected JSON: %v\n%s", err, text)
	}
}

// getToken plays another client and its user, outside the Go SDK:
// authorization code + PKCE at iss as user, with the resource indicator
// resource (a JWT bound to it).
func getToken(t *testing.T, iss *devissuer.Issuer, user devissuer.User, resource string, scopes ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conf := oauth2.Config{
		ClientID:    "test-agent",
		RedirectURL: testRedirect,
		Endpoint:    oauth2.Endpoint{AuthStyle: oauth2.AuthStyleInParams}, // URLs from discovery
		Scopes:      append([]string{"openid", "profile", "email"}, scopes...),
	}
	discoverEndpoints(t, iss.URL(), &conf)
	verifier := oauth2.GenerateVerifier()
	resourceOpt := oauth2.SetAuthURLParam("resource", resource)
	redirect, err := iss.Login(ctx, nil, conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), resourceOpt), user.Username, user.Password)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	code := redirect.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", redirect.Redacted())
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier), resourceOpt)
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	return tok.AccessToken
}

// discoverEndpoints fills conf's endpoints from the issuer's metadata.
func discoverEndpoints(t *testing.T, issuer string, conf *oauth2.Config) {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	conf.Endpoint.AuthURL, conf.Endpoint.TokenURL = doc.Authorization, doc.Token
}

// response is an HTTP answer in the parts the tests read.
type response struct {
	status int
	header http.Header
	body   string
}

// rawPost sends one JSON-RPC message to url as a streamable HTTP client
// would, with token (none when "") and session (none when "").
func rawPost(t *testing.T, url, token, session, body string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// initializeRequest is a 2025-11-25 initialize: the protocol version with
// sessions.
const initializeRequest = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

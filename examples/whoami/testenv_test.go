package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"golang.org/x/oauth2"

	"github.com/mcp-auth/go/examples/internal/devissuer"
)

// testUsers are the development issuer's users in these tests.
var (
	alice = devissuer.User{ID: "alice-id", Username: "alice", Password: "alice-pw", Name: "Alice", Email: "alice@example.com", EmailVerified: true}
	bob   = devissuer.User{ID: "bob-id", Username: "bob", Password: "bob-pw", Name: "Bob", Email: "bob@example.com"}
)

// startIssuer starts a development issuer with alice and bob and a public
// client for the tests' own token requests.
func startIssuer(t *testing.T, scopes ...string) *devissuer.Issuer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	iss, err := devissuer.Start(ctx, devissuer.Config{Users: []devissuer.User{alice, bob}, Scopes: scopes, Logger: quietLogger()})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { iss.Close(); cancel() })
	if err := iss.RegisterClient(devissuer.Client{ID: "test-agent", Name: "test agent", RedirectURIs: []string{"http://127.0.0.1/callback"}}); err != nil {
		t.Fatal(err)
	}
	return iss
}

// startWhoami runs the example's server on a free loopback port until the
// test ends.
func startWhoami(t *testing.T, o options) *app {
	t.Helper()
	o = testOptions(o)
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

// testOptions fills in what parseFlags would, with free ports and no state
// file, so that tests never collide with a running whoami or each other.
func testOptions(o options) options {
	o.addr = "127.0.0.1:0"
	if o.verifier == "" {
		o.verifier = "auto"
	}
	if o.devIssuerAddr == "" {
		o.devIssuerAddr = "127.0.0.1:0"
	}
	for _, d := range []struct {
		dst *time.Duration
		def time.Duration
	}{{&o.readTimeout, defaultReadTimeout}, {&o.writeTimeout, defaultWriteTimeout}, {&o.idleTimeout, defaultIdleTimeout}} {
		if *d.dst == 0 {
			*d.dst = d.def
		}
	}
	if o.maxHeaderBytes == 0 {
		o.maxHeaderBytes = defaultMaxHeaderBytes
	}
	return o
}

// getToken plays a client and its user: authorization code + PKCE at the
// development issuer, logging in as user. resource "" asks for no resource
// indicator (an opaque token); otherwise a JWT bound to it.
func getToken(t *testing.T, iss *devissuer.Issuer, user devissuer.User, resource string, scopes ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conf := oauth2.Config{
		ClientID:    "test-agent",
		RedirectURL: "http://127.0.0.1/callback",
		Endpoint:    oauth2.Endpoint{AuthStyle: oauth2.AuthStyleInParams}, // URLs from discovery
		Scopes:      append([]string{"openid", "profile", "email"}, scopes...),
	}
	discoverEndpoints(t, iss.URL(), &conf)
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if resource != "" {
		opts = append(opts, oauth2.SetAuthURLParam("resource", resource))
	}
	redirect, err := iss.Login(ctx, nil, conf.AuthCodeURL("state-1", opts...), user.Username, user.Password)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	code := redirect.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", redirect.Redacted())
	}
	exchange := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if resource != "" {
		exchange = append(exchange, oauth2.SetAuthURLParam("resource", resource))
	}
	tok, err := conf.Exchange(ctx, code, exchange...)
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

// mcpSession is an initialized mcp-go client session with a fixed token.
type mcpSession struct {
	c *client.Client
}

// connect opens an MCP session over transportName ("streamable" or "sse")
// with token (none when ""). It fails the test only on setup errors; the
// MCP calls' errors are returned.
func connect(t *testing.T, a *app, transportName, token string) (*mcpSession, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	headers := map[string]string{}
	if token != "" {
		headers["Authorization"] = "Bearer " + token
	}
	var c *client.Client
	var err error
	if transportName == "sse" {
		c, err = client.NewSSEMCPClient(a.sseResource, transport.WithHeaders(headers))
	} else {
		c, err = client.NewStreamableHttpClient(a.resource, transport.WithHTTPHeaders(headers))
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		c.Close()
		return nil, err
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "whoami-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		c.Close()
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &mcpSession{c: c}, nil
}

// call calls a tool and returns its text, failing on tool errors.
func (s *mcpSession) call(tool string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	if res.IsError {
		return "", fmt.Errorf("tool error: %s", b.String())
	}
	return b.String(), nil
}

// claimsOf decodes the whoami tool's JSON.
func claimsOf(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("whoami result is not a JSON object: %v\n%s", err, text)
	}
	return m
}

// rawPost sends body to url with token and returns the status and the
// WWW-Authenticate header.
func rawPost(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	status, challenge, _ := rawPostBody(t, url, token, body)
	return status, challenge
}

// hasScopes reports whether the challenge's scope attribute names every
// scope in want.
func hasScopes(challenge string, want ...string) bool {
	_, rest, ok := strings.Cut(challenge, `scope="`)
	if !ok {
		return false
	}
	list, _, _ := strings.Cut(rest, `"`)
	have := strings.Fields(list)
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// rawPostBody is rawPost that also returns the body.
func rawPostBody(t *testing.T, url, token, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)
}

// devissuerClient is a confidential client, like a resource server's
// credentials for introspection.
func devissuerClient(id, secret string) devissuer.Client {
	return devissuer.Client{ID: id, Secret: secret, Name: id}
}

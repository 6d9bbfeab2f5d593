package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-auth/go/examples/internal/devissuer"
	"github.com/mcp-auth/go/examples/internal/gosdkclient"
)

// The Go SDK's own client does the whole OAuth flow against the Go SDK
// whoami (discovery from the 401, protected resource and authorization
// server metadata, dynamic registration, PKCE, the resource parameter,
// alice's login, the token) and the whoami tool answers with alice's
// identity.
func TestGoSDKClientOAuthFlow(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	c := connectSDK(t, a, iss, alice, "")

	var got identity
	decode(t, callTool(t, c, "whoami"), &got)
	if got.Sub != alice.ID {
		t.Fatalf("sub %q, want alice's %q", got.Sub, alice.ID)
	}
	checkIdentityClaims(t, got, alice)
	if got.Grant.Issuer != iss.URL() || !slices.Contains(got.Grant.Audience, a.resource) || got.Grant.ClientID == "" || got.Grant.ExpiresAt == "" {
		t.Errorf("grant %+v: want issuer %s, audience %s, a client id and an expiry", got.Grant, iss.URL(), a.resource)
	}
	for _, s := range identityScopes {
		if !slices.Contains(got.Grant.Scopes, s) {
			t.Errorf("scopes %v lack %q, which the challenge asked for", got.Grant.Scopes, s)
		}
	}

	// The authorization request the SDK built from our metadata.
	urls := c.AuthorizationURLs()
	if len(urls) != 1 {
		t.Fatalf("%d authorizations, want 1", len(urls))
	}
	q := urls[0].Query()
	if q.Get("resource") != a.resource {
		t.Errorf("resource parameter %q, want %q", q.Get("resource"), a.resource)
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("PKCE: code_challenge_method %q, code_challenge %q", q.Get("code_challenge_method"), q.Get("code_challenge"))
	}
	if q.Get("client_id") == "test-agent" || q.Get("client_id") == "" {
		t.Errorf("client_id %q: want the dynamically registered client", q.Get("client_id"))
	}
	if q.Get("client_id") != got.Grant.ClientID {
		t.Errorf("the token's client %q is not the one that authorized, %q", got.Grant.ClientID, q.Get("client_id"))
	}

	// The HTTP exchanges, in order: the 401, the metadata, the
	// registration, the token, then the MCP request again.
	checkFlow(t, c.Requests(), a, iss, []step{
		{http.MethodPost, a.resource, http.StatusUnauthorized},
		{http.MethodGet, a.origin + "/.well-known/oauth-protected-resource/mcp", http.StatusOK},
		{http.MethodGet, iss.URL() + "/.well-known/oauth-authorization-server", http.StatusOK},
		{http.MethodPost, iss.URL() + "/register", http.StatusCreated},
		{http.MethodPost, "token endpoint", http.StatusOK},
		{http.MethodPost, a.resource, http.StatusOK},
	})
}

// Without -issuer the example starts the development issuer in-process,
// and the Go SDK client logs in as its demo user.
func TestGoSDKClientWithBuiltInIssuer(t *testing.T) {
	a := startWhoami(t, options{})
	if a.dev == nil {
		t.Fatal("no development issuer started")
	}
	c := connectSDK(t, a, a.dev, devissuer.DemoUser(), "")
	var got identity
	decode(t, callTool(t, c, "whoami"), &got)
	if got.Sub != devissuer.DemoUser().ID {
		t.Errorf("sub %q, want the demo user's %q", got.Sub, devissuer.DemoUser().ID)
	}
	checkIdentityClaims(t, got, devissuer.DemoUser())
}

// checkIdentityClaims checks that every identity field of the result is
// either the user's value or listed as missing, never both, never wrong.
// (Which ones the access token carries is the provider's choice.)
func checkIdentityClaims(t *testing.T, got identity, user devissuer.User) {
	t.Helper()
	for _, c := range []struct{ name, got, want string }{
		{"username", got.Username, user.Username},
		{"name", got.Name, user.Name},
		{"email", got.Email, user.Email},
	} {
		missing := slices.Contains(got.MissingClaims, c.name)
		switch {
		case missing && c.got != "":
			t.Errorf("%s is %q and listed as missing", c.name, c.got)
		case !missing && c.got != c.want:
			t.Errorf("%s is %q, want %q (or listed as missing)", c.name, c.got, c.want)
		}
	}
	if len(got.MissingClaims) > 3 {
		t.Errorf("missing_claims %v", got.MissingClaims)
	}
	t.Logf("identity claims in the access token: username %q, name %q, email %q; missing %v", got.Username, got.Name, got.Email, got.MissingClaims)
}

// step is an expected HTTP exchange; url "token endpoint" matches the
// issuer's token endpoint, whatever its path.
type step struct {
	method string
	url    string
	status int
}

// checkFlow checks that the requests contain the steps in order (other
// requests may come between them).
func checkFlow(t *testing.T, reqs []gosdkclient.Request, a *app, iss *devissuer.Issuer, steps []step) {
	t.Helper()
	i := 0
	for _, r := range reqs {
		if i == len(steps) {
			break
		}
		s := steps[i]
		urlOK := r.URL == s.url || s.url == "token endpoint" && strings.HasPrefix(r.URL, iss.URL()) && strings.HasSuffix(r.URL, "/token")
		if r.Method == s.method && urlOK && r.Status == s.status {
			i++
		}
	}
	if i < len(steps) {
		t.Errorf("the flow lacks %v (and what follows); the client sent:", steps[i])
		for _, r := range reqs {
			t.Errorf("  %s %s -> %d", r.Method, r.URL, r.Status)
		}
	}
}

// The first request of every client, without a token, gets mcp-auth's 401
// challenge naming the protected resource metadata (not the SDK's own
// "no bearer token"), and the metadata is served without a token.
func TestNoTokenGetsTheLibrarysChallenge(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	resp := rawPost(t, a.resource, "", "", initializeRequest)
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.status)
	}
	metadataURL := a.origin + "/.well-known/oauth-protected-resource/mcp"
	challenges := resp.header.Values("WWW-Authenticate")
	if len(challenges) != 1 || !strings.HasPrefix(challenges[0], "Bearer ") ||
		!strings.Contains(challenges[0], `resource_metadata="`+metadataURL+`"`) ||
		!strings.Contains(challenges[0], `scope="openid profile email"`) {
		t.Errorf("WWW-Authenticate %q, want one Bearer challenge with resource_metadata=%q and the basic scopes", challenges, metadataURL)
	}
	if strings.Contains(resp.body, "no bearer token") {
		t.Errorf("the SDK's own refusal: %q", resp.body)
	}

	mresp, err := http.Get(metadataURL)
	if err != nil {
		t.Fatal(err)
	}
	defer mresp.Body.Close()
	var doc struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	if err := json.NewDecoder(mresp.Body).Decode(&doc); err != nil || mresp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %d %v", mresp.StatusCode, err)
	}
	if doc.Resource != a.resource || !slices.Equal(doc.AuthorizationServers, []string{iss.URL()}) {
		t.Errorf("metadata %+v, want resource %s at %s", doc, a.resource, iss.URL())
	}
}

// A valid token issued for another resource gets 401 invalid_token; the
// same user's token for this resource, obtained the same way, is accepted
// (so the refusal is the audience's doing).
func TestTokenForAnotherResourceIsRefused(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})

	other := getToken(t, iss, alice, "http://127.0.0.1:1/other-mcp")
	resp := rawPost(t, a.resource, other, "", initializeRequest)
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("token for another resource: %d %s, want 401", resp.status, resp.body)
	}
	if c := resp.header.Get("WWW-Authenticate"); !strings.Contains(c, `error="invalid_token"`) || !strings.Contains(c, "resource_metadata=") {
		t.Errorf("WWW-Authenticate %q, want error=\"invalid_token\" and resource_metadata", c)
	}

	mine := getToken(t, iss, alice, a.resource)
	if resp := rawPost(t, a.resource, mine, "", initializeRequest); resp.status != http.StatusOK {
		t.Errorf("token for this resource: %d %s, want 200", resp.status, resp.body)
	}
}

// With -admin-scope, token_info answers a token without the admin scope
// with mcp-auth's 403 insufficient_scope, and the Go SDK client steps up by
// itself: a second authorization (the user logs in again), asking for the
// scopes it had plus the challenged ones, then the call succeeds.
func TestGoSDKClientStepUp(t *testing.T) {
	const admin = "whoami:admin"
	iss := startIssuer(t, admin)
	a := startWhoami(t, options{issuer: iss.URL(), adminScope: admin})
	c := connectSDK(t, a, iss, alice, "")

	var who identity
	decode(t, callTool(t, c, "whoami"), &who)
	if slices.Contains(who.Grant.Scopes, admin) {
		t.Fatalf("the first token already has %s: the step-up is not exercised (scopes %v)", admin, who.Grant.Scopes)
	}
	var g grant
	decode(t, callTool(t, c, "token_info"), &g)
	if !slices.Contains(g.Scopes, admin) {
		t.Errorf("token_info ran with scopes %v, without %s", g.Scopes, admin)
	}

	urls := c.AuthorizationURLs()
	if len(urls) != 2 {
		t.Fatalf("%d authorizations, want 2 (the first, the step-up)", len(urls))
	}
	stepUp := strings.Fields(urls[1].Query().Get("scope"))
	for _, s := range append([]string{admin}, identityScopes...) {
		if !slices.Contains(stepUp, s) {
			t.Errorf("step-up asked for %v, without %q", stepUp, s)
		}
	}
	if u := urls[1].Query().Get("resource"); u != a.resource {
		t.Errorf("step-up resource %q", u)
	}
	checkFlow(t, c.Requests(), a, iss, []step{
		{http.MethodPost, a.resource, http.StatusUnauthorized},
		{http.MethodPost, a.resource, http.StatusOK},
		{http.MethodPost, a.resource, http.StatusForbidden},
		{http.MethodPost, "token endpoint", http.StatusOK},
		{http.MethodPost, a.resource, http.StatusOK},
	})
	t.Logf("registrations: %d", countRequests(c.Requests(), http.MethodPost, iss.URL()+"/register"))
}

func countRequests(reqs []gosdkclient.Request, method, u string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.URL == u {
			n++
		}
	}
	return n
}

// A stateful session (protocol 2025-11-25), opened by the Go SDK client as
// alice, is bound to her subject by the SDK through the adapter's
// TokenInfo.UserID: bob's valid token on it gets 403, alice's own goes
// through.
func TestSessionBoundToTheUser(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	c := connectSDK(t, a, iss, alice, "2025-11-25")
	session := c.SessionID()
	if session == "" {
		t.Fatal("no session under protocol 2025-11-25")
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	if resp := rawPost(t, a.resource, getToken(t, iss, bob, a.resource), session, list); resp.status != http.StatusForbidden {
		t.Errorf("bob on alice's session: %d %s, want 403", resp.status, resp.body)
	}
	if resp := rawPost(t, a.resource, getToken(t, iss, alice, a.resource), session, list); resp.status != http.StatusOK {
		t.Errorf("alice (another token) on her session: %d %s, want 200", resp.status, resp.body)
	}
	var got identity
	decode(t, callTool(t, c, "whoami"), &got)
	if got.Sub != alice.ID {
		t.Errorf("sub %q after the refused attempt", got.Sub)
	}
}

package main

import (
	"strings"
	"testing"
)

// The whole flow with the development issuer, through mcp-go's client:
// each verifier, each token shape (a JWT bound to the endpoint's resource,
// or an opaque token), both transports.
func TestWhoamiEndToEnd(t *testing.T) {
	iss := startIssuer(t)
	// The resource-server client the introspection verifier authenticates as.
	if err := iss.RegisterClient(devissuerClient("rs", "rs-secret")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		verifier string
		jwtOK    bool // a JWT bound to the resource (what spec-following clients get)
		opaqueOK bool // an opaque token (clients that send no resource)
	}{
		// auto: only tokens shown to be issued for this server. An opaque
		// token obtained without a resource indicator is bound to nothing.
		{"auto", true, false},
		{"jwt", true, false},
		// userinfo proves only that the provider knows the token (see
		// README): the seed's mode, one flag away.
		{"userinfo", true, true},
		// introspection reports the audience: an opaque token not issued
		// for this resource is refused.
		{"introspection", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.verifier, func(t *testing.T) {
			o := options{issuer: iss.URL(), verifier: tt.verifier}
			if tt.verifier == "introspection" {
				o.clientID, o.clientSecret = "rs", "rs-secret"
			}
			a := startWhoami(t, o)
			for _, tr := range []struct{ name, url string }{{"streamable", a.resource}, {"sse", a.sseResource}} {
				for _, shape := range []struct {
					name     string
					resource string
					ok       bool
				}{{"jwt", tr.url, tt.jwtOK}, {"opaque", "", tt.opaqueOK}} {
					t.Run(tr.name+"/"+shape.name, func(t *testing.T) {
						token := getToken(t, iss, alice, shape.resource)
						if got := strings.Count(token, "."); (got == 2) != (shape.name == "jwt") {
							t.Fatalf("the issuer gave a %s token with %d dots", shape.name, got)
						}
						s, err := connect(t, a, tr.name, token)
						if !shape.ok {
							if err == nil {
								t.Fatal("connected with a token that must be refused")
							}
							status, challenge, body := rawPostBody(t, a.resource, token, `{"jsonrpc":"2.0","id":1,"method":"ping"}`)
							if status != 401 || !strings.Contains(challenge, `error="invalid_token"`) {
								t.Errorf("refused token: status %d, challenge %q; want 401 invalid_token", status, challenge)
							}
							// The refusal says why and what to change.
							if !strings.Contains(body, "resource parameter") {
								t.Errorf("refused opaque token: body %s does not tell the client to use the resource parameter", body)
							}
							return
						}
						if err != nil {
							t.Fatalf("connect: %v", err)
						}
						text, err := s.call("whoami")
						if err != nil {
							t.Fatal(err)
						}
						claims := claimsOf(t, text)
						// The seed's promise: sub, username, name, email.
						for k, want := range map[string]string{"sub": alice.ID, "username": alice.Username, "name": alice.Name, "email": alice.Email} {
							if claims[k] != want {
								t.Errorf("whoami %s = %v, want %s (result %s)", k, claims[k], want, text)
							}
						}
						if strings.Contains(text, token) {
							t.Error("whoami returned the raw token")
						}
					})
				}
			}
		})
	}
}

func TestWhoamiOverSSE(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	token := getToken(t, iss, bob, a.sseResource)
	s, err := connect(t, a, "sse", token)
	if err != nil {
		t.Fatalf("connect over SSE: %v", err)
	}
	text, err := s.call("whoami")
	if err != nil {
		t.Fatal(err)
	}
	if claims := claimsOf(t, text); claims["sub"] != bob.ID {
		t.Errorf("sub = %v, want %s", claims["sub"], bob.ID)
	}
	// A token for the streamable endpoint is not a token for the SSE one.
	if _, err := connect(t, a, "sse", getToken(t, iss, bob, a.resource)); err == nil {
		t.Error("the SSE endpoint accepted a token bound to /mcp")
	}
	if _, err := connect(t, a, "sse", ""); err == nil {
		t.Error("the SSE endpoint accepted a request without a token")
	}
}

func TestWhoamiRefusals(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	metadataURL := a.origin + "/.well-known/oauth-protected-resource/mcp"
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	tests := []struct {
		name       string
		token      string
		wantStatus int
		want       []string
		notWant    []string
	}{
		{"no token", "", 401, []string{`resource_metadata="` + metadataURL + `"`}, []string{"error="}},
		{"garbage", "not-a-real-token", 401, []string{`error="invalid_token"`, `resource_metadata="` + metadataURL + `"`}, nil},
		{"JWT for another resource", getToken(t, iss, alice, "http://127.0.0.1:1/other"), 401, []string{`error="invalid_token"`}, nil},
		{"forged JWT", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", 401, []string{`error="invalid_token"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, challenge := rawPost(t, a.resource, tt.token, ping)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d", status, tt.wantStatus)
			}
			for _, w := range tt.want {
				if !strings.Contains(challenge, w) {
					t.Errorf("challenge %q lacks %q", challenge, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(challenge, w) {
					t.Errorf("challenge %q has %q", challenge, w)
				}
			}
		})
	}
	// Tokens in the query string are never read (MCP forbids them).
	token := getToken(t, iss, alice, a.resource)
	if status, _ := rawPost(t, a.resource+"?access_token="+token, "", ping); status != 401 {
		t.Errorf("token in the query string: status %d, want 401", status)
	}
}

// Step-up: a tool needing more than the baseline scope answers 403 with
// every scope the call needs; a token with them gets through.
func TestWhoamiStepUp(t *testing.T) {
	iss := startIssuer(t, "whoami:read", "whoami:admin")
	a := startWhoami(t, options{issuer: iss.URL(), scopes: []string{"whoami:read"}, adminScope: "whoami:admin"})
	call := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"token_info","arguments":{}}}`

	basic := getToken(t, iss, alice, a.resource, "whoami:read")
	s, err := connect(t, a, "streamable", basic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.call("whoami"); err != nil {
		t.Fatalf("whoami with the baseline scope: %v", err)
	}
	status, challenge := rawPost(t, a.resource, basic, call)
	// The 403 names every scope the client should hold afterwards: the
	// baseline, the identity scopes of the 401 challenge, and the tool's.
	if status != 403 || !strings.Contains(challenge, `error="insufficient_scope"`) || !hasScopes(challenge, "whoami:read", "whoami:admin", "openid", "profile", "email") {
		t.Fatalf("token_info with the baseline scope: %d %q; want 403 insufficient_scope naming the baseline, identity and admin scopes", status, challenge)
	}

	admin := getToken(t, iss, alice, a.resource, "whoami:read", "whoami:admin")
	s, err = connect(t, a, "streamable", admin)
	if err != nil {
		t.Fatal(err)
	}
	text, err := s.call("token_info")
	if err != nil {
		t.Fatalf("token_info after step-up: %v", err)
	}
	if !strings.Contains(text, "whoami:admin") || strings.Contains(text, admin) {
		t.Errorf("token_info = %s", text)
	}

	// Without the baseline scope nothing works: 403 naming it.
	none := getToken(t, iss, alice, a.resource)
	if status, challenge := rawPost(t, a.resource, none, `{"jsonrpc":"2.0","id":1,"method":"ping"}`); status != 403 || !hasScopes(challenge, "whoami:read") {
		t.Errorf("no baseline scope: %d %q", status, challenge)
	}
}

// /mcp/ is served like /mcp, without a redirect (clients do not follow one
// for a POST).
func TestTrailingSlashIsServedNotRedirected(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	if status, challenge := rawPost(t, a.resource+"/", "", ping); status != 401 || !strings.Contains(challenge, "resource_metadata=") {
		t.Errorf("POST /mcp/ without a token: %d %q, want 401 with the challenge", status, challenge)
	}
	s, err := connect(t, &app{resource: a.resource + "/", sseResource: a.sseResource}, "streamable", getToken(t, iss, alice, a.resource))
	if err != nil {
		t.Fatalf("connect to /mcp/: %v", err)
	}
	if _, err := s.call("whoami"); err != nil {
		t.Fatal(err)
	}
}

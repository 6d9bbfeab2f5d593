package main

import (
	"net/http"
	"strings"
	"testing"
)

// A stateful MCP session belongs to the user who opened it: another user's
// valid token on the same session is refused, and no token at all is 401.
func TestSessionBelongsToItsUser(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	aliceToken := getToken(t, iss, alice, a.resource)
	bobToken := getToken(t, iss, bob, a.resource)

	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	resp := post(t, a.resource, aliceToken, "", init)
	session := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != 200 || session == "" {
		t.Fatalf("initialize: status %d, session %q", resp.StatusCode, session)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	for _, tt := range []struct {
		name  string
		token string
		want  int
	}{
		{"another user's token", bobToken, http.StatusForbidden},
		{"no token", "", http.StatusUnauthorized},
		{"the owner", aliceToken, http.StatusOK},
	} {
		if got := post(t, a.resource, tt.token, session, list).StatusCode; got != tt.want {
			t.Errorf("%s on alice's session: status %d, want %d", tt.name, got, tt.want)
		}
	}
}

func post(t *testing.T, url, token, session, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

package main

import (
	"bufio"
	"context"
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

// The legacy SSE transport binds its sessions too: another user with a
// valid token who learns alice's sessionId can neither post calls into her
// session, nor inject responses into her stream, nor initialize it again.
func TestSSESessionBelongsToItsUser(t *testing.T) {
	iss := startIssuer(t)
	a := startWhoami(t, options{issuer: iss.URL()})
	aliceToken := getToken(t, iss, alice, a.sseResource)
	bobToken := getToken(t, iss, bob, a.sseResource)

	endpoint := openSSE(t, a.sseResource, aliceToken)
	message := a.origin + endpoint
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	for _, tt := range []struct {
		name  string
		token string
		body  string
		want  int
	}{
		{"bob posts a call into alice's session", bobToken, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`, http.StatusForbidden},
		{"bob injects a response into alice's stream", bobToken, `{"jsonrpc":"2.0","id":0,"result":{"roots":[{"uri":"file:///etc"}]}}`, http.StatusForbidden},
		{"bob initializes alice's session again", bobToken, init, http.StatusForbidden},
		{"no token", "", init, http.StatusUnauthorized},
		{"alice herself", aliceToken, init, http.StatusAccepted},
	} {
		if got := post(t, message, tt.token, "", tt.body).StatusCode; got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
}

// openSSE opens the SSE stream of url with token until the test ends and
// returns the message endpoint its first event names.
func openSSE(t *testing.T, url, token string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	rd := bufio.NewReader(resp.Body)
	for range 10 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok && strings.Contains(data, "sessionId=") {
			if i := strings.Index(data, "/message"); i >= 0 {
				return data[i:]
			}
		}
	}
	t.Fatal("no endpoint event on the stream")
	return ""
}

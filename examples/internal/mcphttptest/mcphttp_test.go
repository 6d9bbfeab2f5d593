package mcphttptest

import (
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

// TestScopeGateWithMCPServer runs the gate in front of a real mcp-go
// stateful streamable HTTP server, behind the real bearer middleware.
func TestScopeGateWithMCPServer(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newStack(t)
	url := s.srv.URL + "/mcp"
	sid := initialize(t, url, "alice-read")

	const (
		challengeAdmin = `Bearer error="insufficient_scope", scope="whoami:read whoami:admin", resource_metadata="` + testMetadataURL + `"`
		challengeBatch = `Bearer error="insufficient_scope", scope="whoami:read files:read whoami:admin", resource_metadata="` + testMetadataURL + `"`
	)
	tests := []struct {
		name          string
		token         string
		body          string
		extra         []string
		wantStatus    int
		wantChallenge string // exact WWW-Authenticate; "" means none
		wantInBody    string
	}{
		{name: "tools/list with the baseline", token: "alice-read",
			body: `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`, wantStatus: http.StatusOK, wantInBody: `"admin_only"`},
		{name: "whoami: context and arguments reach the tool", token: "alice-read",
			body: toolCall(3, "whoami", `{"echo":"hi there"}`), wantStatus: http.StatusOK, wantInBody: `alice|hi there`},
		{name: "admin_only without its scope", token: "alice-read",
			body: toolCall(4, "admin_only", ""), wantStatus: http.StatusForbidden, wantChallenge: challengeAdmin,
			wantInBody: `"error":"insufficient_scope"`},
		{name: "admin_only with its scope", token: "alice-admin",
			body: toolCall(5, "admin_only", ""), wantStatus: http.StatusOK, wantInBody: `admin ok`},
		{name: "admin_only through the hierarchy", token: "alice-super",
			body: toolCall(6, "admin_only", ""), wantStatus: http.StatusOK, wantInBody: `admin ok`},
		{name: "unknown tool needs only the baseline", token: "alice-read",
			body: toolCall(7, "no_such_tool", ""), wantStatus: http.StatusOK, wantInBody: `"id":7`},
		{name: "batch needs the union", token: "alice-read",
			body:       `[` + toolCall(8, "whoami", "") + `,` + toolCall(9, "files", "") + `,` + toolCall(10, "admin_only", "") + `]`,
			wantStatus: http.StatusForbidden, wantChallenge: challengeBatch},
		{name: "Mcp-Name disagrees with the body", token: "alice-admin",
			body: toolCall(11, "admin_only", ""), extra: []string{"Mcp-Method: tools/call", "Mcp-Name: whoami"},
			wantStatus: http.StatusBadRequest, wantInBody: `"code":-32020`},
		{name: "Mcp-Name that hides a gated tool", token: "alice-read",
			body: toolCall(12, "admin_only", ""), extra: []string{"Mcp-Method: tools/call", "Mcp-Name: whoami"},
			wantStatus: http.StatusBadRequest, wantInBody: `"id":12`},
		{name: "Mcp-Method disagrees with the body", token: "alice-read",
			body: toolCall(13, "whoami", ""), extra: []string{"Mcp-Method: tools/list"},
			wantStatus: http.StatusBadRequest, wantInBody: `"code":-32020`},
		{name: "matching headers, Base64 name", token: "alice-read",
			body: toolCall(14, "whoami", ""), extra: []string{"Mcp-Method: tools/call", "Mcp-Name: =?base64?d2hvYW1p?="},
			wantStatus: http.StatusOK, wantInBody: `alice|`},
		{name: "body over MaxBody", token: "alice-read",
			body: toolCall(15, "whoami", `{"echo":"`+strings.Repeat("x", 5000)+`"}`), wantStatus: http.StatusRequestEntityTooLarge},
		{name: "not JSON", token: "alice-read",
			body: `{"jsonrpc":"2.0",`, wantStatus: http.StatusBadRequest, wantInBody: `"code":-32700`},
		{name: "trailing value after the message", token: "alice-read",
			body: toolCall(16, "whoami", "") + toolCall(17, "admin_only", ""), wantStatus: http.StatusBadRequest, wantInBody: `"code":-32700`},
		{name: "case-folded member name", token: "alice-read",
			body:       `{"jsonrpc":"2.0","id":18,"method":"tools/call","params":{"name":"whoami","Name":"admin_only"}}`,
			wantStatus: http.StatusBadRequest, wantInBody: `"code":-32600`},
		{name: "gated tool, token lacks the baseline too", token: "alice-super",
			body: toolCall(19, "files", ""), wantStatus: http.StatusForbidden,
			wantChallenge: `Bearer error="insufficient_scope", scope="whoami:read files:read", resource_metadata="` + testMetadataURL + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodPost, url, tt.token, sid, tt.body, tt.extra...)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if got := r.header.Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate\n got %q\nwant %q", got, tt.wantChallenge)
			}
			if !strings.Contains(r.body, tt.wantInBody) {
				t.Errorf("body %s does not contain %s", r.body, tt.wantInBody)
			}
			if strings.Contains(r.body, "isError\":true") {
				t.Errorf("tool reported an error: %s", r.body)
			}
		})
	}
	s.srv.Close()
	checkNoGoroutinesLeft(t, before)
}

// TestSessionBindingWithMCPServer opens a session as alice and uses it as
// bob, as nobody and as alice again, then ends it.
func TestSessionBindingWithMCPServer(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newStack(t)
	url := s.srv.URL + "/mcp"
	sid := initialize(t, url, "alice-read")
	if n := s.binding.Len(); n != 1 {
		t.Fatalf("Len = %d after initialize, want 1", n)
	}
	const forbidden = `{"error":"forbidden","error_description":"session belongs to another user"}` + "\n"

	steps := []struct {
		name       string
		method     string
		token, sid string
		body       string
		wantStatus int
		wantBody   string // exact when set
		wantInBody string
	}{
		{name: "alice uses her session", method: http.MethodPost, token: "alice-read", sid: sid,
			body: toolCall(2, "whoami", `{"echo":"1"}`), wantStatus: http.StatusOK, wantInBody: "alice|1"},
		{name: "bob uses alice's session", method: http.MethodPost, token: "bob-read", sid: sid,
			body: toolCall(3, "whoami", ""), wantStatus: http.StatusForbidden, wantBody: forbidden},
		{name: "bob opens alice's stream", method: http.MethodGet, token: "bob-read", sid: sid,
			wantStatus: http.StatusForbidden, wantBody: forbidden},
		{name: "no token: the bearer layer answers", method: http.MethodPost, sid: sid,
			body: toolCall(4, "whoami", ""), wantStatus: http.StatusUnauthorized},
		{name: "a token without subject", method: http.MethodPost, token: "nosub-read", sid: sid,
			body: toolCall(5, "whoami", ""), wantStatus: http.StatusInternalServerError},
		{name: "alice again", method: http.MethodPost, token: "alice-read", sid: sid,
			body: toolCall(6, "whoami", `{"echo":"2"}`), wantStatus: http.StatusOK, wantInBody: "alice|2"},
		{name: "bob ends alice's session", method: http.MethodDelete, token: "bob-read", sid: sid,
			wantStatus: http.StatusForbidden, wantBody: forbidden},
		{name: "a session id never issued", method: http.MethodPost, token: "alice-read", sid: "mcp-session-made-up",
			body: toolCall(7, "whoami", ""), wantStatus: http.StatusNotFound, wantInBody: `"code":-32001`},
		{name: "alice ends her session", method: http.MethodDelete, token: "alice-read", sid: sid,
			wantStatus: http.StatusOK},
		{name: "alice reuses the ended session", method: http.MethodPost, token: "alice-read", sid: sid,
			body: toolCall(8, "whoami", ""), wantStatus: http.StatusNotFound, wantInBody: `"code":-32001`},
		{name: "bob reuses the ended session", method: http.MethodPost, token: "bob-read", sid: sid,
			body: toolCall(9, "whoami", ""), wantStatus: http.StatusNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := call(t, st.method, url, st.token, st.sid, st.body)
			if r.status != st.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.status, st.wantStatus, r.body)
			}
			if st.wantBody != "" && r.body != st.wantBody {
				t.Errorf("body %q, want %q", r.body, st.wantBody)
			}
			if !strings.Contains(r.body, st.wantInBody) {
				t.Errorf("body %s does not contain %s", r.body, st.wantInBody)
			}
			if st.wantStatus == http.StatusForbidden && r.header.Get("WWW-Authenticate") != "" {
				t.Errorf("a foreign session got a challenge: %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	if n := s.binding.Len(); n != 0 {
		t.Errorf("Len = %d after DELETE, want 0", n)
	}
	s.srv.Close()
	checkNoGoroutinesLeft(t, before)
}

// TestSessionBindingEviction: with room for one session, opening a second
// evicts the first, whose later use is refused (404), never let through.
func TestSessionBindingEviction(t *testing.T) {
	s := newStack(t, mcphttp.WithMaxSessions(1))
	url := s.srv.URL + "/mcp"
	aliceSID := initialize(t, url, "alice-read")
	carolSID := initialize(t, url, "carol-read")
	if n := s.binding.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
	tests := []struct {
		name, token, sid string
		want             int
	}{
		{"carol's session is bound", "carol-read", carolSID, http.StatusOK},
		{"bob on carol's session", "bob-read", carolSID, http.StatusForbidden},
		{"alice's evicted session fails closed", "alice-read", aliceSID, http.StatusNotFound},
		{"bob on alice's evicted session fails closed", "bob-read", aliceSID, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := call(t, http.MethodPost, url, tt.token, tt.sid, toolCall(2, "whoami", "")); r.status != tt.want {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.want, r.body)
			}
		})
	}
}

package mcphttptest

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

// openStream starts a GET whose response is an event stream and returns the
// response (status and headers arrived) and a reader of its lines; cancel
// ends it.
func openStream(t *testing.T, url, token, sid string) (*http.Response, *bufio.Reader, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return resp, bufio.NewReader(resp.Body), func() { cancel(); resp.Body.Close() }
}

// readData returns the data of the next SSE event named event.
func readData(t *testing.T, rd *bufio.Reader, event string) string {
	t.Helper()
	current := ""
	for range 1000 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if name, value, ok := strings.Cut(line, ":"); ok {
			value = strings.TrimPrefix(value, " ")
			switch name {
			case "event":
				current = value
			case "data":
				if current == event {
					return value
				}
			}
		}
	}
	t.Fatalf("no %q event in the stream", event)
	return ""
}

// TestStreamableGETThroughMiddleware: the streamable HTTP GET stream works
// through the binding and the gate (the writer wrapper flushes), and only
// for the session's owner.
func TestStreamableGETThroughMiddleware(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newStack(t)
	u := s.srv.URL + "/mcp"
	sid := initialize(t, u, "alice-read")

	resp, _, cancel := openStream(t, u, "alice-read", sid)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("alice's stream: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// While alice's stream is open, her session still works and bob is kept out.
	if r := call(t, http.MethodPost, u, "alice-read", sid, toolCall(2, "whoami", `{"echo":"s"}`)); r.status != http.StatusOK || !strings.Contains(r.body, "alice|s") {
		t.Errorf("alice's call during the stream: %d %s", r.status, r.body)
	}
	bob, _, bobCancel := openStream(t, u, "bob-read", sid)
	if bob.StatusCode != http.StatusForbidden {
		t.Errorf("bob's stream: status %d, want 403", bob.StatusCode)
	}
	bobCancel()
	cancel()
	s.srv.Close()
	checkNoGoroutinesLeft(t, before)
}

// TestLegacySSEBinding runs the binding and the gate in front of mcp-go's
// legacy HTTP+SSE transport: the session id comes from the endpoint event
// and travels in the sessionId query parameter.
func TestLegacySSEBinding(t *testing.T) {
	before := runtime.NumGoroutine()
	authn := newAuthenticator(t)
	gate, err := mcphttp.NewScopeGate(testGateConfig(), authn)
	if err != nil {
		t.Fatal(err)
	}
	binding, err := mcphttp.NewSessionBinding(authn)
	if err != nil {
		t.Fatal(err)
	}
	sse := server.NewSSEServer(newMCPServer(authn))
	mux := http.NewServeMux()
	mux.Handle("/sse", authn.Handler(binding.Handler(gate(sse.SSEHandler()))))
	mux.Handle("/message", authn.Handler(binding.Handler(gate(sse.MessageHandler()))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, stream, cancel := openStream(t, srv.URL+"/sse", "alice-read", "")
	defer cancel()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sse: status %d", resp.StatusCode)
	}
	endpoint, err := url.Parse(readData(t, stream, "endpoint"))
	if err != nil {
		t.Fatal(err)
	}
	sid := endpoint.Query().Get("sessionId")
	if sid == "" || binding.Len() != 1 {
		t.Fatalf("endpoint %q; Len %d, want 1", endpoint, binding.Len())
	}
	messageURL := srv.URL + "/message?sessionId=" + url.QueryEscape(sid)

	tests := []struct {
		name, token, url, body string
		want                   int
	}{
		{"bob initializes alice's session", "bob-read", messageURL, initializeBody, http.StatusForbidden},
		{"alice initializes", "alice-read", messageURL, initializeBody, http.StatusAccepted},
		{"bob calls a tool on it", "bob-read", messageURL, toolCall(2, "whoami", ""), http.StatusForbidden},
		{"bob adds it to a made-up id", "bob-read", srv.URL + "/message?sessionId=x&sessionId=" + url.QueryEscape(sid), toolCall(2, "whoami", ""), http.StatusForbidden},
		{"alice without the scope", "alice-read", messageURL, toolCall(3, "admin_only", ""), http.StatusForbidden},
		{"alice calls whoami", "alice-read", messageURL, toolCall(4, "whoami", `{"echo":"sse"}`), http.StatusAccepted},
		{"a made-up session", "alice-read", srv.URL + "/message?sessionId=made-up", toolCall(5, "whoami", ""), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := call(t, http.MethodPost, tt.url, tt.token, "", tt.body); r.status != tt.want {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.want, r.body)
			}
		})
	}
	// The answers travel on alice's stream; the tool saw her AuthInfo.
	found := false
	for i := 0; i < 2 && !found; i++ { // the initialize result, then whoami's
		data := readData(t, stream, "message")
		if found = strings.Contains(data, `"id":4`); found && !strings.Contains(data, "alice|sse") {
			t.Errorf("whoami over SSE: %s", data)
		}
	}
	if !found {
		t.Error("no whoami result on the stream")
	}
	cancel()
	srv.Close() // waits for the stream handler to return
	if n := binding.Len(); n != 0 {
		t.Errorf("Len = %d after the stream ended, want 0", n)
	}
	checkNoGoroutinesLeft(t, before)
}

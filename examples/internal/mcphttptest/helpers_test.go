package mcphttptest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

const (
	testIssuer      = "https://issuer.example.com"
	testMetadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource"
)

// testHierarchy: whoami:super implies whoami:admin, which implies
// whoami:read; files:all and files:read imply each other (a cycle).
var testHierarchy = map[string][]string{
	"whoami:super": {"whoami:admin"},
	"whoami:admin": {"whoami:read"},
	"files:all":    {"files:read"},
	"files:read":   {"files:all"},
}

// testTokens are the tokens the fake verifier accepts.
var testTokens = map[string]*bearer.AuthInfo{
	"alice-read":  {Issuer: testIssuer, Subject: "alice", Scopes: []string{"whoami:read"}},
	"alice-admin": {Issuer: testIssuer, Subject: "alice", Scopes: []string{"whoami:read", "whoami:admin"}},
	"alice-super": {Issuer: testIssuer, Subject: "alice", Scopes: []string{"whoami:super"}},
	"bob-read":    {Issuer: testIssuer, Subject: "bob", Scopes: []string{"whoami:read"}},
	"carol-read":  {Issuer: testIssuer, Subject: "carol", Scopes: []string{"whoami:read"}},
	"nosub-read":  {Issuer: testIssuer, Scopes: []string{"whoami:read"}},
}

var testVerifier = bearer.VerifierFunc(func(_ context.Context, token string) (*bearer.AuthInfo, error) {
	if info, ok := testTokens[token]; ok {
		return info, nil
	}
	return nil, bearer.InvalidToken("unknown test token", nil)
})

// newAuthenticator returns the real bearer middleware with the fake
// verifier, requiring whoami:read.
func newAuthenticator(t testing.TB) *bearer.Authenticator {
	t.Helper()
	a, err := bearer.New(testVerifier,
		bearer.WithRequiredScopes("whoami:read"),
		bearer.WithScopeHierarchy(testHierarchy),
		bearer.WithResourceMetadataURL(testMetadataURL))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testGateConfig is the scope configuration of the tests.
func testGateConfig() mcphttp.ToolScopes {
	return mcphttp.ToolScopes{
		Tools:   map[string][]string{"admin_only": {"whoami:admin"}, "files": {"files:read"}},
		Methods: map[string][]string{"resources/read": {"files:read"}},
		MaxBody: 4096,
	}
}

// newMCPServer returns an mcp-go server with the tools "whoami" (answers
// "<subject from the request context>|<argument echo>") and "admin_only",
// which checks whoami:admin itself with authn.CheckScopes, the way a tool
// handler that decides for itself does.
func newMCPServer(authn *bearer.Authenticator) *server.MCPServer {
	s := server.NewMCPServer("mcphttp-test", "1.0.0", server.WithToolCapabilities(false))
	whoami := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		info, ok := bearer.FromContext(ctx)
		if !ok {
			return mcp.NewToolResultError("no AuthInfo in the tool's context"), nil
		}
		return mcp.NewToolResultText(info.Subject + "|" + req.GetString("echo", "")), nil
	}
	admin := func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		info, ok := bearer.FromContext(ctx)
		if !ok || authn.CheckScopes(info, "whoami:admin") != nil {
			return mcp.NewToolResultError("the gate let a caller without whoami:admin through"), nil
		}
		return mcp.NewToolResultText("admin ok"), nil
	}
	s.AddTool(mcp.NewTool("whoami", mcp.WithString("echo")), whoami)
	s.AddTool(mcp.NewTool("admin_only"), admin)
	return s
}

// stack is a test server: the real bearer middleware, the session binding,
// the scope gate and mcp-go's stateful streamable HTTP transport.
type stack struct {
	srv     *httptest.Server
	binding *mcphttp.SessionBinding
}

func newStack(t *testing.T, opts ...mcphttp.SessionOption) *stack {
	t.Helper()
	authn := newAuthenticator(t)
	gate, err := mcphttp.NewScopeGate(testGateConfig(), authn)
	if err != nil {
		t.Fatal(err)
	}
	binding, err := mcphttp.NewSessionBinding(authn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	transport := server.NewStreamableHTTPServer(newMCPServer(authn), server.WithStateful(true))
	mux := http.NewServeMux()
	mux.Handle("/mcp", authn.Handler(binding.Handler(gate(transport))))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		_ = transport.Shutdown(context.Background())
	})
	return &stack{srv: srv, binding: binding}
}

// reply is what a test request got back.
type reply struct {
	status int
	header http.Header
	body   string
}

// call sends one request to url. token and sid may be empty; extra header
// lines are "Name: value".
func call(t *testing.T, method, url, token, sid, body string, extra ...string) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if sid != "" {
		req.Header.Set("Mcp-Session-Id", sid)
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	}
	for _, h := range extra {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Add(name, strings.TrimSpace(value))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`

// initialize opens a session as token and returns its id.
func initialize(t *testing.T, url, token string) string {
	t.Helper()
	r := call(t, http.MethodPost, url, token, "", initializeBody)
	if r.status != http.StatusOK {
		t.Fatalf("initialize as %s: status %d, body %s", token, r.status, r.body)
	}
	sid := r.header.Get("Mcp-Session-Id")
	if sid == "" {
		t.Fatal("initialize: no Mcp-Session-Id")
	}
	n := call(t, http.MethodPost, url, token, sid, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	if n.status != http.StatusAccepted {
		t.Fatalf("notifications/initialized: status %d, body %s", n.status, n.body)
	}
	return sid
}

func toolCall(id int, name, args string) string {
	if args == "" {
		args = "{}"
	}
	return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/call","params":{"name":"` + name + `","arguments":` + args + `}}`
}

// checkNoGoroutinesLeft fails t if, once the servers are closed, more
// goroutines run than before the test. Connection goroutines end shortly
// after their connection closes, so it waits for them, yielding, within a
// generous bound (no fixed sleep).
func checkNoGoroutinesLeft(t *testing.T, before int) {
	t.Helper()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:n])
		}
		runtime.Gosched()
	}
}

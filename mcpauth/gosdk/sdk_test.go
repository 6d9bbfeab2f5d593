package gosdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/mcpauth/gosdk"
)

// caller is what the test tool reports: both views of the caller as a tool
// handler sees them.
type caller struct {
	UserID   string   `json:"user_id"`
	Scopes   []string `json:"scopes"`
	Issuer   string   `json:"issuer"`
	ClientID string   `json:"client_id"`
	Username string   `json:"username"`
}

// startSDKServer serves a Go SDK MCP server, whose "caller" tool reads
// req.Extra, behind the adapter on a loopback port.
func startSDKServer(t *testing.T) *httptest.Server {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "gosdk-test", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "caller"}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, caller, error) {
		ti := req.Extra.TokenInfo
		info, ok := gosdk.AuthInfo(req.Extra)
		if ti == nil || !ok {
			return nil, caller{}, errNoCaller
		}
		username, _ := info.Claims["username"].(string)
		issuer, _ := ti.Extra[gosdk.ExtraIssuer].(string)
		return nil, caller{UserID: ti.UserID, Scopes: ti.Scopes, Issuer: issuer, ClientID: info.ClientID, Username: username}, nil
	})
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	authn := newAuthenticator(t, newFakeVerifier())
	srv := httptest.NewServer(gosdk.Middleware(authn)(handler))
	t.Cleanup(srv.Close)
	return srv
}

// errNoCaller makes the tool report a tool error.
var errNoCaller = errors.New("no caller in req.Extra")

// withToken is a RoundTripper that adds a fixed bearer token.
type withToken struct {
	token string
	base  http.RoundTripper
}

func (w withToken) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+w.token)
	return w.base.RoundTrip(r)
}

// The SDK's own client and server: the tool finds the caller in
// req.Extra.TokenInfo, with this library's AuthInfo behind it.
func TestSDKToolSeesTheCaller(t *testing.T) {
	srv := startSDKServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "gosdk-test-client", Version: "1"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:             srv.URL,
		HTTPClient:           &http.Client{Transport: withToken{"alice", http.DefaultTransport}},
		DisableStandaloneSSE: true,
	}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer session.Close()
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "caller"})
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	if res.IsError {
		t.Fatalf("tool error: %+v", res.Content)
	}
	var got caller
	if err := json.Unmarshal([]byte(res.Content[0].(*mcp.TextContent).Text), &got); err != nil {
		t.Fatal(err)
	}
	want := caller{UserID: "alice-id", Scopes: []string{"read"}, Issuer: testIssuer, ClientID: "client-1", Username: "alice"}
	if got.UserID != want.UserID || strings.Join(got.Scopes, " ") != "read" || got.Issuer != want.Issuer ||
		got.ClientID != want.ClientID || got.Username != want.Username {
		t.Errorf("the tool saw %+v, want %+v", got, want)
	}
}

// The SDK binds a stateful session (protocol versions before 2026-07-28) to
// TokenInfo.UserID, which the adapter sets to the subject: another user's
// valid token cannot use the session.
func TestSDKSessionBoundToSubject(t *testing.T) {
	srv := startSDKServer(t)
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	status, header, body := post(t, srv.URL, "alice", "", init)
	sessionID := header.Get("Mcp-Session-Id")
	if status != http.StatusOK || sessionID == "" {
		t.Fatalf("initialize: %d, session %q, %s", status, sessionID, body)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	if status, _, body := post(t, srv.URL, "bob", sessionID, list); status != http.StatusForbidden {
		t.Errorf("bob on alice's session: %d %s, want 403", status, body)
	}
	if status, _, body := post(t, srv.URL, "alice", sessionID, list); status != http.StatusOK {
		t.Errorf("alice on her session: %d %s, want 200", status, body)
	}
}

// post sends one JSON-RPC message as a streamable HTTP client would.
func post(t *testing.T, url, token, sessionID, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if sessionID != "" {
		req.Header.Set("Mcp-Session-Id", sessionID)
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
	return resp.StatusCode, resp.Header, string(b)
}

package mcphttptest

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

// The session and scope-gate attack corpus, end to end: the real bearer
// middleware, the session binding, the scope gate and mcp-go's stateful
// streamable HTTP server. The unit tables of gate_test.go and
// session_test.go judge single decisions; this table shows that the whole
// chain never runs the protected tool ("admin_only", which answers "admin
// ok") for a caller who may not, and never lets one user into another's
// session. Cases already run end to end by mcphttp_test.go (foreign
// session, no token, forged and ended session ids, a batch needing the
// union, Mcp-Name hiding a gated tool, trailing values, body over MaxBody)
// are not repeated.

const attackOtherIssuer = "https://other-issuer.example.com"

// attackTokens extends testTokens with a token whose subject equals
// alice's but whose issuer differs.
var attackTokens = map[string]*bearer.AuthInfo{
	"alice-other-issuer": {Issuer: attackOtherIssuer, Subject: "alice", Scopes: []string{"whoami:read", "whoami:admin"}},
}

// newAttackStack is newStack with attackTokens accepted as well.
func newAttackStack(t *testing.T) string {
	t.Helper()
	v := bearer.VerifierFunc(func(ctx context.Context, token string) (*bearer.AuthInfo, error) {
		if info, ok := attackTokens[token]; ok {
			return info, nil
		}
		return testVerifier(ctx, token)
	})
	authn, err := bearer.New(v, bearer.WithRequiredScopes("whoami:read"), bearer.WithScopeHierarchy(testHierarchy),
		bearer.WithResourceMetadataURL(testMetadataURL))
	if err != nil {
		t.Fatal(err)
	}
	gate, err := mcphttp.NewScopeGate(testGateConfig(), authn)
	if err != nil {
		t.Fatal(err)
	}
	binding, err := mcphttp.NewSessionBinding(authn)
	if err != nil {
		t.Fatal(err)
	}
	transport := server.NewStreamableHTTPServer(newMCPServer(authn), server.WithStateful(true))
	srv := httptest.NewServer(authn.Handler(binding.Handler(gate(transport))))
	t.Cleanup(func() {
		srv.Close()
		_ = transport.Shutdown(context.Background())
	})
	return srv.URL + "/mcp"
}

// sessionAttack is one request of the table. Session ids are named:
// "alice" and "bob" are the sessions those users opened, anything else is
// sent as it is.
type sessionAttack struct {
	name        string
	method      string // default POST
	token       string
	sids        []string // Mcp-Session-Id values
	querySID    string   // sessionId query parameter
	contentType string   // default application/json
	headers     []string // extra "Name: value" lines
	body        string
	status      int
	// protected marks a request that must not run admin_only; a control
	// that may run it leaves it false.
	protected bool
	inBody    string // text the body must contain
}

func TestAttackSessionsAndGate(t *testing.T) {
	u := newAttackStack(t)
	sessions := map[string]string{"alice": initialize(t, u, "alice-read"), "bob": initialize(t, u, "bob-read")}
	admin := toolCall(90, "admin_only", "")
	whoami := toolCall(91, "whoami", `{"echo":"x"}`)
	b64 := func(s string) string { return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	const (
		forbidden   = `session belongs to another user`
		notFound    = `"code":-32001`
		invalidReq  = `"code":-32600`
		parseErr    = `"code":-32700`
		mismatch    = `"code":-32020`
		scopeDenied = `"error":"insufficient_scope"`
	)

	tests := []sessionAttack{
		// Controls.
		{name: "control: alice in her session", token: "alice-read", sids: []string{"alice"}, body: whoami,
			status: 200, inBody: "alice|x"},
		{name: "control: alice with more scopes in her session runs admin_only", token: "alice-admin", sids: []string{"alice"},
			body: admin, status: 200, inBody: "admin ok"},

		// Sessions.
		{name: "bob's token in alice's session", token: "bob-read", sids: []string{"alice"}, body: whoami,
			status: 403, inBody: forbidden, protected: true},
		{name: "same subject from another issuer in alice's session", token: "alice-other-issuer", sids: []string{"alice"},
			body: admin, status: 403, inBody: forbidden, protected: true},
		{name: "no token in alice's session", sids: []string{"alice"}, body: whoami, status: 401, protected: true},
		{name: "forged session id", token: "alice-read", sids: []string{"mcp-session-00000000-0000-0000-0000-000000000000"},
			body: whoami, status: 404, inBody: notFound, protected: true},
		{name: "bob sends his session id and alice's", token: "bob-read", sids: []string{"bob", "alice"}, body: whoami,
			status: 403, inBody: forbidden, protected: true},
		{name: "bob sends alice's session id and his", token: "bob-read", sids: []string{"alice", "bob"}, body: whoami,
			status: 403, inBody: forbidden, protected: true},
		{name: "bob names alice's session in the sessionId query parameter", token: "bob-read", sids: []string{"bob"},
			querySID: "alice", body: whoami, status: 403, inBody: forbidden, protected: true},

		// Scope gate bypass attempts (alice-read lacks whoami:admin).
		{name: "admin_only without the scope", token: "alice-read", sids: []string{"alice"}, body: admin,
			status: 403, inBody: scopeDenied, protected: true},
		{name: "batch: allowed call then protected call", token: "alice-read", sids: []string{"alice"},
			body: "[" + whoami + "," + admin + "]", status: 403, inBody: scopeDenied, protected: true},
		{name: "batch: protected call inside a nested batch", token: "alice-read", sids: []string{"alice"},
			body: "[" + whoami + ",[" + admin + "]]", status: 400, inBody: invalidReq, protected: true},
		{name: `"Method" instead of "method"`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":92,"Method":"tools/call","params":{"name":"admin_only"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: `"METHOD" instead of "method"`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":93,"METHOD":"tools/call","params":{"name":"admin_only"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: `"method" then "Method"`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":94,"method":"tools/list","Method":"tools/call","params":{"name":"admin_only"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: `"Params" beside "params"`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":95,"method":"tools/call","params":{"name":"whoami"},"Params":{"name":"admin_only"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: `"params" twice`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":96,"method":"tools/call","params":{"name":"whoami"},"params":{"name":"admin_only"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: `duplicate "name", protected last`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":97,"method":"tools/call","params":{"name":"whoami","name":"admin_only"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: `duplicate "name", protected first`, token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":98,"method":"tools/call","params":{"name":"admin_only","name":"whoami"}}`,
			status: 400, inBody: invalidReq, protected: true},
		{name: "escaped tool name", token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"\u0061dmin_only"}}`,
			status: 403, inBody: scopeDenied, protected: true},
		{name: "escaped member names and method", token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":100,"\u006dethod":"tools\/call","p\u0061rams":{"n\u0061me":"admin_only"}}`,
			status: 403, inBody: scopeDenied, protected: true},
		{name: "trailing garbage after the object", token: "alice-read", sids: []string{"alice"},
			body: admin + ` garbage`, status: 400, inBody: parseErr, protected: true},
		{name: "allowed call, then a comma and the protected call", token: "alice-read", sids: []string{"alice"},
			body: whoami + "," + admin, status: 400, inBody: parseErr, protected: true},
		{name: "byte order mark before the object", token: "alice-read", sids: []string{"alice"},
			body: "\ufeff" + admin, status: 400, inBody: parseErr, protected: true},
		{name: "Mcp-Name claims an allowed tool", token: "alice-read", sids: []string{"alice"}, body: admin,
			headers: []string{"Mcp-Method: tools/call", "Mcp-Name: whoami"}, status: 400, inBody: mismatch, protected: true},
		{name: "Mcp-Name claims an allowed tool in Base64", token: "alice-read", sids: []string{"alice"}, body: admin,
			headers: []string{"Mcp-Method: tools/call", "Mcp-Name: " + b64("whoami")}, status: 400, inBody: mismatch, protected: true},
		{name: "Mcp-Name without Mcp-Method", token: "alice-read", sids: []string{"alice"}, body: admin,
			headers: []string{"Mcp-Name: whoami"}, status: 400, inBody: mismatch, protected: true},
		{name: "protected call sent as text/plain", token: "alice-read", sids: []string{"alice"}, body: admin,
			contentType: "text/plain", status: 403, inBody: scopeDenied, protected: true},
		{name: "protected call sent with PUT", method: http.MethodPut, token: "alice-read", sids: []string{"alice"},
			body: admin, status: 404, protected: true},
		{name: "protected call sent with PATCH", method: http.MethodPatch, token: "alice-read", sids: []string{"alice"},
			body: admin, status: 404, protected: true},
		{name: "case-changed tool name is another (unknown) tool", token: "alice-read", sids: []string{"alice"},
			body: toolCall(101, "ADMIN_ONLY", ""), status: 200, inBody: `"id":101`, protected: true},
		{name: "tool name with a trailing NUL is another (unknown) tool", token: "alice-read", sids: []string{"alice"},
			body:   `{"jsonrpc":"2.0","id":102,"method":"tools/call","params":{"name":"admin_only\u0000"}}`,
			status: 200, inBody: `"id":102`, protected: true},

		// Last, so that a broken binding cannot spoil the cases above.
		{name: "bob deletes alice's session", method: http.MethodDelete, token: "bob-read", sids: []string{"alice"},
			status: 403, inBody: forbidden, protected: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := attackCall(t, u, tt, sessions)
			if tt.protected && strings.Contains(body, "admin ok") {
				t.Fatalf("the protected tool ran: status %d, body %s", status, body)
			}
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %s", status, tt.status, body)
			}
			if !strings.Contains(body, tt.inBody) {
				t.Errorf("body %s does not contain %s", body, tt.inBody)
			}
		})
	}
}

// attackCall sends tt and returns the status and body.
func attackCall(t *testing.T, u string, tt sessionAttack, sessions map[string]string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	method := tt.method
	if method == "" {
		method = http.MethodPost
	}
	named := func(s string) string {
		if id, ok := sessions[s]; ok {
			return id
		}
		return s
	}
	if tt.querySID != "" {
		u += "?sessionId=" + url.QueryEscape(named(tt.querySID))
	}
	var rd io.Reader
	if tt.body != "" {
		rd = strings.NewReader(tt.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	ct := tt.contentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	if tt.token != "" {
		req.Header.Set("Authorization", "Bearer "+tt.token)
	}
	for _, s := range tt.sids {
		req.Header.Add("Mcp-Session-Id", named(s))
	}
	for _, h := range tt.headers {
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
	return resp.StatusCode, string(b)
}

package mcphttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-auth/go/bearer"
)

// fakeWriter is an ErrorWriter that records the error and answers with its
// status and nothing else.
type fakeWriter struct{ err error }

func (f *fakeWriter) WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	f.err = err
	status := http.StatusInternalServerError
	if e, ok := errors.AsType[*bearer.Error](err); ok {
		status = e.Status
	}
	w.WriteHeader(status)
}

var unitHierarchy = map[string][]string{
	"admin": {"write"},
	"write": {"read"},
	"a":     {"b"},
	"b":     {"a"}, // a cycle
}

const unitMetadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

// unitAuthenticator is the real bearer middleware the unit tests give the
// gate: it requires "read" (named twice: the challenge must name it once)
// and knows unitHierarchy. Its verifier is never called.
func unitAuthenticator(t testing.TB) *bearer.Authenticator {
	t.Helper()
	a, err := bearer.New(bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
		return nil, bearer.InvalidToken("the unit tests verify no token", nil)
	}),
		bearer.WithRequiredScopes("read", "read"),
		bearer.WithScopeHierarchy(unitHierarchy),
		bearer.WithResourceMetadataURL(unitMetadataURL))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// recordingAuthorizer is the real Authenticator that also records the
// error the gate hands to WriteError.
type recordingAuthorizer struct {
	*bearer.Authenticator
	err error
}

func (r *recordingAuthorizer) WriteError(w http.ResponseWriter, req *http.Request, err error) {
	r.err = err
	r.Authenticator.WriteError(w, req, err)
}

func unitConfig() ToolScopes {
	return ToolScopes{
		Tools:   map[string][]string{"delete": {"admin"}, "save": {"write", "files"}, "open": nil},
		Methods: map[string][]string{"resources/read": {"files"}, "tools/call": {"tools"}},
		MaxBody: 256,
	}
}

func TestScopeGateDecide(t *testing.T) {
	g, err := newScopeGate(unitConfig(), unitAuthenticator(t))
	if err != nil {
		t.Fatal(err)
	}
	call := func(name string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + name + `"}}`
	}
	tests := []struct {
		name       string
		scopes     []string
		body       string
		header     http.Header
		wantScopes []string // the 403 challenge; nil when granted
		wantCode   int      // JSON-RPC code of a 400; 0 when none
	}{
		{name: "tools/list with the baseline", scopes: []string{"read"},
			body: `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`},
		{name: "nothing at all", scopes: nil,
			body: `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, wantScopes: []string{"read"}},
		{name: "tool held, baseline missing", scopes: []string{"tools", "files"}, body: `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///x"}}`,
			wantScopes: []string{"read", "files"}},
		{name: "notification", scopes: []string{"read"}, body: `{"jsonrpc":"2.0","method":"notifications/initialized"}`},
		{name: "response to a server request", scopes: []string{"read"}, body: `{"jsonrpc":"2.0","id":7,"result":{}}`},
		{name: "tool with method and tool scopes", scopes: []string{"read", "tools", "write", "files"}, body: call("save")},
		{name: "tool missing one", scopes: []string{"read", "tools", "write"}, body: call("save"),
			wantScopes: []string{"read", "files", "tools", "write"}},
		{name: "tool through hierarchy", scopes: []string{"admin", "tools"}, body: call("delete")},
		{name: "tool through hierarchy, two steps", scopes: []string{"admin", "tools", "files"}, body: call("save")},
		{name: "hierarchy is one way", scopes: []string{"read", "write", "tools"}, body: call("delete"),
			wantScopes: []string{"read", "admin", "tools"}},
		{name: "unknown tool", scopes: []string{"read", "tools"}, body: call("nope")},
		{name: "tool listed without scopes", scopes: []string{"read", "tools"}, body: call("open")},
		{name: "method scopes", scopes: []string{"read"},
			body:       `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///x"}}`,
			wantScopes: []string{"read", "files"}},
		{name: "batch union", scopes: []string{"read", "tools"},
			body:       "[" + call("open") + "," + call("delete") + "," + call("save") + "]",
			wantScopes: []string{"read", "admin", "files", "tools", "write"}},
		{name: "batch granted", scopes: []string{"admin", "tools", "files"},
			body: " [" + call("open") + ",\n" + call("delete") + "," + call("save") + "] "},
		{name: "escaped tool name", scopes: []string{"read", "tools"}, body: call(`d\u0065lete`),
			wantScopes: []string{"read", "admin", "tools"}},
		{name: "escaped member name", scopes: []string{"read", "tools"},
			body: `{"\u006dethod":"tools/call","params":{"n\u0061me":"delete"}}`, wantScopes: []string{"read", "admin", "tools"}},
		{name: "headers agree", scopes: []string{"read", "tools"}, body: call("open"),
			header: http.Header{"Mcp-Method": {"tools/call"}, "Mcp-Name": {"open"}}},
		{name: "Base64 header agrees", scopes: []string{"read", "tools"}, body: call("open"),
			header: http.Header{"Mcp-Name": {"=?base64?b3Blbg==?="}}},
		{name: "Mcp-Name disagrees", scopes: []string{"admin", "tools"}, body: call("delete"),
			header: http.Header{"Mcp-Name": {"open"}}, wantCode: rpcHeaderMismatch},
		{name: "Mcp-Name bad Base64", scopes: []string{"read", "tools"}, body: call("open"),
			header: http.Header{"Mcp-Name": {"=?base64?***?="}}, wantCode: rpcHeaderMismatch},
		{name: "Mcp-Name repeated", scopes: []string{"read", "tools"}, body: call("open"),
			header: http.Header{"Mcp-Name": {"open", "open"}}, wantCode: rpcHeaderMismatch},
		{name: "Mcp-Name on a method without a name", scopes: []string{"read"},
			body: `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, header: http.Header{"Mcp-Name": {"x"}}, wantCode: rpcHeaderMismatch},
		{name: "Mcp-Method disagrees", scopes: []string{"read"},
			body: call("open"), header: http.Header{"Mcp-Method": {"tools/list"}}, wantCode: rpcHeaderMismatch},
		{name: "headers on a batch", scopes: []string{"admin", "tools", "files"},
			body: "[" + call("open") + "]", header: http.Header{"Mcp-Method": {"tools/call"}}, wantCode: rpcHeaderMismatch},
		{name: "not JSON", scopes: []string{"read"}, body: `{"method":`, wantCode: rpcParseError},
		{name: "empty body", scopes: []string{"read"}, body: ``, wantCode: rpcParseError},
		{name: "two values", scopes: []string{"read"}, body: call("open") + call("delete"), wantCode: rpcParseError},
		{name: "scalar", scopes: []string{"read"}, body: `42`, wantCode: rpcInvalidRequest},
		{name: "empty batch", scopes: []string{"read"}, body: `[]`, wantCode: rpcInvalidRequest},
		{name: "batch of a scalar", scopes: []string{"read"}, body: `[1]`, wantCode: rpcInvalidRequest},
		{name: "method not a string", scopes: []string{"read"}, body: `{"method":1}`, wantCode: rpcInvalidRequest},
		{name: "method null", scopes: []string{"read"}, body: `{"method":null}`, wantCode: rpcInvalidRequest},
		{name: "tools/call without name", scopes: []string{"read", "tools"}, body: `{"method":"tools/call","params":{}}`, wantCode: rpcInvalidRequest},
		{name: "tools/call without params", scopes: []string{"read", "tools"}, body: `{"method":"tools/call"}`, wantCode: rpcInvalidRequest},
		{name: "tools/call name not a string", scopes: []string{"read", "tools"}, body: `{"method":"tools/call","params":{"name":["delete"]}}`, wantCode: rpcInvalidRequest},
		{name: "repeated method", scopes: []string{"read", "tools"}, body: `{"method":"tools/list","method":"tools/call","params":{"name":"delete"}}`, wantCode: rpcInvalidRequest},
		{name: "case-folded method", scopes: []string{"read", "tools"}, body: `{"METHOD":"tools/call","params":{"name":"delete"}}`, wantCode: rpcInvalidRequest},
		{name: "long-s params", scopes: []string{"read", "tools"}, body: `{"method":"tools/call","paramſ":{"name":"delete"},"params":{"name":"open"}}`, wantCode: rpcInvalidRequest},
		{name: "underscored name", scopes: []string{"read", "tools"}, body: `{"method":"tools/call","params":{"na_me":"delete","name":"open"}}`, wantCode: rpcInvalidRequest},
		{name: "repeated name", scopes: []string{"read", "tools"}, body: `{"method":"tools/call","params":{"name":"open","name":"delete"}}`, wantCode: rpcInvalidRequest},
		{name: "params before method, repeated", scopes: []string{"read", "tools"}, body: `{"params":{"name":"open"},"Params":{"name":"delete"},"method":"tools/call"}`, wantCode: rpcInvalidRequest},
		{name: "repeated params of another method", scopes: []string{"read", "tools"}, body: `{"method":"tools/list","params":{},"params":{"cursor":"x"}}`, wantCode: rpcInvalidRequest},
		{name: "escaped repeated name", scopes: []string{"read", "tools"}, body: `{"method":"tools/call","params":{"name":"open","n\u0061me":"delete"}}`, wantCode: rpcInvalidRequest},
		{name: "bad member in a batch", scopes: []string{"read", "tools"}, body: `[` + call("open") + `,{"Method":"tools/call"}]`, wantCode: rpcInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			_, err := g.decide(&bearer.AuthInfo{Subject: "u", Scopes: tt.scopes}, h, []byte(tt.body))
			var pe *parseError
			var be *bearer.Error
			switch {
			case tt.wantCode != 0:
				if !errors.As(err, &pe) || pe.code != tt.wantCode {
					t.Fatalf("err = %v, want a parse error with code %d", err, tt.wantCode)
				}
			case tt.wantScopes != nil:
				if !errors.As(err, &be) {
					t.Fatalf("err = %v, want a *bearer.Error", err)
				}
				if be.Code != bearer.CodeMissingRequiredScopes || be.Status != http.StatusForbidden || !errors.Is(err, bearer.ErrInsufficientScope) {
					t.Errorf("code %s status %d, want %s 403", be.Code, be.Status, bearer.CodeMissingRequiredScopes)
				}
				if !slices.Equal(be.Scopes, tt.wantScopes) {
					t.Errorf("Scopes = %q, want %q", be.Scopes, tt.wantScopes)
				}
			case err != nil:
				t.Fatalf("err = %v, want none", err)
			}
		})
	}
}

func TestNewScopeGateConfig(t *testing.T) {
	authn := unitAuthenticator(t)
	tests := []struct {
		name string
		cfg  ToolScopes
		a    Authorizer
	}{
		{"nil Authorizer", ToolScopes{}, nil},
		{"nil *bearer.Authenticator", ToolScopes{}, (*bearer.Authenticator)(nil)},
		{"negative MaxBody", ToolScopes{MaxBody: -1}, authn},
		{"space in a tool scope", ToolScopes{Tools: map[string][]string{"t": {"a b"}}}, authn},
		{"empty tool scope", ToolScopes{Tools: map[string][]string{"t": {""}}}, authn},
		{"non-ASCII method scope", ToolScopes{Methods: map[string][]string{"m": {"é"}}}, authn},
		{"offline_access for a tool", ToolScopes{Tools: map[string][]string{"t": {"offline_access"}}}, authn},
		{"offline_access for a method", ToolScopes{Methods: map[string][]string{"m": {"offline_access"}}}, authn},
		{"empty tool name", ToolScopes{Tools: map[string][]string{"": {"x"}}}, authn},
		{"quote in a tool scope", ToolScopes{Tools: map[string][]string{"t": {`x"y`}}}, authn},
		{"empty method", ToolScopes{Methods: map[string][]string{"": {"x"}}}, authn},
		{"backslash in a method scope", ToolScopes{Methods: map[string][]string{"m": {`x\y`}}}, authn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := NewScopeGate(tt.cfg, tt.a)
			if err == nil || mw != nil {
				t.Fatalf("NewScopeGate = %v, %v; want an error", mw != nil, err)
			}
			if !errors.Is(err, bearer.ErrMisconfigured) {
				t.Errorf("errors.Is(%v, ErrMisconfigured) = false", err)
			}
		})
	}
	t.Run("zero value works", func(t *testing.T) {
		g, err := newScopeGate(ToolScopes{}, authn)
		if err != nil || g.maxBody != DefaultMaxBody {
			t.Fatalf("newScopeGate(zero) = %+v, %v", g, err)
		}
	})
	t.Run("config is copied", func(t *testing.T) {
		cfg := ToolScopes{Tools: map[string][]string{"t": {"x"}}}
		g, err := newScopeGate(cfg, authn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Tools["t"][0] = "changed"
		cfg.Tools["u"] = []string{"y"}
		if got := g.tools; len(got) != 1 || got["t"][0] != "x" {
			t.Errorf("gate tools changed with the config: %q", got)
		}
	})
}

// recorder is a next handler that records what it got.
type recorder struct {
	called  bool
	body    []byte
	length  int64
	getBody []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.called = true
	rec.body, _ = io.ReadAll(r.Body)
	rec.length = r.ContentLength
	if r.GetBody != nil {
		if rc, err := r.GetBody(); err == nil {
			rec.getBody, _ = io.ReadAll(rc)
		}
	}
	w.WriteHeader(http.StatusTeapot)
}

// withInfo is the tiny test middleware: it puts an AuthInfo with the scopes
// of the X-Test-Scopes header in the context, or none without the header.
func withInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := r.Header["X-Test-Scopes"]; ok {
			info := &bearer.AuthInfo{Issuer: "iss", Subject: r.Header.Get("X-Test-User"), Scopes: strings.Fields(s[0])}
			r = r.WithContext(bearer.NewContext(r.Context(), info))
		}
		next.ServeHTTP(w, r)
	})
}

func TestScopeGateHandler(t *testing.T) {
	okCall := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"open","arguments":{"path":"/a b/\u00e9"}}}`
	tests := []struct {
		name       string
		method     string
		body       string
		chunked    bool
		scopes     *string
		wantStatus int
		wantNext   bool
		wantErr    error // category of the error handed to the writer
	}{
		{name: "POST granted", method: http.MethodPost, body: okCall, scopes: ptr("read tools"), wantStatus: http.StatusTeapot, wantNext: true},
		{name: "POST granted, chunked", method: http.MethodPost, body: okCall, chunked: true, scopes: ptr("read tools"), wantStatus: http.StatusTeapot, wantNext: true},
		{name: "POST refused", method: http.MethodPost, body: okCall, scopes: ptr("read"), wantStatus: http.StatusForbidden, wantErr: bearer.ErrInsufficientScope},
		{name: "POST without AuthInfo", method: http.MethodPost, body: okCall, wantStatus: http.StatusInternalServerError, wantErr: bearer.ErrMisconfigured},
		{name: "POST too large", method: http.MethodPost, body: strings.Repeat(" ", 257) + okCall, scopes: ptr("read tools"), wantStatus: http.StatusRequestEntityTooLarge},
		{name: "POST too large, chunked", method: http.MethodPost, body: strings.Repeat(" ", 257) + okCall, chunked: true, scopes: ptr("read tools"), wantStatus: http.StatusRequestEntityTooLarge},
		{name: "POST exactly MaxBody", method: http.MethodPost, body: okCall + strings.Repeat(" ", 256-len(okCall)), scopes: ptr("read tools"), wantStatus: http.StatusTeapot, wantNext: true},
		{name: "POST malformed", method: http.MethodPost, body: `{`, scopes: ptr("read tools"), wantStatus: http.StatusBadRequest},
		{name: "GET passes unjudged", method: http.MethodGet, wantStatus: http.StatusTeapot, wantNext: true},
		{name: "DELETE passes unjudged", method: http.MethodDelete, wantStatus: http.StatusTeapot, wantNext: true},
		{name: "OPTIONS passes unjudged", method: http.MethodOptions, wantStatus: http.StatusTeapot, wantNext: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw := &recordingAuthorizer{Authenticator: unitAuthenticator(t)}
			mw, err := NewScopeGate(unitConfig(), fw)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(strings.NewReader(tt.body)) // hides the length
			}
			req := httptest.NewRequest(tt.method, "/mcp", body)
			if tt.scopes != nil {
				req.Header.Set("X-Test-Scopes", *tt.scopes)
			}
			w := httptest.NewRecorder()
			withInfo(mw(rec)).ServeHTTP(w, req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.wantStatus, w.Body)
			}
			if rec.called != tt.wantNext {
				t.Fatalf("next called = %v, want %v", rec.called, tt.wantNext)
			}
			if tt.wantNext && tt.method == http.MethodPost {
				if !bytes.Equal(rec.body, []byte(tt.body)) || !bytes.Equal(rec.getBody, []byte(tt.body)) {
					t.Errorf("next got body %q (GetBody %q), want %q", rec.body, rec.getBody, tt.body)
				}
				if rec.length != int64(len(tt.body)) {
					t.Errorf("ContentLength = %d, want %d", rec.length, len(tt.body))
				}
			}
			if tt.wantErr != nil && !errors.Is(fw.err, tt.wantErr) {
				t.Errorf("writer got %v, want %v", fw.err, tt.wantErr)
			}
			if tt.wantErr == nil && fw.err != nil {
				t.Errorf("writer got %v, want nothing", fw.err)
			}
			if w.Code == http.StatusBadRequest || w.Code == http.StatusRequestEntityTooLarge {
				if ct := w.Header().Get("Content-Type"); ct != "application/json" || !strings.HasPrefix(w.Body.String(), `{"jsonrpc":"2.0","id":null,"error":{"code":-32`) {
					t.Errorf("JSON-RPC error answer: %s %s", ct, w.Body)
				}
			}
		})
	}
}

// TestScopeGateOuterLimit: an http.MaxBytesReader in front of the gate is
// answered 413 too.
func TestScopeGateOuterLimit(t *testing.T) {
	mw, err := NewScopeGate(ToolScopes{}, unitAuthenticator(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	h := withInfo(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 10)
		r.ContentLength = -1
		mw(rec).ServeHTTP(w, r)
	}))
	req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{"jsonrpc":"2.0","method":"ping","id":1}`))
	req.Header.Set("X-Test-Scopes", "read")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusRequestEntityTooLarge || rec.called {
		t.Fatalf("status %d, next called %v; want 413 and not called", w.Code, rec.called)
	}
}

// TestScopeGateRealAuthenticator: the gate's answers as the real
// bearer.Authenticator writes them, the challenge naming its required scope
// first, then the extra scopes sorted.
func TestScopeGateRealAuthenticator(t *testing.T) {
	mw, err := NewScopeGate(unitConfig(), unitAuthenticator(t))
	if err != nil {
		t.Fatal(err)
	}
	h := withInfo(mw(&recorder{}))
	call := func(name string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + name + `"}}`
	}
	challenge := func(scopes string) string {
		return `Bearer error="insufficient_scope", scope="` + scopes + `", resource_metadata="` + unitMetadataURL + `"`
	}
	tests := []struct {
		name, scopes  string
		body          string
		noInfo        bool
		wantStatus    int
		wantChallenge string
		wantBody      string
	}{
		{name: "403", scopes: "read", body: call("delete"), wantStatus: http.StatusForbidden,
			wantChallenge: challenge("read admin tools"), wantBody: `"error":"insufficient_scope"`},
		{name: "403 without the required scope", scopes: "tools", body: call("open"), wantStatus: http.StatusForbidden,
			wantChallenge: challenge("read tools"), wantBody: `"error":"insufficient_scope"`},
		{name: "403 for a batch: the union, sorted after the required scope", scopes: "read tools",
			body: "[" + call("save") + "," + call("delete") + "]", wantStatus: http.StatusForbidden,
			wantChallenge: challenge("read admin files tools write"), wantBody: `"error":"insufficient_scope"`},
		{name: "granted through the hierarchy", scopes: "admin tools", body: call("delete"), wantStatus: http.StatusTeapot},
		{name: "a cycle implies nothing outside it", scopes: "a tools", body: call("open"), wantStatus: http.StatusForbidden,
			wantChallenge: challenge("read tools"), wantBody: `"error":"insufficient_scope"`},
		{name: "500 without the bearer middleware", noInfo: true, body: call("delete"), wantStatus: http.StatusInternalServerError,
			wantBody: `"error":"server_error"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(tt.body))
			if !tt.noInfo {
				req.Header.Set("X-Test-Scopes", tt.scopes)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate\n got %q\nwant %q", got, tt.wantChallenge)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("body %s does not contain %s", w.Body, tt.wantBody)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestToolHandlerCheckScopes: a tool handler that checks scopes itself
// reads the caller with bearer.FromContext and asks the same authenticator,
// which applies its required scopes and hierarchy (bearer's own tests cover
// CheckScopes in depth).
func TestToolHandlerCheckScopes(t *testing.T) {
	authn := unitAuthenticator(t)
	allowed := func(ctx context.Context, scopes ...string) bool {
		info, ok := bearer.FromContext(ctx)
		return ok && authn.CheckScopes(info, scopes...) == nil
	}
	ctxWith := func(scopes ...string) context.Context {
		return bearer.NewContext(context.Background(), &bearer.AuthInfo{Subject: "u", Scopes: scopes})
	}
	tests := []struct {
		name   string
		ctx    context.Context
		scopes []string
		want   bool
	}{
		{"no AuthInfo", context.Background(), nil, false},
		{"no AuthInfo, scopes", context.Background(), []string{"read"}, false},
		{"nothing asked, required held", ctxWith("read"), nil, true},
		{"nothing asked, required missing", ctxWith("x"), nil, false},
		{"held", ctxWith("read", "x"), []string{"x", "read"}, true},
		{"not held", ctxWith("read"), []string{"read", "write"}, false},
		{"implied", ctxWith("admin"), []string{"read", "write", "admin"}, true},
		{"implication is one way", ctxWith("read"), []string{"admin"}, false},
		{"cycle", ctxWith("read", "a"), []string{"a", "b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allowed(tt.ctx, tt.scopes...); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

// The body buffer grows with what arrives, not with what Content-Length
// announces: 48 requests that each announce 1 MiB and send 9 bytes used to
// pin 48 MiB.
func TestScopeGateBufferFollowsTheBody(t *testing.T) {
	g, err := newScopeGate(ToolScopes{MaxBody: DefaultMaxBody}, unitAuthenticator(t))
	if err != nil {
		t.Fatal(err)
	}
	const announced, sent = 1 << 20, 9
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 48 {
		r := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(strings.Repeat("x", sent)))
		r.ContentLength = announced
		if _, status := g.readBody(r); status != http.StatusBadRequest {
			t.Fatalf("a body shorter than announced: status %d, want 400", status)
		}
	}
	runtime.ReadMemStats(&after)
	// Each request may pin maxPresize ahead of what arrived, never what it
	// announced (48 MiB here); httptest's request takes about 5 KiB more.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 48*(maxPresize+8<<10) {
		t.Fatalf("48 requests announcing 1 MiB and sending %d bytes allocated %d bytes", sent, grew)
	}
}

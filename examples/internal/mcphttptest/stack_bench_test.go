package mcphttptest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

// benchStack is the auth stack the benchmarks measure: the bearer
// middleware with a JWT verifier (static keys, so the token is in its cache
// after the first call), the session binding and the scope gate, each
// available alone.
type benchStack struct {
	token   string
	authn   *bearer.Authenticator
	binding *mcphttp.SessionBinding
	gate    func(http.Handler) http.Handler
}

func newBenchStack(b *testing.B) *benchStack {
	b.Helper()
	const issuer, resource = "https://auth.bench.example", "https://mcp.bench.example/mcp"
	token, jwks := benchToken(b, issuer, resource)
	v, err := bearer.NewJWTVerifier(b.Context(), []bearer.TrustedIssuer{{Issuer: issuer}}, bearer.WithStaticKeys(issuer, jwks))
	if err != nil {
		b.Fatal(err)
	}
	authn, err := bearer.New(v, bearer.WithIssuers(issuer), bearer.WithAudience(resource),
		bearer.WithRequiredScopes("whoami:read"),
		bearer.WithResourceMetadataURL("https://mcp.bench.example/.well-known/oauth-protected-resource/mcp"))
	if err != nil {
		b.Fatal(err)
	}
	gate, err := mcphttp.NewScopeGate(mcphttp.ToolScopes{Tools: map[string][]string{"admin_only": {"whoami:admin"}}}, authn)
	if err != nil {
		b.Fatal(err)
	}
	binding, err := mcphttp.NewSessionBinding(authn)
	if err != nil {
		b.Fatal(err)
	}
	return &benchStack{token: token, authn: authn, binding: binding, gate: gate}
}

// layers are the stacks measured: each layer behind the bearer middleware
// (which the other two need), then all three.
func (s *benchStack) layers() []struct {
	name string
	wrap func(http.Handler) http.Handler
} {
	return []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"bearer", func(h http.Handler) http.Handler { return s.authn.Handler(h) }},
		{"bearer+binding", func(h http.Handler) http.Handler { return s.authn.Handler(s.binding.Handler(h)) }},
		{"bearer+gate", func(h http.Handler) http.Handler { return s.authn.Handler(s.gate(h)) }},
		{"auth stack", func(h http.Handler) http.Handler { return s.authn.Handler(s.binding.Handler(s.gate(h))) }},
	}
}

// callBody is the tools/call every benchmark sends.
const callBody = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{"echo":"hello"}}}`

// benchTarget is an mcp-go streamable HTTP server on loopback with an open
// session, and the time spent in calls to it.
type benchTarget struct {
	url, sid, token string
	client          *http.Client
	spent           time.Duration
}

func newBenchTarget(b *testing.B, wrap func(http.Handler) http.Handler, token string) *benchTarget {
	b.Helper()
	transport := server.NewStreamableHTTPServer(benchServer(), server.WithStateful(true))
	srv := httptest.NewServer(wrap(transport))
	b.Cleanup(func() {
		srv.Close()
		_ = transport.Shutdown(context.Background())
	})
	t := &benchTarget{url: srv.URL, token: token, client: srv.Client()}
	t.sid = benchInitialize(b, t.client, srv.URL, token)
	return t
}

// call makes one tools/call round trip and adds its time to t.spent.
func (t *benchTarget) call(b *testing.B) {
	req, _ := http.NewRequest(http.MethodPost, t.url, strings.NewReader(callBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+t.token)
	req.Header.Set("Mcp-Session-Id", t.sid)
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	start := time.Now()
	resp, err := t.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	t.spent += time.Since(start)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkToolCallRoundTrip is a real MCP tools/call round trip over
// loopback through mcp-go's stateful streamable HTTP transport: bare, then
// behind the whole auth stack (see benchStack):
//
//	go test ./examples/internal/mcphttptest -run '^$' -bench ToolCallRoundTrip -benchmem -count 6 -cpu 1
//
// Run one after the other, the two drift apart with the machine's load;
// BenchmarkAuthStackOverhead measures the difference itself.
func BenchmarkToolCallRoundTrip(b *testing.B) {
	s := newBenchStack(b)
	for _, stack := range []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"bare", func(h http.Handler) http.Handler { return h }},
		s.layers()[3],
	} {
		b.Run(stack.name, func(b *testing.B) {
			t := newBenchTarget(b, stack.wrap, s.token)
			b.ReportAllocs()
			for b.Loop() {
				t.call(b)
			}
		})
	}
}

// BenchmarkAuthStackOverhead measures what each layer of the auth stack
// adds to a tools/call round trip, against a bare server in the same loop:
// every iteration makes one call to each (in alternating order), so load
// from other work on the machine falls on both alike, and the ratio of
// their times is reported as overhead-% (with bare-ns and stack-ns per
// call):
//
//	go test ./examples/internal/mcphttptest -run '^$' -bench AuthStackOverhead -benchtime 5s -count 3 -cpu 1
func BenchmarkAuthStackOverhead(b *testing.B) {
	s := newBenchStack(b)
	for _, layer := range s.layers() {
		b.Run(layer.name, func(b *testing.B) {
			bare := newBenchTarget(b, func(h http.Handler) http.Handler { return h }, s.token)
			stack := newBenchTarget(b, layer.wrap, s.token)
			odd := false
			for b.Loop() {
				if odd = !odd; odd {
					bare.call(b)
					stack.call(b)
				} else {
					stack.call(b)
					bare.call(b)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(bare.spent.Nanoseconds())/n, "bare-ns")
			b.ReportMetric(float64(stack.spent.Nanoseconds())/n, "stack-ns")
			b.ReportMetric(100*(float64(stack.spent)/float64(bare.spent)-1), "overhead-%")
		})
	}
}

// BenchmarkAuthStackInProcess is the auth stack's own work for the same
// call, without network or transport: each layer in front of a handler
// that only answers 200, on an open session, with httptest's request and
// recorder (whose cost is the "none" row).
func BenchmarkAuthStackInProcess(b *testing.B) {
	s := newBenchStack(b)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Mcp-Session-Id") == "" {
			w.Header().Set("Mcp-Session-Id", "session-1")
		}
		w.WriteHeader(http.StatusOK)
	})
	request := func(sid string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(callBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		if sid != "" {
			req.Header.Set("Mcp-Session-Id", sid)
		}
		return req
	}
	cases := []struct {
		name string
		h    http.Handler
	}{{"none", next}}
	for _, layer := range s.layers() {
		cases = append(cases, struct {
			name string
			h    http.Handler
		}{layer.name, layer.wrap(next)})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			w := httptest.NewRecorder()
			c.h.ServeHTTP(w, request("")) // opens the session
			sid := w.Header().Get("Mcp-Session-Id")
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				c.h.ServeHTTP(w, request(sid))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// benchServer is an mcp-go server with one tool that answers from the
// request alone.
func benchServer() *server.MCPServer {
	s := server.NewMCPServer("bench", "1.0.0", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("whoami", mcp.WithString("echo")), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		sub := "anonymous"
		if info, ok := bearer.FromContext(ctx); ok {
			sub = info.Subject
		}
		return mcp.NewToolResultText(sub + "|" + req.GetString("echo", "")), nil
	})
	return s
}

// benchInitialize opens a session and returns its id.
func benchInitialize(b *testing.B, c *http.Client, url, token string) string {
	b.Helper()
	post := func(sid, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+token)
		if sid != "" {
			req.Header.Set("Mcp-Session-Id", sid)
			req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
		}
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := post("", initializeBody)
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || sid == "" {
		b.Fatalf("initialize: %d, session %q", resp.StatusCode, sid)
	}
	post(sid, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return sid
}

// benchToken signs an ES256 access token for resource and returns it with
// the JWK Set that verifies it.
func benchToken(b *testing.B, issuer, resource string) (string, []byte) {
	b.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	key, _ := jwk.Import(priv)
	_ = key.Set(jwk.KeyIDKey, "k1")
	pub, _ := key.PublicKey()
	_ = pub.Set(jwk.AlgorithmKey, jwa.ES256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	jwks, _ := json.Marshal(set)
	tok, _ := jwt.NewBuilder().Issuer(issuer).Subject("alice").Audience([]string{resource}).
		Expiration(time.Now().Add(time.Hour)).Claim("scope", "whoami:read").Build()
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), key))
	if err != nil {
		b.Fatal(err)
	}
	return string(signed), jwks
}

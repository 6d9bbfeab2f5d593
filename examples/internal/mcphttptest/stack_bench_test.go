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

// BenchmarkToolCallRoundTrip is a real MCP tools/call round trip over
// loopback through mcp-go's stateful streamable HTTP transport: bare, then
// behind the whole auth stack (the bearer middleware with a JWT verifier,
// the token in its cache after the first call; the session binding; the
// scope gate). The difference is what the auth stack costs a call:
//
//	go test ./examples/internal/mcphttptest -run '^$' -bench ToolCallRoundTrip -benchmem -count 6 -cpu 1
func BenchmarkToolCallRoundTrip(b *testing.B) {
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
	for _, stack := range []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"bare", func(h http.Handler) http.Handler { return h }},
		{"auth stack", func(h http.Handler) http.Handler { return authn.Handler(binding.Handler(gate(h))) }},
	} {
		b.Run(stack.name, func(b *testing.B) {
			transport := server.NewStreamableHTTPServer(benchServer(), server.WithStateful(true))
			srv := httptest.NewServer(stack.wrap(transport))
			defer srv.Close()
			defer transport.Shutdown(context.Background())
			client := srv.Client()
			sid := benchInitialize(b, client, srv.URL, token)
			call := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{"echo":"hello"}}}`)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(call)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json, text/event-stream")
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Mcp-Session-Id", sid)
				req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
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

package mcphttp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mcp-auth/go/bearer"
)

// BenchmarkScopeGate measures the gate's whole path for a typical tools/call
// (read, parse, decide, restore the body), granted and refused.
func BenchmarkScopeGate(b *testing.B) {
	body := `{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"save","arguments":{"path":"/tmp/a","text":"` +
		strings.Repeat("x", 512) + `"},"_meta":{"progressToken":"p"}}}`
	g, err := newScopeGate(unitConfig(), unitAuthenticator(b))
	if err != nil {
		b.Fatal(err)
	}
	g.maxBody = DefaultMaxBody
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := g.handler(next)
	for _, c := range []struct {
		name   string
		scopes []string
		want   int
	}{
		{"granted", []string{"admin", "tools", "files"}, http.StatusNoContent},
		{"refused", []string{"read"}, http.StatusForbidden},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := bearer.NewContext(b.Context(), &bearer.AuthInfo{Subject: "u", Scopes: c.scopes})
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp", strings.NewReader(body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != c.want {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkSessionBinding measures a request on a bound session among many.
func BenchmarkSessionBinding(b *testing.B) {
	sb, err := NewSessionBinding(&fakeWriter{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10_000 {
		sb.store.bind(fmt.Sprint("s", i), defaultOwner(&bearer.AuthInfo{Issuer: "iss", Subject: fmt.Sprint("u", i)}))
	}
	h := sb.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	ctx := bearer.NewContext(b.Context(), &bearer.AuthInfo{Issuer: "iss", Subject: "u5000"})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/mcp", nil)
		req.Header.Set("Mcp-Session-Id", "s5000")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status %d", w.Code)
		}
	}
}

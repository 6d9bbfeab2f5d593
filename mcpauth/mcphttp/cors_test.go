package mcphttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/mcphttp"
)

func TestCORS(t *testing.T) {
	authn, err := bearer.New(bearer.VerifierFunc(func(_ context.Context, token string) (*bearer.AuthInfo, error) {
		return nil, bearer.InvalidToken("no", nil)
	}), bearer.WithResourceMetadataURL("https://mcp.example/.well-known/oauth-protected-resource/mcp"))
	if err != nil {
		t.Fatal(err)
	}
	called := false
	h := mcphttp.CORS("https://app.example")(authn.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true })))

	tests := []struct {
		name, method, origin, requestMethod string
		wantStatus                          int
		wantAllowOrigin                     string
		wantNext                            bool
	}{
		{"preflight from an allowed origin", http.MethodOptions, "https://app.example", "POST", http.StatusNoContent, "https://app.example", false},
		{"401 readable by the allowed origin", http.MethodPost, "https://app.example", "", http.StatusUnauthorized, "https://app.example", false},
		{"other origin: untouched", http.MethodPost, "https://evil.example", "", http.StatusUnauthorized, "", false},
		{"no origin: untouched", http.MethodPost, "", "", http.StatusUnauthorized, "", false},
		{"preflight from another origin goes on", http.MethodOptions, "https://evil.example", "POST", http.StatusOK, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called = false
			req := httptest.NewRequest(tt.method, "/mcp", nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.requestMethod != "" {
				req.Header.Set("Access-Control-Request-Method", tt.requestMethod)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || called != tt.wantNext {
				t.Fatalf("status %d, next called %v; want %d, %v", rec.Code, called, tt.wantStatus, tt.wantNext)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.wantAllowOrigin)
			}
			if tt.wantAllowOrigin != "" && tt.method == http.MethodPost && rec.Header().Get("Access-Control-Expose-Headers") == "" {
				t.Error("no Access-Control-Expose-Headers on a refusal")
			}
			if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
		})
	}
}

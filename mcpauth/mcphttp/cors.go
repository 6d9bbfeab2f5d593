package mcphttp

import (
	"net/http"
	"slices"
	"strings"
)

// CORS headers an MCP endpoint needs: the request headers MCP clients send
// (2025-03-26 to 2026-07-28) and the response headers they must read, the
// challenge first.
const (
	corsAllowHeaders  = "Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name"
	corsExposeHeaders = "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version"
	corsAllowMethods  = "GET, POST, DELETE, OPTIONS"
)

// CORS returns middleware that lets browser-based MCP clients call an MCP
// endpoint from the given origins ("*" for any). Put it outermost, in front
// of the bearer middleware, so that refusals (401, 403, 503) carry the CORS
// headers too: a browser hides a response without them, challenge included.
//
// A preflight (OPTIONS with Access-Control-Request-Method) from an allowed
// origin is answered 204 here, unauthenticated, as it must be: browsers
// send no credentials with it. Other requests from an allowed origin get
// Access-Control-Allow-Origin and Access-Control-Expose-Headers (the
// WWW-Authenticate challenge, Mcp-Session-Id, MCP-Protocol-Version) and go
// on to next. Requests from other origins, and requests without Origin, go
// to next untouched: CORS only relaxes what a browser lets a page read;
// validating Origin against DNS rebinding is the MCP transport's job.
//
// "*" suits bearer tokens, which a page cannot use without obtaining one
// itself; no Access-Control-Allow-Credentials is ever sent.
func CORS(origins ...string) func(http.Handler) http.Handler {
	anyOrigin := slices.Contains(origins, "*")
	allowed := func(origin string) bool { return origin != "" && (anyOrigin || slices.Contains(origins, origin)) }
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if !allowed(origin) {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			h.Add("Vary", "Origin")
			if anyOrigin {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if !strings.Contains(h.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
				h.Add("Access-Control-Expose-Headers", corsExposeHeaders)
			}
			next.ServeHTTP(w, r)
		})
	}
}

package interop

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
)

// BearerProxy starts a loopback reverse proxy to target (an MCP endpoint
// URL) that adds "Authorization: Bearer <token>" to every request, and
// returns the proxy's URL for the same path. It lets clients that cannot
// authorize, such as the conformance suite, reach a protected server. The
// Host header is passed through unchanged so that DNS-rebinding checks see
// what the client sent; responses are streamed (SSE works). The proxy is
// closed in t.Cleanup.
func BearerProxy(t testing.TB, target, token string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("interop: BearerProxy target: %v", err)
	}
	origin := &url.URL{Scheme: u.Scheme, Host: u.Host}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(origin)
			r.Out.Host = r.In.Host
			r.Out.Header.Set("Authorization", "Bearer "+token)
		},
		FlushInterval: -1,
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL + u.EscapedPath()
}

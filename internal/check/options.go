package check

import (
	"net/http"
	"time"

	"github.com/mcp-auth/go/internal/fetch"
)

// DefaultOrigin is the Origin the CORS checks send: a name of the reserved
// .example domain (RFC 2606), standing for a browser-based MCP client's
// page on any other origin.
const DefaultOrigin = "https://mcp-client.example"

// ProtocolVersion is the MCP-Protocol-Version header value sent with every
// metadata request, as MCP clients do after negotiating a version.
const ProtocolVersion = "2025-11-25"

// Options configures [Run]. The zero value is usable.
type Options struct {
	// Client sends every request. Nil means a client with no cookie jar
	// and [fetch.DefaultTimeout]. Run uses a copy whose redirect policy
	// and cookie jar are replaced: it follows same-origin redirects
	// itself, reports cross-origin ones, and never keeps cookies.
	Client *http.Client
	// Timeout bounds each request, body included (default
	// [fetch.DefaultTimeout]).
	Timeout time.Duration
	// InsecureHTTP lets the checker contact plain-http URLs on hosts other
	// than loopback ones, reporting each as a warning instead of a
	// failure. For development deployments on a closed network only.
	InsecureHTTP bool
	// Origin is the Origin header of the CORS checks (default
	// [DefaultOrigin]).
	Origin string
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = fetch.DefaultTimeout
	}
	if o.Origin == "" {
		o.Origin = DefaultOrigin
	}
	return o
}

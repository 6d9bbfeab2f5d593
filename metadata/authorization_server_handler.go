package metadata

import (
	"net/http"

	"github.com/mcp-auth/go/config"
)

// AuthorizationServerHandler mirrors an authorization server's RFC 8414
// metadata at the MCP server's origin, for MCP 2025-03-26 clients. Build it
// with [NewAuthorizationServerHandler]; it is immutable and safe for
// concurrent use. The zero value serves nothing (404).
type AuthorizationServerHandler struct {
	doc  *document
	resp responder
}

// NewAuthorizationServerHandler returns a handler serving m, marshalled
// once, at [AuthorizationServerWellKnownPath]. It is for MCP 2025-03-26
// clients only: they discard the path of the MCP URL and look for
// authorization server metadata at /.well-known/oauth-authorization-server
// on the MCP server's origin (falling back to /authorize, /token and
// /register there when it is missing). Clients of MCP 2025-06-18 and later
// find the authorization server through the protected resource metadata
// instead, and fetch its metadata from the authorization server itself.
//
// The document is served as m marshals, members m keeps in Extra included
// (when config.Metadata implements json.Marshaler), so the issuer and every
// endpoint stay the authorization server's own. m must not be nil, and its
// issuer must be an absolute https URL (http only for loopback hosts, or
// with [InsecureAllowHTTP]) without query or fragment; otherwise the error
// matches [ErrInvalidMetadata]. Later changes to m do not affect the
// handler. [WithCacheControl] applies; the other options are ignored.
//
// The handler answers at the well-known path with or without a trailing
// slash, whatever the query string, with the same methods, statuses and
// CORS headers as [NewProtectedResourceHandler]'s; any other path gets 404.
func NewAuthorizationServerHandler(m *config.Metadata, opts ...HandlerOption) (*AuthorizationServerHandler, error) {
	o := newOptions(opts)
	if !validHeaderValue(o.cacheControl) {
		return nil, invalid("WithCacheControl", o.cacheControl, "is not a valid header value")
	}
	if m == nil {
		return nil, invalid("authorization server metadata", "", "is nil")
	}
	if m.Issuer == "" {
		return nil, invalid("issuer", "", "is required")
	}
	if err := checkIssuer("issuer", m.Issuer, o.insecureHTTP); err != nil {
		return nil, err
	}
	doc, err := newDocument(m)
	if err != nil {
		return nil, invalid("authorization server metadata", m.Issuer, "cannot be marshalled: "+err.Error())
	}
	return &AuthorizationServerHandler{doc: doc, resp: responder{cacheControl: o.cacheControl}}, nil
}

// ServeHTTP answers a metadata request as described at
// [NewAuthorizationServerHandler].
func (h *AuthorizationServerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var doc *document
	if p := r.URL.EscapedPath(); p == AuthorizationServerWellKnownPath || p == AuthorizationServerWellKnownPath+"/" {
		doc = h.doc
	}
	h.resp.serve(w, r, doc)
}

// Paths returns the http.ServeMux patterns
// [AuthorizationServerHandler.Register] mounts the handler at: GET (which
// also matches HEAD) and OPTIONS on [AuthorizationServerWellKnownPath] and
// on the same path with a trailing slash ("{$}": exactly that path, so that
// paths below it stay free for other handlers).
func (h *AuthorizationServerHandler) Paths() []string {
	return muxPatterns(AuthorizationServerWellKnownPath, AuthorizationServerWellKnownPath+"/{$}")
}

// Register mounts h on mux at [AuthorizationServerHandler.Paths], with the
// same method-qualified patterns, 405 behaviour and panics on conflict as
// [ProtectedResourceHandler.Register].
func (h *AuthorizationServerHandler) Register(mux *http.ServeMux) {
	for _, p := range h.Paths() {
		mux.Handle(p, h)
	}
}

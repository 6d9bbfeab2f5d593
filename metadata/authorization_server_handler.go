package metadata

import (
	"net/http"
	"sync"

	"github.com/mcp-auth/go/config"
)

// AuthorizationServerHandler mirrors an authorization server's RFC 8414
// metadata at the MCP server's origin, for MCP 2025-03-26 clients. Build it
// with [NewAuthorizationServerHandler]; it is immutable and safe for
// concurrent use. The zero value serves nothing (404).
type AuthorizationServerHandler struct {
	doc  *document
	resp responder

	// A deferred server (config.Deferred): the document is built from the
	// first successful discovery.
	deferred *config.ServerConfig
	opts     []HandlerOption
	mu       sync.Mutex
	built    *AuthorizationServerHandler
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

// NewAuthorizationServerHandlerFor is [NewAuthorizationServerHandler] for
// the authorization server s. When s is a deferred configuration
// ([config.Deferred]) the document is discovered on the first request that
// needs it; until then such requests get 503 with Retry-After (never a
// document with only an issuer), and a discovered document that the
// handler cannot serve gets 500. Only s's issuer is checked now.
func NewAuthorizationServerHandlerFor(s *config.ServerConfig, opts ...HandlerOption) (*AuthorizationServerHandler, error) {
	if s == nil {
		return nil, invalid("authorization server", "", "is nil")
	}
	if !s.IsDeferred() {
		return NewAuthorizationServerHandler(&s.Metadata, opts...)
	}
	o := newOptions(opts)
	if !validHeaderValue(o.cacheControl) {
		return nil, invalid("WithCacheControl", o.cacheControl, "is not a valid header value")
	}
	if err := checkIssuer("issuer", s.Metadata.Issuer, o.insecureHTTP); err != nil {
		return nil, err
	}
	return &AuthorizationServerHandler{deferred: s, opts: opts, resp: responder{cacheControl: o.cacheControl}}, nil
}

// resolve returns the handler that serves the discovered document.
func (h *AuthorizationServerHandler) resolve(r *http.Request) (*AuthorizationServerHandler, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.built != nil {
		return h.built, 0
	}
	cfg, err := h.deferred.Resolve(r.Context())
	if err != nil {
		return nil, http.StatusServiceUnavailable
	}
	built, err := NewAuthorizationServerHandler(&cfg.Metadata, h.opts...)
	if err != nil {
		return nil, http.StatusInternalServerError
	}
	h.built = built
	return built, 0
}

// ServeHTTP answers a metadata request as described at
// [NewAuthorizationServerHandler].
func (h *AuthorizationServerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.deferred != nil && r.Method != http.MethodOptions {
		built, status := h.resolve(r)
		if status != 0 {
			if status == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "5")
			}
			writeError(w, r, status, unavailableBody)
			return
		}
		h = built
	}
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

package metadata

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// ProtectedResourceHandler serves RFC 9728 protected resource metadata
// documents. Build it with [NewProtectedResourceHandler]; it is immutable
// and safe for concurrent use. The zero value serves nothing (404).
type ProtectedResourceHandler struct {
	docs map[string]*document // by request path, root included
	resp responder
}

// NewProtectedResourceHandler validates every document (see
// [ProtectedResource.Validate]; the options [InsecureAllowHTTP] and
// [SkipOfflineAccessCheck] apply), marshals each once and returns the
// handler that serves them. Every mistake is reported here, as an error
// matching [ErrInvalidMetadata] (the problems of all documents joined): no
// resources, an invalid document,
// two resources with the same metadata path (such as "https://h/mcp" and
// "https://h/mcp/", or the same path on two hosts: use one handler per
// host), an unknown [WithRootResource] or an invalid [WithCacheControl]
// value. Later changes to resources do not affect the handler.
//
// The handler answers, whatever the Host header:
//
//   - at the path-suffixed metadata URL of each resource ([Path]), such as
//     /.well-known/oauth-protected-resource/mcp for https://h/mcp, also with
//     one trailing slash, and whatever the query string (the MCP TypeScript
//     SDK copies the MCP URL's query onto the metadata URL);
//   - at the root, [WellKnownPath] (with or without a trailing slash): the
//     document of the resource whose path is empty if there is one, else the
//     one named by [WithRootResource], else the only resource when exactly
//     one is configured, else nothing (404). Clients try the root URL when
//     the path-suffixed one fails (MCP 2025-11-25 and later, and several
//     clients before that) and then compare the document's resource with
//     the MCP URL they were given: the only resource's document is what
//     they need, but with several resources the root never guesses;
//   - 404 with {"error":"not_found"} on any other path.
//
// GET and HEAD get 200 with Content-Type application/json, the
// Cache-Control of [WithCacheControl] (default [DefaultCacheControl]) and,
// for GET, the document. OPTIONS gets a 204 CORS preflight answer allowing
// GET, HEAD and OPTIONS and the headers Authorization, Content-Type and
// MCP-Protocol-Version. Other methods get 405 with "Allow: GET, HEAD,
// OPTIONS". Every response carries "Access-Control-Allow-Origin: *". The
// handler requires no authentication, never redirects and ignores the
// MCP-Protocol-Version header: mount it beside the MCP endpoint, not behind
// the bearer middleware.
func NewProtectedResourceHandler(resources []ProtectedResource, opts ...HandlerOption) (*ProtectedResourceHandler, error) {
	o := newOptions(opts)
	if !validHeaderValue(o.cacheControl) {
		return nil, invalid("WithCacheControl", o.cacheControl, "is not a valid header value")
	}
	if len(resources) == 0 {
		return nil, invalid("resources", "", "at least one protected resource is required")
	}
	h := &ProtectedResourceHandler{
		docs: make(map[string]*document, len(resources)+1),
		resp: responder{cacheControl: o.cacheControl},
	}
	byResource := make(map[string]*document, len(resources))
	var errs []error
	for i := range resources {
		p := &resources[i]
		if err := p.Validate(opts...); err != nil {
			errs = append(errs, fmt.Errorf("protected resource #%d: %w", i+1, err))
			continue
		}
		path, err := Path(p.Resource)
		if err != nil {
			errs = append(errs, fmt.Errorf("protected resource #%d: %w", i+1, err))
			continue
		}
		if _, dup := h.docs[path]; dup {
			errs = append(errs, invalid("resource", p.Resource, "has the same metadata path ("+path+") as another configured resource"))
			continue
		}
		doc, err := newDocument(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("protected resource #%d: %w", i+1, invalid("resource", p.Resource, "cannot be marshalled: "+err.Error())))
			continue
		}
		h.docs[path] = doc
		byResource[p.Resource] = doc
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	rootDoc, hasRoot := h.docs[WellKnownPath]
	switch {
	case o.rootResource != nil:
		doc, ok := byResource[*o.rootResource]
		switch {
		case !ok:
			return nil, invalid("WithRootResource", *o.rootResource, "names no configured resource")
		case hasRoot && doc != rootDoc:
			return nil, invalid("WithRootResource", *o.rootResource, "conflicts with the resource with an empty path, which owns the root metadata URL")
		}
		h.docs[WellKnownPath] = doc
	case !hasRoot && len(resources) == 1:
		h.docs[WellKnownPath] = byResource[resources[0].Resource]
	}
	return h, nil
}

// ServeHTTP answers a metadata request as described at
// [NewProtectedResourceHandler].
func (h *ProtectedResourceHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.resp.serve(w, r, h.lookup(r.URL.EscapedPath()))
}

// lookup returns the document served at path (one trailing slash ignored),
// or nil.
func (h *ProtectedResourceHandler) lookup(path string) *document {
	if len(path) > len(WellKnownPath) && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	return h.docs[path]
}

// Paths returns the http.ServeMux patterns [ProtectedResourceHandler.Register]
// mounts the handler at: GET (which also matches HEAD) and OPTIONS on
// [WellKnownPath] and on the subtree below it, so that the handler answers
// the root and every path-suffixed URL, including for paths it has no
// document for (404 rather than whatever the mux's catch-all would do).
func (h *ProtectedResourceHandler) Paths() []string {
	return muxPatterns(WellKnownPath, WellKnownPath+"/")
}

// Register mounts h on mux at [ProtectedResourceHandler.Paths]. The patterns
// are method-qualified so that they do not conflict with other handlers,
// such as "GET /" or "POST /mcp"; a request with another method on a
// metadata path gets ServeMux's own 405 with "Allow: GET, HEAD, OPTIONS",
// or goes to a method-less pattern such as "/" if mux has one. Mount the
// handler yourself (mux.Handle(WellKnownPath+"/", h) and the root) for it to
// answer every method. Like ServeMux.Handle, Register panics if a pattern
// conflicts with one already registered.
func (h *ProtectedResourceHandler) Register(mux *http.ServeMux) {
	for _, p := range h.Paths() {
		mux.Handle(p, h)
	}
}

// servedPaths returns the request paths with a document, sorted (for tests
// and debugging).
func (h *ProtectedResourceHandler) servedPaths() []string {
	paths := make([]string, 0, len(h.docs))
	for p := range h.docs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

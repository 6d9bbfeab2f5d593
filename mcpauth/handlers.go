package mcpauth

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/mcp-auth/go/metadata"
)

// buildHandlers prepares the metadata handlers once, so that a mistake in a
// document is a construction error and serving is a copy of bytes.
func (a *MCPAuth) buildHandlers(c Config) error {
	a.prm, a.asm = http.NotFoundHandler(), http.NotFoundHandler()
	if len(a.resources) > 0 {
		docs := make([]metadata.ProtectedResource, 0, len(a.resources))
		for i, r := range a.resources {
			doc := c.ProtectedResources[i].Document
			doc.Resource = r.id
			doc.AuthorizationServers = r.issuers
			doc.ScopesSupported = r.scopes
			if doc.BearerMethodsSupported == nil {
				doc.BearerMethodsSupported = []string{"header"}
			}
			docs = append(docs, doc)
		}
		// The root well-known URL serves a pathless resource if there is
		// one, and otherwise the first resource configured.
		opts := []metadata.HandlerOption{}
		if !slices.ContainsFunc(docs, func(d metadata.ProtectedResource) bool { return pathless(d.Resource) }) {
			opts = append(opts, metadata.WithRootResource(docs[0].Resource))
		}
		if c.InsecureAllowHTTP {
			opts = append(opts, metadata.InsecureAllowHTTP())
		}
		h, err := metadata.NewProtectedResourceHandler(docs, opts...)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		a.prm, a.register = h, append(a.register, h.Register)
	}
	// The RFC 8414 mirror: the legacy server, or the one authorization
	// server that every resource shares (for 2025-03-26 clients, which look
	// for it at the MCP origin).
	mirror := a.legacy
	if mirror == nil {
		mirror = a.soleServer()
	}
	if mirror != nil {
		var opts []metadata.HandlerOption
		if c.InsecureAllowHTTP {
			opts = append(opts, metadata.InsecureAllowHTTP())
		}
		h, err := metadata.NewAuthorizationServerHandlerFor(mirror, opts...)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		a.asm, a.register = h, append(a.register, h.Register)
	}
	return nil
}

// soleServer returns the authorization server when all resources share
// exactly one, and nil otherwise.
func (a *MCPAuth) soleServer() *ServerConfig {
	var sole *ServerConfig
	for _, r := range a.resources {
		for _, s := range r.servers {
			if sole != nil && sole.Metadata.Issuer != s.Metadata.Issuer {
				return nil
			}
			sole = s
		}
	}
	return sole
}

// ProtectedResourceMetadataHandler returns the handler of the RFC 9728
// protected resource metadata documents: each resource's document at its
// path-suffixed well-known URL (/.well-known/oauth-protected-resource/mcp for
// https://host/mcp), and at the root well-known URL the document of the
// resource without a path, or else of the first resource configured, with
// CORS for browser clients. Mount it beside the MCP endpoint, never behind
// the bearer middleware; [MCPAuth.Register] does both mounts. In legacy mode
// it answers 404.
func (a *MCPAuth) ProtectedResourceMetadataHandler() http.Handler { return a.prm }

// AuthorizationServerMetadataHandler returns the handler that mirrors the
// authorization server's RFC 8414 metadata at
// /.well-known/oauth-authorization-server, for MCP 2025-03-26 clients, which
// look for it at the MCP server's origin. It serves the legacy Server, or in
// resource mode the authorization server when every resource has the same
// single one; otherwise it answers 404.
func (a *MCPAuth) AuthorizationServerMetadataHandler() http.Handler { return a.asm }

// Register mounts the metadata handlers on mux at their well-known paths.
// Mount the MCP endpoint separately, behind [MCPAuth.BearerAuth].
//
// The patterns are method-specific (GET and OPTIONS; GET covers HEAD), so
// they do not conflict with a catch-all such as "GET /".
func (a *MCPAuth) Register(mux *http.ServeMux) {
	for _, register := range a.register {
		register(mux)
	}
}

// pathless reports whether resource has no path beyond "/".
func pathless(resource string) bool {
	u, err := url.Parse(resource)
	return err == nil && (u.Path == "" || u.Path == "/")
}

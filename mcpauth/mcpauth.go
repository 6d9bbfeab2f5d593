package mcpauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/metadata"
)

// ErrInvalidConfig is matched (errors.Is) by every error [New] and the
// constructors of [MCPAuth] return for a configuration mistake.
var ErrInvalidConfig = errors.New("mcpauth: invalid configuration")

// MCPAuth wires one configuration into the metadata handlers, the bearer
// middleware and the verifiers, so that the issuer, resource, metadata URL
// and scopes agree everywhere. Build it with [New]; it is immutable and safe
// for concurrent use.
type MCPAuth struct {
	legacy         *ServerConfig          // legacy mode (2025-03-26)
	legacyAudience string                 // "": InsecureSkipLegacyAudienceCheck
	resources      []resourceEntry        // resource-server mode, in configuration order
	prm            http.Handler           // RFC 9728 documents (404 in legacy mode)
	asm            http.Handler           // RFC 8414 mirror, or 404
	register       []func(*http.ServeMux) // mounts prm and asm
	logger         *slog.Logger
	insecureHTTP   bool // Config.InsecureAllowHTTP, passed to everything built here
}

// resourceEntry is a validated [ResourceConfig].
type resourceEntry struct {
	id          string   // the resource identifier
	metadataURL string   // its RFC 9728 metadata URL
	issuers     []string // accepted issuers, in order
	servers     []*ServerConfig
	scopes      []string // scopes_supported
}

// New checks c and builds an [MCPAuth]. Every configuration mistake is
// reported here, never on a request: both modes or neither, an invalid or
// duplicate resource, a resource without authorization servers, a duplicate
// authorization server within a resource, an authorization server whose
// metadata fails validation (missing issuer, no "code" response type, no
// PKCE S256, ...; a deferred server's metadata is validated when it is
// discovered), legacy mode without a stated audience policy. Validation
// warnings, such as a server without dynamic client registration, go to
// c.Logger.
func New(c Config) (*MCPAuth, error) {
	a := &MCPAuth{logger: c.Logger, insecureHTTP: c.InsecureAllowHTTP}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.Server != nil && len(c.ProtectedResources) > 0:
		return nil, configErr("set either Server (legacy 2025-03-26 mode) or ProtectedResources, not both")
	case c.Server == nil && len(c.ProtectedResources) == 0:
		return nil, configErr("set Server (legacy 2025-03-26 mode) or ProtectedResources")
	case c.Server != nil:
		if err := a.checkServer(c.Server, c.InsecureAllowHTTP); err != nil {
			return nil, err
		}
		switch {
		case c.LegacyAudience == "" && !c.InsecureSkipLegacyAudienceCheck:
			return nil, configErr("legacy mode needs an audience policy: set LegacyAudience to the audience this server's tokens carry (its URL, or the provider's API identifier), or InsecureSkipLegacyAudienceCheck to accept any")
		case c.LegacyAudience != "" && c.InsecureSkipLegacyAudienceCheck:
			return nil, configErr("set LegacyAudience or InsecureSkipLegacyAudienceCheck, not both")
		}
		a.legacy, a.legacyAudience = c.Server, c.LegacyAudience
	default:
		if err := a.addResources(c.ProtectedResources, c.InsecureAllowHTTP); err != nil {
			return nil, err
		}
	}
	if err := a.buildHandlers(c); err != nil {
		return nil, err
	}
	return a, nil
}

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// built passes on what a constructor of the bearer or metadata package
// returned: a configuration mistake (bearer.ErrMisconfigured,
// metadata.ErrInvalidMetadata) also matches [ErrInvalidConfig], as
// everything New and the methods of MCPAuth report for one does; other
// errors (a provider that cannot be reached) are returned as they are.
func built[T any](v T, err error) (T, error) {
	if err != nil && (errors.Is(err, bearer.ErrMisconfigured) || errors.Is(err, metadata.ErrInvalidMetadata)) && !errors.Is(err, ErrInvalidConfig) {
		err = fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return v, err
}

// checkServer validates one authorization server's metadata, logging the
// warnings and failing on the errors.
func (a *MCPAuth) checkServer(s *ServerConfig, insecure bool) error {
	if s == nil {
		return configErr("nil authorization server")
	}
	if _, err := fetch.CheckURL(s.Metadata.Issuer, "issuer", insecure); err != nil {
		return configErr("%v", err)
	}
	if s.IsDeferred() {
		return nil // validated when discovered (config.Deferred)
	}
	var vopts []config.ValidateOption
	if insecure {
		vopts = append(vopts, config.InsecureAllowHTTPEndpoints())
	}
	res := s.Validate(vopts...)
	for _, w := range res.Warnings {
		a.logger.Warn("mcpauth: authorization server metadata warning",
			"issuer", s.Metadata.Issuer, "code", w.Code, "description", w.Description)
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("%w: authorization server %s: %w", ErrInvalidConfig, s.Metadata.Issuer, err)
	}
	return nil
}

func (a *MCPAuth) addResources(rcs []ResourceConfig, insecure bool) error {
	seen := map[string]bool{}
	for i, rc := range rcs {
		if rc.Resource == "" {
			return configErr("protected resource #%d has no Resource", i+1)
		}
		if seen[rc.Resource] {
			return configErr("protected resource %q is configured twice", rc.Resource)
		}
		seen[rc.Resource] = true
		if rc.Document.Resource != "" || len(rc.Document.AuthorizationServers) > 0 || len(rc.Document.ScopesSupported) > 0 {
			return configErr("protected resource %q: set Resource, AuthorizationServers and ScopesSupported on ResourceConfig, not on Document", rc.Resource)
		}
		if len(rc.AuthorizationServers) == 0 {
			return configErr("protected resource %q has no authorization server", rc.Resource)
		}
		r := resourceEntry{id: rc.Resource, servers: rc.AuthorizationServers, scopes: rc.ScopesSupported}
		for _, s := range rc.AuthorizationServers {
			if err := a.checkServer(s, insecure); err != nil {
				return err
			}
			if slices.Contains(r.issuers, s.Metadata.Issuer) {
				return configErr("protected resource %q lists authorization server %q twice", rc.Resource, s.Metadata.Issuer)
			}
			r.issuers = append(r.issuers, s.Metadata.Issuer)
		}
		u, err := metadata.URL(rc.Resource)
		if err != nil {
			return fmt.Errorf("%w: protected resource %q: %w", ErrInvalidConfig, rc.Resource, err)
		}
		r.metadataURL = u
		a.resources = append(a.resources, r)
	}
	return nil
}

package mcpauth

import (
	"context"

	"github.com/mcp-auth/go/config"
)

// FetchServerConfig discovers the authorization server identified by issuer.
//
// With [OAuth] it reads the RFC 8414 document
// (https://as/.well-known/oauth-authorization-server/<issuer path>), with
// [OIDC] the OpenID Connect one (<issuer>/.well-known/openid-configuration).
// The document's issuer must equal issuer exactly (RFC 8414 section 3.3), the
// URL must be https except for loopback hosts, and the response is bounded in
// time and size. Errors name the URL that failed and why; see the config
// package for the error types and for further options.
func FetchServerConfig(ctx context.Context, issuer string, t ServerType, opts ...config.FetchOption) (*ServerConfig, error) {
	return config.Fetch(ctx, issuer, t, opts...)
}

// FetchServerConfigByWellKnownURL reads the metadata document at the given
// well-known URL, for providers whose document lives somewhere the rules of
// [FetchServerConfig] do not predict.
func FetchServerConfigByWellKnownURL(ctx context.Context, url string, t ServerType, opts ...config.FetchOption) (*ServerConfig, error) {
	return config.FetchByWellKnownURL(ctx, url, t, opts...)
}

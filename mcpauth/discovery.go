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

// DeferredServerConfig describes the authorization server identified by
// issuer without fetching anything: it is discovered, as
// [FetchServerConfig] would, when a request first needs its metadata, so
// that the MCP server can start before its provider answers (they start
// together in a compose file or a cluster). This is mcp-auth JS 0.2's
// discovery configuration ({issuer, type}).
//
// Meanwhile the protected resource metadata is served (it needs only the
// issuer), requests without a token get their 401 challenge, and requests
// with one get 503 with Retry-After until the discovery succeeds. Concurrent
// first requests share one fetch; a failure is never kept, and the next
// fetch waits for a backoff of 1 s doubling to 5 minutes, so a provider
// that is down sees at most one request per backoff period. The fetched
// document is validated then (New cannot), and its issuer must equal
// issuer. See [config.Deferred].
func DeferredServerConfig(issuer string, t ServerType, opts ...config.FetchOption) (*ServerConfig, error) {
	return config.Deferred(issuer, t, opts...)
}

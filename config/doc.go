// Package config finds and checks the authorization server an MCP server
// trusts: the metadata document types (RFC 8414 and OpenID Connect
// Discovery 1.0 members, unknown members kept), the well-known URL rules,
// fetching with limits, and validation against what MCP clients need, with
// mcp-auth's codes.
//
// Quick start:
//
//	cfg, err := config.Fetch(ctx, "https://auth.example.com/oidc", config.OIDC)
//	if err != nil {
//		return err // a *config.FetchError naming every URL tried
//	}
//	res := cfg.Validate()
//	for _, w := range res.Warnings {
//		log.Printf("authorization server: %v", w)
//	}
//	if err := res.Err(); err != nil {
//		return err // errors.Is(err, config.ErrInvalidMetadata)
//	}
//	fmt.Println(cfg.Metadata.JWKSURI)
//
// Where to look: [OAuth] inserts /.well-known/oauth-authorization-server
// before the issuer's path (RFC 8414), [OIDC] appends
// /.well-known/openid-configuration to it (OpenID Connect Discovery), and
// [Auto] tries every location an MCP client tries, in its order. See
// [WellKnownURLs].
//
// What is enforced: https except for loopback hosts, a timeout, 1 MiB of
// body at most, status 200, a JSON media type, redirects only to the same
// origin, and a document whose issuer is exactly the configured one (RFC
// 8414 section 3.3). Errors are typed: see [FetchError] and the category
// sentinels ([ErrNotFound], [ErrProviderUnavailable], [ErrIssuerMismatch],
// [ErrInvalidMetadata], [ErrInvalidConfig]).
//
// A server that must start before its provider is reachable uses [Lazy]:
// the document is fetched on first use, with retries spaced by a backoff.
//
// Compared with mcp-auth (JS): the same codes and well-known rules, plus
// the Auto mode, an issuer check for FetchByWellKnownURL too, the OpenID
// Connect required members, https endpoints, and Client ID Metadata
// Documents (client_id_metadata_document_supported) accepted instead of
// dynamic registration. mcp-auth collapses empty path segments ("/a//b");
// this package keeps the issuer's path as written, dropping only the
// slashes that end it.
package config

// Package devissuer is a development OpenID provider (OAuth 2.0 authorization
// server) for the examples and the end-to-end tests of github.com/mcp-auth/go.
//
// It is built on the certified op package of github.com/zitadel/oidc/v3, which
// does the protocol work: authorization code with PKCE, token issuance and
// signing, refresh tokens, userinfo, introspection (RFC 7662), revocation
// (RFC 7009) and the JWKS. This package adds what an MCP client expects from an
// authorization server and zitadel/oidc leaves to its user:
//
//   - dynamic client registration (RFC 7591) at /register;
//   - the RFC 8414 metadata document at /.well-known/oauth-authorization-server
//     beside the OpenID Connect discovery document;
//   - resource indicators (RFC 8707): a request naming a resource gets a JWT
//     access token whose aud is that resource; a request without one gets an
//     opaque token that only userinfo and introspection can check (as Logto
//     does);
//   - the iss authorization response parameter (RFC 9207);
//   - a login page and a consent page, plus a headless [Issuer.Login] for tests.
//
// Everything lives in memory and disappears with the process: signing key,
// clients, users, consents and tokens.
//
// # Development only
//
// The issuer runs over plain HTTP on a loopback address (zitadel's
// op.WithAllowInsecure), ships a demo account (username "demo", password
// "demo"), keeps passwords in plain text and has no session cookie (every
// authorization asks for the password again, unless Config.AutoApprove is set).
// Never expose it to a network or use it for real accounts.
//
// Quick start:
//
//	iss, err := devissuer.Start(ctx, devissuer.Config{Scopes: []string{"whoami:read"}})
//	if err != nil { ... }
//	defer iss.Close()
//	fmt.Println(iss.URL()) // e.g. http://127.0.0.1:41234
package devissuer

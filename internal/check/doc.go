// Package check checks a deployed MCP server's authorization setup end to
// end, the way MCP clients see it, and reports every finding as PASS, WARN
// or FAIL with the fix to apply. The command mcpauth-check
// (mcpauth/cmd/mcpauth-check) is its front end:
//
//	go run github.com/mcp-auth/go/mcpauth/cmd/mcpauth-check https://mcp.example.com/mcp
//	go run github.com/mcp-auth/go/mcpauth/cmd/mcpauth-check -json https://tenant.logto.app/oidc
//
// It exits with 0 when no check failed (warnings allowed), 1 when one did
// and 2 on a usage error, so that CI can run it against a deployment.
//
// From Go:
//
//	report, err := check.Run(ctx, "https://mcp.example.com/mcp", check.Options{})
//	if err != nil { ... } // errors.Is(err, check.ErrUsage): not a URL it can check
//	report.WriteTable(os.Stdout)
//	os.Exit(report.ExitCode())
//
// # What is checked
//
// The URL is an MCP endpoint or an issuer, told apart by what it answers
// (see [Run]). For an MCP endpoint:
//
//   - mcp.unauthenticated-post, mcp.unauthenticated-get: a request without
//     a token gets 401 (a GET may get 405), at the URL itself, without a
//     redirect;
//   - mcp.challenge: exactly one WWW-Authenticate challenge, Bearer, with
//     well-formed parameters; no other scheme before it;
//   - mcp.challenge.resource_metadata: an absolute URL (https, or http on
//     loopback hosts); mcp.challenge.scope: present (else a warning), no
//     offline_access; mcp.challenge.error: no error attribute when no
//     token was sent (RFC 6750 section 3.1; a warning);
//   - mcp.cors, mcp.cors.preflight: the 401 allows the origin and exposes
//     WWW-Authenticate; the preflight of a POST is not authenticated and
//     allows Authorization, Content-Type, MCP-Protocol-Version and
//     Mcp-Session-Id;
//   - prm.path-suffixed, prm.root, prm.challenge-url: the protected resource
//     metadata at its RFC 9728 section 3.1 URL, at the root URL (a
//     warning when missing or about another resource) and at the
//     challenge's URL, without authentication, without a redirect to
//     another origin, as JSON of at most 1 MiB;
//   - prm.resource: exactly the URL given (a trailing slash or localhost
//     for 127.0.0.1 makes clients refuse the server);
//   - prm.authorization_servers (with prm.authorization_servers.count, a
//     warning when more than 8 are named: only 8 are checked),
//     prm.scopes_supported, prm.document: the
//     rules of [metadata.ProtectedResource.Validate] (issuer URLs, no
//     offline_access, ...), plus scopes_supported listing the challenge's
//     scopes;
//   - prm.cors, prm.preflight: Access-Control-Allow-Origin and a
//     preflight allowing MCP-Protocol-Version;
//   - then every authorization server the metadata names, as below, whose
//     issuer must equal the entry exactly.
//
// For an authorization server (issuer):
//
//   - as.issuer-url: an issuer identifier, https (http on loopback hosts);
//   - as.discovery: every URL of [config.WellKnownURLs] with [config.Auto],
//     in the MCP client's order; the first document is the one used, and a
//     5xx before it stops discovery, as it stops clients;
//   - as.issuer: each document's issuer equals the identifier exactly (RFC
//     8414 section 3.3);
//   - as.metadata, as.response_types, as.grant_types, as.pkce,
//     as.registration, as.oidc: the rules of [config.ServerConfig.Validate]
//     (required members, https endpoints, "code", S256, registration or
//     client ID metadata documents, OpenID Connect's required members in
//     every OpenID Connect document found);
//   - as.token_endpoint_auth: "none" accepted, for public clients (a
//     warning);
//   - as.cors, as.preflight: as for the resource's metadata, but warnings;
//   - as.jwks, as.jwks.keys: jwks_uri answers with a JWK Set holding at
//     least one usable signature key (RSA of 2048 bits or more, EC on
//     P-256/P-384/P-521, Ed25519, parsed with jwx); HMAC keys, "none" and
//     unknown algorithms, short RSA keys and mismatched algorithms are
//     warnings;
//   - as.userinfo, as.introspection: when advertised, they answer a
//     request without credentials with 401 (introspection: 400 or 401),
//     not 404 or 5xx.
//
// # Limits
//
// Every request has a timeout (Options.Timeout, 10 s by default) and no
// body over 1 MiB is read. The checker sends no credentials and keeps no
// cookies; values read from the network are quoted and shortened in the
// report. Plain http is contacted only on loopback hosts unless
// Options.InsecureHTTP is set, and then each such URL is a warning.
package check

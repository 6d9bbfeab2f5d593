// Package hydra starts Ory Hydra (v2.3.0) from Go tests, as a second real
// OAuth 2.0 / OpenID Connect provider beside the oidc-provider of package
// interop: "hydra serve all" with an in-memory SQLite database on two free
// loopback ports (public and admin), stopped in t.Cleanup, and a small
// login-and-consent app (an httptest server) that Hydra delegates to.
//
// The Hydra binary is built once from the tools module in tool/ (its own
// go.mod, outside go.work, so that Hydra's dependency graph never enters
// the examples module) into the user's cache directory, under a file lock
// shared by parallel test binaries; see [Build] and cmd/buildhydra. When
// it cannot be built the test is skipped with the command to run, unless
// the environment variable CI is "true", where it fails.
//
// The consent app grants the requested scopes and audience and puts the
// user's username, name and email into the session, so that they reach
// the ID token and userinfo, and the top level of JWT access tokens
// (Start sets oauth2.allowed_top_level_claims). FINDINGS.md records how
// Hydra binds audiences, what its tokens and introspection answers hold,
// and what an MCP deployment must configure.
//
// It is test support only: it imports nothing from the library and
// nothing outside the standard library.
//
// Quick start:
//
//	h := hydra.Start(t, hydra.Options{AccessTokenStrategy: hydra.JWT, Audiences: []string{resource}})
//	client := h.PublicClient(t, hydra.ClientOptions{})
//	tok, err := h.CodeFlow(ctx, client, hydra.Request{Scopes: []string{"openid", "whoami:read"}, Audience: []string{resource}})
//	// tok.AccessToken is a JWT with aud [resource], iss h.Issuer.
package hydra

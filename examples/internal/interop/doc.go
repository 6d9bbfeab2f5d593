// Package interop starts real third-party parts of the MCP authorization
// ecosystem from Go tests: an oidc-provider authorization server configured
// like Logto (provider.mjs), the official TypeScript MCP SDK client driven
// headless (client.mjs) and the MCP conformance suite. The Node programs live
// in examples/interop; this package finds them, installs their npm
// dependencies once (npm ci, under a file lock shared by parallel test
// binaries), starts them with bounded timeouts and stops them in t.Cleanup.
//
// It is test support only: it imports nothing from the library and nothing
// outside the standard library, so any test package may use it.
//
// When node is not installed, Setup skips the test with the command that
// would install the kit; when the environment variable CI is "true" it fails
// instead, so a CI run cannot silently skip the interoperability tests.
//
// Quick start:
//
//	p := interop.StartProvider(t, interop.ProviderOptions{})
//	// p.Issuer is "http://127.0.0.1:<port>/oidc"; the demo user is demo/demo.
//	res, err := interop.RunClient(t, ctx, mcpURL, "--scope", "whoami:read")
//	if err != nil { t.Fatal(err) }
//	t.Log(res.Text())
package interop

// Package checktest runs the deployment checker (internal/check and the
// mcpauth-check command) against this repository's own servers: the
// whoami example, as a separate process, with its development issuer and
// with the Logto-like oidc-provider, and that provider as an issuer. It
// holds tests only; it lives in the examples module because whoami and
// the provider kit do.
package checktest

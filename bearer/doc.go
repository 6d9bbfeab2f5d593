// Package bearer is the request side of an OAuth 2.0 protected resource:
// it reads the bearer token of each HTTP request (RFC 6750), hands it to a
// [Verifier], applies the checks every token must pass whatever verified it
// (issuer, audience, scopes, expiry) and puts the resulting [AuthInfo] in the
// request context for the handler.
//
// Failures become an [*Error] whose category can be tested with errors.Is
// ([ErrMissingToken], [ErrInvalidRequest], [ErrInvalidToken],
// [ErrInsufficientScope], [ErrProviderUnavailable], [ErrMisconfigured]) and
// which maps to the HTTP status and WWW-Authenticate challenge that RFC 6750
// and the MCP authorization specification require.
package bearer

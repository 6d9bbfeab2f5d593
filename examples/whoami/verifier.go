package main

import (
	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth"
)

// newVerifier builds the verifier that -verifier names. auto (the default)
// accepts both token shapes a provider such as Logto issues: JWT access
// tokens bound to this resource (what spec-following MCP clients get, since
// they send the RFC 8707 resource parameter) are checked locally against
// the provider's keys; opaque tokens (clients that send no resource) go to
// introspection when client credentials are given, else to userinfo.
func newVerifier(auth *mcpauth.MCPAuth, o options, onClose func(func() error)) (mcpauth.Verifier, error) {
	opaque := func() (mcpauth.Verifier, error) {
		if o.clientID != "" {
			return auth.IntrospectionVerifier(bearer.ClientCredentials{ClientID: o.clientID, ClientSecret: o.clientSecret})
		}
		return auth.UserinfoVerifier()
	}
	switch o.verifier {
	case "userinfo":
		return auth.UserinfoVerifier()
	case "introspection":
		return auth.IntrospectionVerifier(bearer.ClientCredentials{ClientID: o.clientID, ClientSecret: o.clientSecret})
	}
	jwt, err := auth.JWTVerifier()
	if err != nil {
		return nil, err
	}
	onClose(jwt.Close)
	if o.verifier == "jwt" {
		return jwt, nil
	}
	op, err := opaque()
	if err != nil {
		return nil, err
	}
	return bearer.NewCompositeVerifier(jwt, op)
}

package main

import (
	"log/slog"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth"
)

// newVerifier builds the verifier that -verifier names.
//
// auto (the default) accepts only tokens that can be shown to be issued
// for this server: JWT access tokens whose aud is this resource (what
// spec-following MCP clients get, since they send the RFC 8707 resource
// parameter), checked locally against the provider's keys, and, when
// client credentials are given, opaque tokens whose introspection names
// this resource. An opaque token without introspection cannot be bound to
// the resource, so it is refused, with a description that tells the client
// to request a token with the resource parameter.
//
// userinfo is the seed's mode: any token the provider accepts at userinfo,
// whatever it was issued for. It is one flag away and warns at start-up.
func newVerifier(auth *mcpauth.MCPAuth, o options, logger *slog.Logger, shared bearer.SharedCache, onClose func(func() error), onStats func(func() bearer.ProviderStats)) (mcpauth.Verifier, error) {
	log := bearer.WithLogger(logger)
	creds := bearer.ClientCredentials{ClientID: o.clientID, ClientSecret: o.clientSecret}
	// The verifiers that ask the provider per token share their results
	// with the other replicas (through Redis, when -redis names one).
	remote := []bearer.Option{log}
	if o.cacheTTL > 0 {
		// How late a revocation is seen. A JWT verifier keeps its default:
		// the provider cannot revoke a JWT for it.
		remote = append(remote, bearer.WithCacheTTL(o.cacheTTL))
	}
	if shared != nil {
		remote = append(remote, bearer.WithSharedCache(shared))
	}
	switch o.verifier {
	case "userinfo":
		logger.Warn("whoami: -verifier userinfo accepts any token the provider accepts, including tokens issued to other applications for other APIs; use the default in production")
		v, err := auth.UserinfoVerifier(remote...)
		if err == nil {
			onStats(v.Stats)
		}
		return v, err
	case "introspection":
		v, err := auth.IntrospectionVerifier(creds, remote...)
		if err == nil {
			onStats(v.Stats)
		}
		return v, err
	}
	jwt, err := auth.JWTVerifier(log)
	if err != nil {
		return nil, err
	}
	onClose(jwt.Close)
	if o.verifier == "jwt" || o.clientID == "" {
		return jwt, nil
	}
	op, err := auth.IntrospectionVerifier(creds, remote...)
	if err != nil {
		return nil, err
	}
	onStats(op.Stats)
	return bearer.NewCompositeVerifier(jwt, op)
}

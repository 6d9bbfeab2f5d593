package bearer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/tokencache"
)

// defaultSubjectIdentityTTL is how long a subject look-up is reused.
const defaultSubjectIdentityTTL = 5 * time.Minute

// userinfoIdentity completes identities at a provider's userinfo endpoint.
type userinfoIdentity struct {
	issuer   string
	endpoint userinfoEndpoint
}

// NewUserinfoIdentity returns an identity source that presents a verified
// token of issuer to the provider's OpenID Connect userinfo endpoint (the
// "userinfo_endpoint" of its metadata) and takes the identity claims of the
// answer. Keycloak, Auth0, Okta and Zitadel accept access tokens meant for
// an API at userinfo; Logto and oidc-provider refuse resource-bound ones
// ("token audience prevents accessing the userinfo endpoint"): such a
// refusal is an answer without claims, remembered with the token's entry
// (see [WithIdentity]), not an outage.
//
// Tokens of other issuers are never sent to it, and an answer whose "sub"
// is not the token's subject is not used (OpenID Connect Core 1.0 section
// 5.3.2). It takes the options [WithHTTPClient], [InsecureAllowHTTP],
// [WithLogger] and [WithClock]; issuer and endpoint are checked as for
// [NewUserinfoVerifier]. Errors match [ErrMisconfigured].
func NewUserinfoIdentity(issuer, userinfoEndpointURL string, opts ...Option) (IdentitySource, error) {
	const ctor = "NewUserinfoIdentity"
	s, err := applyOptions(ctor, forUserinfoIdentity, opts)
	if err != nil {
		return nil, err
	}
	if _, err := checkEndpoint(ctor, "issuer", issuer, s); err != nil {
		return nil, err
	}
	if _, err := checkEndpoint(ctor, "userinfo endpoint", userinfoEndpointURL, s); err != nil {
		return nil, err
	}
	return &userinfoIdentity{
		issuer:   issuer,
		endpoint: userinfoEndpoint{ref: knownEndpoint("userinfo endpoint", userinfoEndpointURL), set: remoteSetup(s, 0)},
	}, nil
}

// NewUserinfoIdentityFor is [NewUserinfoIdentity] for the authorization
// server s: its issuer and "userinfo_endpoint", read when first needed if s
// is deferred ([config.Deferred]); until then the source counts as
// unavailable.
func NewUserinfoIdentityFor(s *config.ServerConfig, opts ...Option) (IdentitySource, error) {
	set, ref, err := endpointFor("NewUserinfoIdentityFor", forUserinfoIdentity, "userinfo endpoint", s, func(m *config.Metadata) string { return m.UserinfoEndpoint }, opts)
	if err != nil {
		return nil, err
	}
	return &userinfoIdentity{issuer: s.Metadata.Issuer, endpoint: userinfoEndpoint{ref: ref, set: remoteSetup(set, 0)}}, nil
}

func (u *userinfoIdentity) sourceName() string { return "userinfo" }

func (u *userinfoIdentity) lookup(ctx context.Context, token string, info *AuthInfo) (map[string]any, error) {
	if info.Issuer != u.issuer {
		return nil, errIdentityRefused // never hand a token to another provider
	}
	doc, err := u.endpoint.fetch(ctx, token)
	switch {
	case errors.Is(err, ErrInvalidToken):
		return nil, errIdentityRefused
	case err != nil:
		return nil, err
	case doc["sub"] != info.Subject:
		u.endpoint.set.logger.Warn("bearer: userinfo answered for another subject; its claims are not used", "sub", info.Subject)
		return nil, errIdentityRefused
	}
	return doc, nil
}

// SubjectLookup returns identity claims for the subject of issuer, for
// [NewSubjectIdentity]. It returns nil claims and a nil error when it knows
// nothing of the subject, and an error when it could not answer (which the
// middleware treats as an outage of the source: see [WithIdentity]). It
// must be safe for concurrent use and honour ctx.
type SubjectLookup func(ctx context.Context, issuer, subject string) (map[string]any, error)

// subjectIdentity completes identities with a caller's look-up by subject.
type subjectIdentity struct {
	name  string
	fn    SubjectLookup
	ttl   time.Duration
	cache *tokencache.Cache[map[string]any]
	now   func() time.Time
}

// NewSubjectIdentity returns an identity source that asks lookup for the
// identity claims of a token's (issuer, subject), for providers whose
// tokens and userinfo carry none: Logto's Management API
// (GET /api/users/{userId} with a machine-to-machine token) is the usual
// example. name names the source in Identity.Sources and in logs.
//
// Answers, including "nothing known", are cached by a digest of issuer and
// subject for [WithCacheTTL] (default 5 minutes, 0 disables the cache) and
// at most [WithCacheSize] subjects (default [DefaultCacheSize]); concurrent
// look-ups of one subject share one call; errors are not cached. Each call
// is bounded by 10 s on top of the request's context. It takes the options
// [WithCacheTTL], [WithCacheSize], [WithLogger] and [WithClock]. Errors
// match [ErrMisconfigured].
func NewSubjectIdentity(name string, lookup SubjectLookup, opts ...Option) (IdentitySource, error) {
	const ctor = "NewSubjectIdentity"
	s, err := applyOptions(ctor, forSubjectIdentity, opts)
	if err != nil {
		return nil, err
	}
	if name == "" || name == "token" || name == "userinfo" {
		return nil, configError("%s: the name %q is empty or taken by a built-in source", ctor, name)
	}
	if lookup == nil {
		return nil, configError("%s: nil lookup", ctor)
	}
	set := remoteSetup(s, defaultSubjectIdentityTTL)
	return &subjectIdentity{name: name, fn: lookup, ttl: set.ttl, cache: newCache[map[string]any](set), now: set.now}, nil
}

func (s *subjectIdentity) sourceName() string { return s.name }

func (s *subjectIdentity) lookup(ctx context.Context, _ string, info *AuthInfo) (map[string]any, error) {
	if info.Subject == "" {
		return nil, errIdentityRefused
	}
	// The key is a digest of issuer and subject, joined by a byte neither
	// can contain unescaped in a URL or claim, so no two pairs collide.
	claims, err := s.cache.Load(ctx, info.Issuer+"\x00"+info.Subject, func(ctx context.Context) (map[string]any, time.Time, error) {
		ctx, cancel := context.WithTimeout(ctx, subjectLookupTimeout)
		defer cancel()
		claims, err := s.fn(ctx, info.Issuer, info.Subject)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("identity source %s: %w", s.name, err)
		}
		if claims == nil {
			claims = map[string]any{} // "nothing known" is an answer, cached too
		}
		return claims, s.now().Add(s.ttl), nil
	})
	if err != nil {
		return nil, err
	}
	if len(claims) == 0 {
		return nil, errIdentityRefused
	}
	return claims, nil
}

// subjectLookupTimeout bounds one SubjectLookup call.
const subjectLookupTimeout = 10 * time.Second

package bearer

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/internal/tokencache"
)

// defaultUserinfoCacheTTL is how long a userinfo answer is reused by default.
const defaultUserinfoCacheTTL = 60 * time.Second

// userinfoEndpoint calls an OpenID Connect userinfo endpoint with a token:
// the one implementation behind the userinfo verifier and the userinfo
// identity source.
type userinfoEndpoint struct {
	ref *endpointRef
	set remoteSettings
}

// fetch presents token to the endpoint. It returns the userinfo document
// (a JSON object with a non-empty "sub"), an [ErrInvalidToken] error when
// the endpoint refuses the token (401 or 403), and an
// [ErrProviderUnavailable] error for anything else (network errors,
// timeouts, other statuses, bodies that are not JSON objects or lack "sub",
// which only a broken provider sends).
func (u *userinfoEndpoint) fetch(ctx context.Context, token string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, u.set.timeout)
	defer cancel()
	endpoint, err := u.ref.get(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, NewError(CodeServerError, "the userinfo request could not be built", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	var doc map[string]any
	if err := fetch.Do(u.set.client, req, "userinfo", &doc); err != nil {
		if status := remoteStatus(err); status == http.StatusUnauthorized || status == http.StatusForbidden {
			// RFC 6750 3.1: the endpoint refuses the token itself.
			return nil, InvalidToken("the authorization server rejected the token", err)
		}
		err := remoteUnavailable("userinfo", err)
		u.set.logger.LogAttrs(ctx, slog.LevelWarn, "userinfo: provider unavailable", slog.Any("error", err))
		return nil, err
	}
	if sub, _ := doc["sub"].(string); sub == "" {
		// OpenID Connect Core 5.3.2: "sub" MUST always be returned. A
		// 200 without it is a broken provider, not a verdict on the token.
		u.set.logger.LogAttrs(ctx, slog.LevelWarn, "userinfo: response without sub", slog.String("endpoint", endpoint))
		return nil, ProviderUnavailable("the userinfo response has no subject", nil)
	}
	return doc, nil
}

// UserinfoVerifier verifies opaque access tokens by presenting them to the
// authorization server's OpenID Connect userinfo endpoint: a token the
// endpoint accepts is valid, and the userinfo document describes its
// subject.
//
// Userinfo proves less than a JWT or introspection: the endpoint says whose
// token it is, not which resource it was issued for nor which scopes it
// carries. The [AuthInfo] it returns therefore has a nil Audience (unknown)
// and nil Scopes, and a zero ExpiresAt; Issuer is the issuer given to
// [NewUserinfoVerifier], Claims is the userinfo document and Identity its
// identity claims. A server that relies on userinfo accepts any token the
// provider accepts, whatever resource it was meant for, and cannot check
// scopes: the middleware refuses it when an audience is configured unless
// [InsecureAcceptUnboundTokens] says otherwise. Prefer resource-bound JWTs
// or introspection ([NewCompositeVerifier] serves both token shapes), and
// use [NewUserinfoIdentity] to complete their identity from userinfo.
//
// Verify answers:
//   - an [AuthInfo] when the endpoint answers 200 with a JSON object whose
//     "sub" is a non-empty string;
//   - an [ErrInvalidToken] error (401) when the endpoint answers 401 or 403,
//     or the token is not RFC 6750 token syntax or is too long;
//   - an [ErrProviderUnavailable] error (503) on network errors, timeouts,
//     any other status (5xx, 429, ...), a body over 1 MiB, a non-JSON
//     answer (including signed userinfo, application/jwt, which is not
//     supported) and a 200 without "sub", which only a broken provider
//     sends; also when the caller's context ends before the answer.
//
// Successful results are cached by SHA-256 digest of the token
// ([WithCacheTTL], default 60 s, 0 disables; [WithCacheSize], default
// 10 000). A refusal (401 or 403) is remembered for [WithRefusalTTL]
// (default 10 s); failures of the provider are not. Concurrent first calls
// with one token make a single request, with or without the cache, and
// calls for tokens not cached draw on a budget ([WithProviderBudget];
// default 100 a second, bursts of 200, 64 at once), past which a new token
// is answered 503 with Retry-After. Failures of the provider are logged
// with [WithLogger] (never the token).
//
// A UserinfoVerifier is safe for concurrent use. The zero value is not
// usable: create one with [NewUserinfoVerifier].
type UserinfoVerifier struct {
	issuer   string
	endpoint userinfoEndpoint
	maxLen   int
	cache    *tokencache.Cache[*AuthInfo]
	guard    *providerGuard
}

var _ verifierTraits = (*UserinfoVerifier)(nil)

// NewUserinfoVerifier returns a verifier that checks tokens at
// endpoint (the "userinfo_endpoint" of the provider's metadata) and
// reports issuer as their Issuer.
//
// Both must be absolute https URLs without a fragment; http is accepted for
// loopback hosts, and for any host with [InsecureAllowHTTP]. It takes the
// options [WithHTTPClient], [WithLogger], [WithClock], [InsecureAllowHTTP],
// [WithCacheTTL], [WithCacheSize], [WithMaxTokenLength],
// [WithProviderBudget] and [WithRefusalTTL]. Requests use
// the client given (default: 10 s timeout, same-origin redirects only); a
// request shared by concurrent callers is bounded by 10 s, or the client's
// shorter timeout. Errors match [ErrMisconfigured].
func NewUserinfoVerifier(issuer, endpoint string, opts ...Option) (*UserinfoVerifier, error) {
	const ctor = "NewUserinfoVerifier"
	s, err := applyOptions(ctor, forUserinfo, opts)
	if err != nil {
		return nil, err
	}
	if _, err := checkEndpoint(ctor, "issuer", issuer, s); err != nil {
		return nil, err
	}
	if _, err := checkEndpoint(ctor, "userinfo endpoint", endpoint, s); err != nil {
		return nil, err
	}
	return newUserinfoVerifier(issuer, knownEndpoint("userinfo endpoint", endpoint), s), nil
}

// NewUserinfoVerifierFor is [NewUserinfoVerifier] for the authorization
// server s: its issuer and "userinfo_endpoint". When s is a deferred
// configuration ([config.Deferred]) the endpoint is read from s when the
// first token needs it, and tokens are answered 503 until s is discovered.
func NewUserinfoVerifierFor(s *config.ServerConfig, opts ...Option) (*UserinfoVerifier, error) {
	const ctor = "NewUserinfoVerifierFor"
	set, ref, err := endpointFor(ctor, forUserinfo, "userinfo endpoint", s, func(m *config.Metadata) string { return m.UserinfoEndpoint }, opts)
	if err != nil {
		return nil, err
	}
	return newUserinfoVerifier(s.Metadata.Issuer, ref, set), nil
}

func newUserinfoVerifier(issuer string, ref *endpointRef, s *settings) *UserinfoVerifier {
	set := remoteSetup(s, defaultUserinfoCacheTTL)
	return &UserinfoVerifier{
		issuer:   issuer,
		endpoint: userinfoEndpoint{ref: ref, set: set},
		maxLen:   s.maxTokenLength,
		cache:    newCache[*AuthInfo](set),
		guard:    newProviderGuard("userinfo", s),
	}
}

// checksTimes: a userinfo answer carries no times to check.
func (v *UserinfoVerifier) checksTimes() bool { return true }

// knowsAudience: userinfo cannot tell which resource a token is for.
func (v *UserinfoVerifier) knowsAudience() bool { return false }

// Verify presents token to the userinfo endpoint, or answers from the cache;
// see [UserinfoVerifier] for the outcomes.
func (v *UserinfoVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if e := checkTokenSyntax(token, v.maxLen); e != nil {
		return nil, e
	}
	info, err := v.guard.verify(ctx, v.cache, token, func(ctx context.Context) (*AuthInfo, time.Time, error) {
		doc, err := v.endpoint.fetch(ctx, token)
		if err != nil {
			return nil, time.Time{}, err
		}
		clientID, _ := claimClientID(doc, defaultClientIDClaims)
		info := &AuthInfo{
			Issuer:   v.issuer,
			Subject:  doc["sub"].(string), // fetch checked it
			ClientID: clientID,
			Claims:   doc,
			Identity: identityFromClaims(doc, "userinfo"),
		}
		return info, v.endpoint.set.now().Add(v.endpoint.set.ttl), nil
	})
	if err != nil {
		return nil, remoteWaitError(err)
	}
	return info, nil
}

// checkTokenSyntax is the check every verifier makes before anything else:
// the token is RFC 6750 token syntax and not longer than maxLen.
func checkTokenSyntax(token string, maxLen int) *Error {
	if len(token) > maxLen {
		return InvalidToken("the token is too large", nil)
	}
	if !isB64Token(token) {
		return InvalidToken("the token is malformed", nil)
	}
	return nil
}

// Stats returns what the verifier did for tokens it had not verified yet:
// provider calls, budget refusals and the shared cache's hits and failures.
func (v *UserinfoVerifier) Stats() ProviderStats { return v.guard.counters.stats() }

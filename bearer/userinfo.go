package bearer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/internal/tokencache"
)

// defaultUserinfoCacheTTL is how long a userinfo answer is reused by default.
const defaultUserinfoCacheTTL = 60 * time.Second

// UserinfoVerifier verifies opaque access tokens by presenting them to the
// authorization server's OpenID Connect userinfo endpoint: a token the
// endpoint accepts is valid, and the userinfo document describes its
// subject.
//
// Userinfo proves less than a JWT or introspection: the endpoint says whose
// token it is, not which resource it was issued for nor which scopes it
// carries. The [AuthInfo] it returns therefore has a nil Audience (unknown)
// and nil Scopes, and a zero ExpiresAt; Issuer is the issuer given to
// [NewUserinfoVerifier], and Claims is the userinfo document. A server that
// relies on userinfo alone accepts any token the provider accepts, whatever
// resource it was meant for, and cannot check scopes: prefer
// resource-bound JWTs ([NewCompositeVerifier] serves both kinds). For the
// same reason [WithAudience] and [WithLeeway] are not UserinfoOptions:
// there is nothing for them to check.
//
// Verify answers:
//   - an [AuthInfo] when the endpoint answers 200 with a JSON object whose
//     "sub" is a non-empty string;
//   - an [ErrInvalidToken] error (401) when the endpoint answers 401 or 403,
//     or the token is not RFC 6750 token syntax;
//   - an [ErrProviderUnavailable] error (503) on network errors, timeouts,
//     any other status (5xx, 429, ...), a body over 1 MiB, a non-JSON
//     answer (including signed userinfo, application/jwt, which is not
//     supported) and a 200 without "sub", which only a broken provider
//     sends; also when the caller's context ends before the answer.
//
// Successful results are cached by SHA-256 digest of the token
// ([WithCacheTTL], default 60 s, 0 disables; [WithCacheSize], default
// 10 000); failures are not. Concurrent first calls with one token make a
// single request, with or without the cache. Failures of the provider are
// logged with [WithLogger] (never the token).
//
// A UserinfoVerifier is safe for concurrent use. The zero value is not
// usable: create one with [NewUserinfoVerifier].
type UserinfoVerifier struct {
	issuer   string
	endpoint string
	set      remoteSettings
	now      func() time.Time
	cache    *tokencache.Cache[*AuthInfo]
}

// NewUserinfoVerifier returns a verifier that checks tokens at
// userinfoEndpoint (the "userinfo_endpoint" of the provider's metadata) and
// reports issuer as their Issuer.
//
// Both must be absolute https URLs without a fragment; http is accepted for
// loopback hosts, and for any host with [InsecureAllowHTTP]. A negative
// [WithCacheTTL] or [WithCacheSize] is an error. Requests use
// [WithHTTPClient]'s client (default: 10 s timeout, same-origin redirects
// only); a request shared by concurrent callers is bounded by 10 s, or the
// client's shorter timeout.
func NewUserinfoVerifier(issuer, userinfoEndpoint string, opts ...UserinfoOption) (*UserinfoVerifier, error) {
	var o userinfoOptions
	for _, opt := range opts {
		if opt != nil {
			opt.applyUserinfo(&o)
		}
	}
	if _, err := fetch.CheckURL(issuer, "issuer", o.insecureHTTP); err != nil {
		return nil, fmt.Errorf("bearer: userinfo verifier: %w", err)
	}
	if _, err := fetch.CheckURL(userinfoEndpoint, "userinfo endpoint", o.insecureHTTP); err != nil {
		return nil, fmt.Errorf("bearer: userinfo verifier: %w", err)
	}
	set, err := remoteSetup(&o.common, defaultUserinfoCacheTTL)
	if err != nil {
		return nil, fmt.Errorf("bearer: userinfo verifier: %w", err)
	}
	v := &UserinfoVerifier{
		issuer:   issuer,
		endpoint: userinfoEndpoint,
		set:      set,
		now:      o.clock,
	}
	v.cache = newRemoteCache(set, o.now)
	return v, nil
}

// Verify presents token to the userinfo endpoint, or answers from the cache;
// see [UserinfoVerifier] for the outcomes.
func (v *UserinfoVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	if !isB64Token(token) {
		return nil, InvalidToken("the token is malformed", nil)
	}
	if info, ok := v.cache.Get(token); ok {
		return info, nil
	}
	info, err := v.cache.Load(ctx, token, func(ctx context.Context) (*AuthInfo, time.Time, error) {
		info, err := v.fetch(ctx, token)
		if err != nil {
			return nil, time.Time{}, err
		}
		return info, v.now().Add(v.set.ttl), nil
	})
	if err != nil {
		return nil, remoteWaitError(err)
	}
	return info, nil
}

// fetch asks the userinfo endpoint about token.
func (v *UserinfoVerifier) fetch(ctx context.Context, token string) (*AuthInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, v.set.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.endpoint, nil)
	if err != nil {
		return nil, NewError(CodeServerError, "the userinfo request could not be built", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	var doc map[string]any
	if err := fetch.Do(v.set.client, req, "userinfo", &doc); err != nil {
		return nil, v.fetchError(ctx, err)
	}
	sub, _ := doc["sub"].(string)
	if sub == "" {
		// OpenID Connect Core 5.3.2: "sub" MUST always be returned. A
		// 200 without it is a broken provider, not a verdict on the token.
		err := ProviderUnavailable("the userinfo response has no subject", nil)
		v.set.logger.LogAttrs(ctx, slog.LevelWarn, "userinfo: response without sub", slog.String("endpoint", v.endpoint))
		return nil, err
	}
	return &AuthInfo{
		Token:    token,
		Issuer:   v.issuer,
		Subject:  sub,
		ClientID: userinfoClientID(doc),
		Claims:   doc,
	}, nil
}

// fetchError maps a failed userinfo request to a typed error.
func (v *UserinfoVerifier) fetchError(ctx context.Context, err error) error {
	switch status := remoteStatus(err); {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		// RFC 6750 3.1: the endpoint refuses the token itself.
		return InvalidToken("the authorization server rejected the token", err)
	default:
		err = remoteUnavailable("userinfo", err)
	}
	v.set.logger.LogAttrs(ctx, slog.LevelWarn, "userinfo: provider unavailable", slog.Any("error", err))
	return err
}

// userinfoClientID returns the client a userinfo document names, if any.
func userinfoClientID(doc map[string]any) string {
	for _, name := range []string{"client_id", "azp"} {
		if s, ok := doc[name].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

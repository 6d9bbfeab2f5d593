package bearer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync/atomic"
	"time"

	"github.com/mcp-auth/go/internal/tokencache"
)

// Completing identity is separate from deciding access: it runs after the
// token has been accepted, and it never turns an accepted token into a 401.

// Identity caching bounds.
const (
	// identityCacheTTL caps how long a completed identity is reused (never
	// past the token's expiry): a user's name or email may change.
	identityCacheTTL = 5 * time.Minute
	// identityRetryAfter is how long an identity source that failed is
	// left alone, for every token: an outage costs the provider one call
	// per interval, however many requests arrive.
	identityRetryAfter = 5 * time.Second
)

// errIdentityRefused is what a source returns when the provider answered
// but gave no claims for this token (userinfo refusing a resource-bound
// token, as Logto does): an answer, not an outage.
var errIdentityRefused = errors.New("bearer: the identity source has no claims for this token")

// IdentitySource completes the identity of a verified token's subject
// ([AuthInfo].Identity) when the token itself does not carry a username, a
// name and an email. Build one with [NewUserinfoIdentity] (the provider's
// userinfo endpoint, called with the token) or [NewSubjectIdentity] (your
// own look-up by issuer and subject, such as Logto's Management API), and
// give it to the middleware with [WithIdentity].
type IdentitySource interface {
	// lookup returns identity claims for info's subject, errIdentityRefused
	// when the source answered without any, or another error when it could
	// not answer. token is the verified token.
	lookup(ctx context.Context, token string, info *AuthInfo) (map[string]any, error)
	// sourceName names the source in Identity.Sources and in logs.
	sourceName() string
}

// WithIdentity makes the middleware complete each accepted token's identity
// ([AuthInfo].Identity) with sources, consulted in order while the
// identity lacks a username, a name or an email. A token that already
// carries them (a provider that puts profile claims into access tokens)
// costs no look-up.
//
// Completed identities are cached by the token's SHA-256 digest until the
// token expires, at most 5 minutes, at most [DefaultCacheSize] of them;
// concurrent look-ups for one token share one. A source that refuses the
// token (a userinfo endpoint that does not accept resource-bound access
// tokens, as Logto's does not) answers for as long as that entry lives: it
// is not asked again per request. A source that is unreachable or failing
// is left out, for every token, for 5 seconds, so that an outage costs the
// provider at most one call per 5 seconds; the request goes on without its
// claims (Identity.Unavailable names it) and a warning is logged, unless
// [WithIdentityRequired] asks for a 503 instead. Repeated use adds sources.
// For: New.
func WithIdentity(sources ...IdentitySource) Option {
	sources = slices.Clone(sources)
	return option("WithIdentity", forAuthenticator, func(s *settings) { s.identity = append(s.identity, sources...) })
}

// WithIdentityRequired makes an identity source's outage fail the request
// with 503 and Retry-After (never 401: the token is fine) instead of serving
// it without the source's claims. A source that answers without claims is
// not an outage. For: New.
func WithIdentityRequired() Option {
	return option("WithIdentityRequired", forAuthenticator, func(s *settings) { s.identityRequired = true })
}

// isNilSource reports whether src is nil or holds a nil pointer.
func isNilSource(src IdentitySource) bool {
	if src == nil {
		return true
	}
	rv := reflect.ValueOf(src)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// identityResolver completes identities for the middleware.
type identityResolver struct {
	sources  []IdentitySource
	required bool
	logger   *slog.Logger
	now      func() time.Time
	cache    *tokencache.Cache[*AuthInfo]
	downTill []atomic.Int64 // per source: UnixNano until which it is left out
	shared   *sharedTier    // nil: identities are not shared with other replicas
	counters providerCounters
}

func newIdentityResolver(sources []IdentitySource, required bool, logger *slog.Logger, now func() time.Time, shared SharedCache) *identityResolver {
	r := &identityResolver{
		sources:  sources,
		required: required,
		logger:   logger,
		now:      now,
		cache:    tokencache.New[*AuthInfo](DefaultCacheSize, now),
		downTill: make([]atomic.Int64, len(sources)),
	}
	if shared != nil {
		r.shared = &sharedTier{cache: shared, kind: "identity", logger: logger, now: now, counters: &r.counters}
	}
	return r
}

// complete returns info with its identity completed, from the cache when it
// can. The error is a 503 when identity is required and a source is down.
func (r *identityResolver) complete(ctx context.Context, token string, info *AuthInfo) (*AuthInfo, *Error) {
	if info.Identity.complete() {
		return info, nil
	}
	key := tokencache.Digest(token)
	if done, ok := r.cache.GetDigest(key); ok {
		return done, nil
	}
	done, err := r.cache.LoadDigest(ctx, key, func(ctx context.Context) (*AuthInfo, time.Time, error) {
		return r.resolve(ctx, token, info)
	})
	if err != nil {
		return nil, refusalFromVerifier(err, token)
	}
	return done, nil
}

// resolve asks the sources, in order, for what info's identity lacks, and
// returns the completed copy with how long it may be reused.
func (r *identityResolver) resolve(ctx context.Context, token string, info *AuthInfo) (*AuthInfo, time.Time, error) {
	id := info.Identity
	if id.Claims == nil && info.Claims != nil {
		id = identityFromClaims(info.Claims, "token") // a custom verifier's AuthInfo
	}
	now := r.now()
	var slot sharedSlot
	if r.shared != nil {
		var err error
		if slot, err = newSharedSlot(r.shared.kind, token); err != nil {
			return nil, time.Time{}, NewError(CodeServerError, "the shared cache key could not be derived", err)
		}
		if e := r.shared.lookup(ctx, slot); e != nil && time.Unix(0, e.Until).After(now) {
			return info.withIdentity(Identity{Claims: e.IDClaims, Sources: e.IDSources}), time.Unix(0, e.Until), nil
		}
	}
	for i, src := range r.sources {
		if id.complete() {
			break
		}
		if now.UnixNano() < r.downTill[i].Load() {
			id.Unavailable = append(slices.Clone(id.Unavailable), src.sourceName())
			continue
		}
		claims, err := src.lookup(ctx, token, info)
		switch {
		case err == nil:
			id = id.merge(claims, src.sourceName())
		case errors.Is(err, errIdentityRefused):
			// The source answered: nothing to add for this token.
		default:
			r.downTill[i].Store(now.Add(identityRetryAfter).UnixNano())
			id.Unavailable = append(slices.Clone(id.Unavailable), src.sourceName())
			r.logger.LogAttrs(ctx, slog.LevelWarn, "bearer: identity source unavailable; serving without its claims",
				slog.String("source", src.sourceName()), slog.String("sub", info.Subject), slog.Any("error", err))
		}
	}
	if len(id.Unavailable) > 0 && r.required {
		return nil, time.Time{}, ProviderUnavailable(fmt.Sprintf("the identity source %s is unavailable", id.Unavailable[0]), nil)
	}
	expires := now.Add(identityCacheTTL)
	if len(id.Unavailable) > 0 {
		expires = now.Add(identityRetryAfter) // complete it once the source is back
	}
	if !info.ExpiresAt.IsZero() && info.ExpiresAt.Before(expires) {
		expires = info.ExpiresAt
	}
	if r.shared != nil && len(id.Unavailable) == 0 {
		// Only a complete answer is shared: a replica that found a source
		// down tries again itself.
		r.shared.store(ctx, slot, &sharedEntry{IDClaims: id.Claims, IDSources: id.Sources, Until: expires.UnixNano()}, expires.Sub(now))
	}
	return info.withIdentity(id), expires, nil
}

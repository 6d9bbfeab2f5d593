package bearer

// What an unknown opaque token may cost the authorization server. A cache
// of verified tokens protects the provider from good tokens seen again;
// this file protects it from the others: a token the provider refused is
// remembered for a short while (so one bad token hammered is one call, not
// one per request), and calls for tokens not in the cache draw on a budget
// (a rate with a burst, and a bound on calls in flight). Past the budget an
// unknown token gets 503 with Retry-After, while tokens already verified
// keep being served from the cache, which is consulted first.

import (
	"context"
	"errors"
	"time"

	"golang.org/x/time/rate"

	"github.com/mcp-auth/go/internal/tokencache"
)

// Defaults of the provider budget and of the memory of refusals: generous
// for one server (a provider call per new token: 100 new tokens a second
// is a very busy server), tight enough that a flood of random tokens
// cannot become a flood at the provider.
const (
	DefaultProviderRate        = 100 // calls per second, sustained
	DefaultProviderBurst       = 200 // calls at once after a quiet spell
	DefaultProviderConcurrency = 64  // calls in flight
	DefaultRefusalTTL          = 10 * time.Second
)

// WithProviderBudget bounds the calls a verifier makes to the authorization
// server for tokens it has not verified yet: perSecond sustained, burst at
// once, and concurrent in flight (defaults [DefaultProviderRate],
// [DefaultProviderBurst], [DefaultProviderConcurrency]). A token that would
// exceed it is answered [ErrProviderUnavailable] (503 with Retry-After)
// without a call; cached tokens are not counted. perSecond 0 removes the
// budget; negative values, or a burst or concurrency below 1 with a
// budget, are configuration errors. The budget is the verifier's own.
// For: NewUserinfoVerifier, NewIntrospectionVerifier.
func WithProviderBudget(perSecond float64, burst, concurrent int) Option {
	return option("WithProviderBudget", forUserinfo|forIntrospection, func(s *settings) {
		s.budget = providerBudget{perSecond: perSecond, burst: burst, concurrent: concurrent, set: true}
	})
}

// WithRefusalTTL sets how long a token the authorization server refused
// (userinfo's 401 or 403, introspection's "active": false) is answered
// 401 from memory without asking again (default [DefaultRefusalTTL]).
// Provider failures are never remembered as refusals. Zero disables it;
// negative, or longer than a minute (a revoked token stays refused, but a
// provider's mistaken refusal should not outlive a retry by much), is a
// configuration error. For: NewUserinfoVerifier, NewIntrospectionVerifier.
func WithRefusalTTL(d time.Duration) Option {
	return option("WithRefusalTTL", forUserinfo|forIntrospection, func(s *settings) { s.refusalTTL, s.refusalTTLSet = d, true })
}

// providerBudget is the setting of WithProviderBudget.
type providerBudget struct {
	perSecond         float64
	burst, concurrent int
	set               bool
}

// checkProviderGuard checks the settings of this file.
func checkProviderGuard(ctor string, s *settings) error {
	b := s.budget
	switch {
	case b.perSecond < 0 || b.burst < 0 || b.concurrent < 0:
		return configError("%s: WithProviderBudget: negative values (%v/s, burst %d, %d in flight)", ctor, b.perSecond, b.burst, b.concurrent)
	case b.perSecond > 0 && (b.burst < 1 || b.concurrent < 1):
		return configError("%s: WithProviderBudget: a budget needs a burst and a concurrency of at least 1", ctor)
	case s.refusalTTL < 0 || s.refusalTTL > time.Minute:
		return configError("%s: WithRefusalTTL: %v is not between 0 and 1m", ctor, s.refusalTTL)
	}
	return nil
}

// providerGuard is a verifier's budget of provider calls and its memory of
// refusals.
type providerGuard struct {
	now        func() time.Time
	counters   providerCounters
	shared     *sharedTier   // nil: no shared cache
	limiter    *rate.Limiter // nil: no budget
	slots      chan struct{} // calls in flight; nil with limiter
	refused    *tokencache.Cache[*Error]
	refusalTTL time.Duration // 0: refusals are not remembered
}

// newProviderGuard returns the guard of a verifier of kind ("userinfo" or
// "introspection").
func newProviderGuard(kind string, s *settings) *providerGuard {
	g := &providerGuard{now: s.clock, refusalTTL: DefaultRefusalTTL}
	if s.sharedCache != nil {
		g.shared = &sharedTier{cache: s.sharedCache, kind: kind, logger: s.logger, now: s.clock, counters: &g.counters}
	}
	if s.refusalTTLSet {
		g.refusalTTL = s.refusalTTL
	}
	if g.refusalTTL > 0 && s.cacheSize > 0 {
		g.refused = tokencache.New[*Error](s.cacheSize, s.now)
	}
	b := providerBudget{perSecond: DefaultProviderRate, burst: DefaultProviderBurst, concurrent: DefaultProviderConcurrency}
	if s.budget.set {
		b = s.budget
	}
	if b.perSecond > 0 {
		g.limiter = rate.NewLimiter(rate.Limit(b.perSecond), b.burst)
		g.slots = make(chan struct{}, b.concurrent)
	}
	return g
}

// errBudget is the cause of a refusal for want of budget.
var errBudget = errors.New("the budget of calls to the authorization server is spent")

// verify answers token from cache, then from the memory of refusals, and
// only then calls load, within the budget. A refusal load returns (an
// ErrInvalidToken error) is remembered.
func (g *providerGuard) verify(ctx context.Context, cache *tokencache.Cache[*AuthInfo], token string, load func(context.Context) (*AuthInfo, time.Time, error)) (*AuthInfo, error) {
	d := tokencache.Digest(token)
	if info, ok := cache.GetDigest(d); ok {
		return info, nil
	}
	if e := g.refusal(d); e != nil {
		return nil, e
	}
	return cache.LoadDigest(ctx, d, func(ctx context.Context) (*AuthInfo, time.Time, error) {
		// A flight that finished just before this one started may have
		// been refused.
		if e := g.refusal(d); e != nil {
			return nil, time.Time{}, e
		}
		var slot sharedSlot
		if g.shared != nil {
			var err error
			if slot, err = newSharedSlot(g.shared.kind, token); err != nil {
				return nil, time.Time{}, NewError(CodeServerError, "the shared cache key could not be derived", err)
			}
			if info, expires, ok, err := g.fromShared(ctx, d, slot); ok {
				return info, expires, err
			}
		}
		if g.limiter != nil {
			select {
			case g.slots <- struct{}{}:
				defer func() { <-g.slots }()
			default:
				g.counters.budget.Add(1)
				return nil, time.Time{}, ProviderUnavailable("too many tokens are being checked with the authorization server at once; retry shortly", errBudget)
			}
			if !g.limiter.AllowN(g.now(), 1) {
				g.counters.budget.Add(1)
				return nil, time.Time{}, ProviderUnavailable("too many new tokens to check with the authorization server; retry shortly", errBudget)
			}
		}
		g.counters.calls.Add(1)
		info, expires, err := load(ctx)
		var e *Error
		switch {
		case err == nil:
			if g.shared != nil {
				entry := entryOf(info)
				entry.Until = expires.UnixNano()
				g.shared.store(ctx, slot, entry, expires.Sub(g.now()))
			}
		case errors.As(err, &e) && errors.Is(e, ErrInvalidToken) && g.refusalTTL > 0:
			g.remember(d, e)
			if g.shared != nil {
				until := g.now().Add(g.refusalTTL)
				g.shared.store(ctx, slot, &sharedEntry{Refusal: e.Description, Until: until.UnixNano()}, g.refusalTTL)
			}
		}
		return info, expires, err
	})
}

// fromShared answers from the shared cache: ok is false when it holds
// nothing usable for the token (absent, expired, unreadable, failing).
func (g *providerGuard) fromShared(ctx context.Context, d [32]byte, slot sharedSlot) (info *AuthInfo, expires time.Time, ok bool, err error) {
	entry := g.shared.lookup(ctx, slot)
	if entry == nil {
		return nil, time.Time{}, false, nil
	}
	until := time.Unix(0, entry.Until)
	if !until.After(g.now()) {
		return nil, time.Time{}, false, nil
	}
	if entry.Refusal != "" {
		e := InvalidToken(entry.Refusal, nil)
		g.remember(d, e)
		return nil, time.Time{}, true, e
	}
	return entry.authInfo(), until, true, nil
}

// remember keeps a refusal in the local memory of refusals.
func (g *providerGuard) remember(d [32]byte, e *Error) {
	if g.refused != nil {
		g.refused.SetDigest(d, e, g.now().Add(g.refusalTTL))
	}
}

// refusal returns the remembered refusal of the token with digest d, or
// nil: a copy, so that each request has its own error value.
func (g *providerGuard) refusal(d [32]byte) *Error {
	if g.refused == nil {
		return nil
	}
	e, ok := g.refused.GetDigest(d)
	if !ok {
		return nil
	}
	cp := *e
	return &cp
}

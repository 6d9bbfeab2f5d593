package config

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Backoff bounds for [Lazy]: after the n-th consecutive failure the next
// fetch waits LazyMinBackoff·2^(n-1), at most LazyMaxBackoff.
const (
	LazyMinBackoff = time.Second
	LazyMaxBackoff = 5 * time.Minute
)

// Lazy is an authorization server discovered on first use, for a resource
// server that must start before its provider is reachable (the two start
// together in a compose file or a cluster).
//
// The first [Lazy.Get] fetches the metadata with [Fetch]; concurrent calls
// wait for that one fetch instead of starting their own. A success is kept
// for the life of the Lazy. A failure is not kept as a result: the next
// fetch is allowed after a backoff that doubles with each consecutive
// failure, from [LazyMinBackoff] to [LazyMaxBackoff], and until then Get
// returns the last error at once, inside a *[BackoffError], without any
// request. So a provider that is down sees at most one request per backoff
// period, however many requests the resource server receives.
//
// Lazy starts no goroutine: the fetch runs in the calling goroutine, under
// the caller's context. If that context ends, the fetch's failure is not
// counted, and the callers waiting for it start a new fetch.
//
// Create one with [NewLazy]; the zero value is not usable. A Lazy is safe
// for concurrent use.
type Lazy struct {
	issuer string
	typ    ServerType
	opts   []FetchOption
	now    func() time.Time // the clock; replaced in tests
	onWait func()           // called when a caller starts waiting; tests only

	mu       sync.Mutex
	cfg      *ServerConfig // set once, on the first success
	inflight *lazyCall     // the fetch in progress, if any
	lastErr  error         // the last failure, while retry is in the future
	failures int           // consecutive failures
	retry    time.Time     // no fetch before this time
}

// lazyCall is one fetch that several callers may wait for.
type lazyCall struct {
	done      chan struct{} // closed when the fields below are set
	cfg       *ServerConfig
	err       error
	abandoned bool // the leader's context ended: waiters must retry
}

// NewLazy checks issuer, t and opts now, as [Fetch] would (the error
// matches [ErrInvalidConfig]), and returns a [Lazy] that fetches on first
// use.
func NewLazy(issuer string, t ServerType, opts ...FetchOption) (*Lazy, error) {
	s, err := newFetchSettings(opts)
	if err != nil {
		return nil, err
	}
	if _, err := prepareFetch(s, issuer, t); err != nil {
		return nil, err
	}
	return &Lazy{issuer: issuer, typ: t, opts: slices.Clone(opts), now: time.Now}, nil
}

// Issuer returns the issuer given to [NewLazy], which is known before the
// metadata is (a protected resource metadata document can name it at once).
func (l *Lazy) Issuer() string { return l.issuer }

// Get returns the server configuration, fetching it if no fetch has
// succeeded yet. Its errors are those of [Fetch], or a *[BackoffError]
// wrapping the last one while a new fetch is not yet allowed, or ctx's
// error if ctx ends while Get waits for another caller's fetch. The
// returned configuration is shared: do not modify it.
func (l *Lazy) Get(ctx context.Context) (*ServerConfig, error) {
	for {
		l.mu.Lock()
		if l.cfg != nil {
			cfg := l.cfg
			l.mu.Unlock()
			return cfg, nil
		}
		if call := l.inflight; call != nil {
			l.mu.Unlock()
			if l.onWait != nil {
				l.onWait()
			}
			select {
			case <-call.done:
				if call.abandoned {
					continue // the leader gave up; take over
				}
				return call.cfg, call.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if now := l.now(); l.lastErr != nil && now.Before(l.retry) {
			err := &BackoffError{RetryAt: l.retry, Failures: l.failures, Err: l.lastErr}
			l.mu.Unlock()
			return nil, err
		}
		call := &lazyCall{done: make(chan struct{})}
		l.inflight = call
		l.mu.Unlock()
		return l.lead(ctx, call)
	}
}

// lead runs the fetch for call and publishes its outcome.
func (l *Lazy) lead(ctx context.Context, call *lazyCall) (*ServerConfig, error) {
	cfg, err := Fetch(ctx, l.issuer, l.typ, l.opts...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight = nil
	call.cfg, call.err = cfg, err
	switch {
	case err == nil:
		l.cfg, l.lastErr, l.failures = cfg, nil, 0
	case ctx.Err() != nil:
		call.abandoned = true // not the provider's fault: no backoff
	default:
		l.failures++
		l.lastErr = err
		l.retry = l.now().Add(backoff(l.failures))
	}
	close(call.done)
	return cfg, err
}

// backoff is the wait after n consecutive failures.
func backoff(n int) time.Duration {
	d := LazyMinBackoff
	for i := 1; i < n && d < LazyMaxBackoff; i++ {
		d *= 2
	}
	return min(d, LazyMaxBackoff)
}

// BackoffError is returned by [Lazy.Get] while a new fetch is not yet
// allowed. errors.Is and errors.As see through it to the last failure (so
// errors.Is(err, ErrProviderUnavailable) still holds for an outage).
type BackoffError struct {
	// RetryAt is when the next fetch will be allowed; a handler may turn
	// it into a Retry-After header.
	RetryAt time.Time
	// Failures counts the consecutive failed fetches.
	Failures int
	// Err is the last failure.
	Err error
}

// Error names the retry time and the last failure.
func (e *BackoffError) Error() string {
	return fmt.Sprintf("config: discovery failed %d time(s), next attempt at %s: %v",
		e.Failures, e.RetryAt.UTC().Format(time.RFC3339), e.Err)
}

// Unwrap returns the last failure.
func (e *BackoffError) Unwrap() error { return e.Err }

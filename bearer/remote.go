package bearer

// Helpers shared by the verifiers that ask the authorization server about a
// token (userinfo and introspection).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/internal/tokencache"
)

// Defaults of the remote verifiers.
const (
	defaultCacheSize = 10_000
	defaultLeeway    = 60 * time.Second
)

// remoteSettings is what both remote verifiers derive from [common].
type remoteSettings struct {
	client  *http.Client
	logger  *slog.Logger
	timeout time.Duration // bound on one shared call to the provider
	ttl     time.Duration // 0: results are not cached
	size    int
}

// remoteSetup checks the shared options and fills in their defaults.
// defaultTTL applies when no WithCacheTTL was given.
func remoteSetup(c *common, defaultTTL time.Duration) (remoteSettings, error) {
	s := remoteSettings{client: c.httpClient, logger: c.logger, ttl: defaultTTL, size: c.cacheSize}
	if c.cacheSet {
		if c.cacheTTL < 0 {
			return s, fmt.Errorf("cache TTL %v is negative", c.cacheTTL)
		}
		s.ttl = c.cacheTTL
	}
	switch {
	case c.cacheSize < 0:
		return s, fmt.Errorf("cache size %d is negative", c.cacheSize)
	case c.cacheSize == 0:
		s.size = defaultCacheSize
	}
	if s.ttl == 0 {
		s.size = 0 // still coalesces concurrent look-ups, stores nothing
	}
	if s.client == nil {
		s.client = fetch.DefaultClient()
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	// Load runs a provider call without the caller's cancellation (other
	// callers may be waiting for it), so it needs a bound of its own.
	s.timeout = fetch.DefaultTimeout
	if t := s.client.Timeout; t > 0 && t < s.timeout {
		s.timeout = t
	}
	return s, nil
}

// newRemoteCache returns the result cache for s, on the verifier's clock.
func newRemoteCache(s remoteSettings, now func() time.Time) *tokencache.Cache[*AuthInfo] {
	return tokencache.New[*AuthInfo](s.size, now)
}

// remoteWaitError maps the error of a caller who stopped waiting (its
// context ended) to a typed error: the token could not be checked, which
// is no evidence against it.
func remoteWaitError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ProviderUnavailable("the token could not be checked before the request ended", err)
	}
	return NewError(CodeServerError, "the token could not be checked", err)
}

// remoteUnavailable describes, for the client and the logs, why the
// endpoint named what gave no usable answer: the token may be fine, so the
// error is ErrProviderUnavailable.
func remoteUnavailable(what string, err error) *Error {
	var fe *fetch.Error
	var desc string
	switch {
	case !errors.As(err, &fe) || fe.Status == 0:
		desc = "the " + what + " endpoint could not be reached"
	case errors.Is(err, fetch.ErrStatus):
		desc = fmt.Sprintf("the %s endpoint answered %d", what, fe.Status)
	case errors.Is(err, fetch.ErrNotJSON) && strings.HasPrefix(fe.ContentType, "application/jwt"):
		desc = "the " + what + " endpoint answered with a signed JWT (application/jwt), which is not supported"
	case errors.Is(err, fetch.ErrNotJSON), errors.Is(err, fetch.ErrInvalidJSON):
		desc = "the " + what + " response is not a JSON object"
	case errors.Is(err, fetch.ErrTooLarge):
		desc = "the " + what + " response is too large"
	default:
		desc = "the " + what + " response was cut short or timed out"
	}
	return ProviderUnavailable(desc, err)
}

// remoteStatus returns the HTTP status carried by a failed fetch, or 0.
func remoteStatus(err error) int {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return fe.Status
	}
	return 0
}

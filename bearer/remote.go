package bearer

// Helpers shared by the verifiers and identity sources that ask the
// authorization server about a token (userinfo and introspection).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/internal/tokencache"
)

// remoteSettings is what the verifiers and identity sources that call the
// provider per token derive from the options.
type remoteSettings struct {
	client  *http.Client
	logger  *slog.Logger
	timeout time.Duration // bound on one shared call to the provider
	ttl     time.Duration // 0: results are not cached
	size    int
	now     func() time.Time
}

// remoteSetup fills in the remote defaults from s; defaultTTL applies when
// no WithCacheTTL was given.
func remoteSetup(s *settings, defaultTTL time.Duration) remoteSettings {
	r := remoteSettings{client: s.httpClient, logger: s.logger, ttl: defaultTTL, size: s.cacheSize, now: s.clock}
	if s.cacheTTLSet {
		r.ttl = s.cacheTTL
	}
	if r.ttl == 0 {
		r.size = 0 // still coalesces concurrent look-ups, stores nothing
	}
	if r.client == nil {
		r.client = fetch.DefaultClient()
	}
	// Load runs a provider call without the caller's cancellation (other
	// callers may be waiting for it), so it needs a bound of its own.
	r.timeout = fetch.DefaultTimeout
	if t := r.client.Timeout; t > 0 && t < r.timeout {
		r.timeout = t
	}
	return r
}

// newCache returns the result cache for r, on r's clock.
func newCache[V any](r remoteSettings) *tokencache.Cache[V] {
	return tokencache.New[V](r.size, r.now)
}

// checkEndpoint checks the URL of a provider endpoint: absolute, https (or
// loopback http, or any http with InsecureAllowHTTP), no user information
// or fragment. ctor and what name it in the error, which matches
// ErrMisconfigured.
func checkEndpoint(ctor, what, raw string, s *settings) (*url.URL, error) {
	u, err := fetch.CheckURL(raw, what, s.insecureHTTP)
	if err != nil {
		return nil, configError("%s: %v", ctor, err)
	}
	return u, nil
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

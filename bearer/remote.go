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
	"sync"
	"time"

	"github.com/mcp-auth/go/config"
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

// endpointRef is the URL of a provider endpoint (userinfo, introspection,
// JWK Set): known at construction, or read from a deferred server
// configuration ([config.Deferred]) the first time it is needed, so that a
// server can start before its provider answers.
type endpointRef struct {
	what     string // the endpoint's role, for errors
	insecure bool   // InsecureAllowHTTP

	server *config.ServerConfig          // nil: url is known
	field  func(*config.Metadata) string // the member that holds the URL

	mu  sync.Mutex
	url string // known, or resolved from server
}

// knownEndpoint is an endpointRef whose URL is known (and checked).
func knownEndpoint(what, url string) *endpointRef {
	return &endpointRef{what: what, url: url}
}

// get returns the endpoint's URL, resolving the server configuration on
// first use. A provider that cannot be reached, or whose document is not
// usable yet, is [ErrProviderUnavailable] (503); a document that does not
// name the endpoint, or names an unacceptable URL, is a misconfiguration
// (500): no token can be checked until the provider's configuration changes.
func (e *endpointRef) get(ctx context.Context) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.url != "" || e.server == nil {
		return e.url, nil
	}
	cfg, err := e.server.Resolve(ctx)
	if err != nil {
		return "", ProviderUnavailable("the authorization server's metadata could not be discovered", err)
	}
	raw := e.field(&cfg.Metadata)
	if raw == "" {
		return "", NewError(CodeServerError, "the authorization server publishes no "+metadataMember(e.what), nil)
	}
	if _, err := fetch.CheckURL(raw, e.what, e.insecure); err != nil {
		return "", NewError(CodeServerError, "the authorization server's "+e.what+" is not usable", err)
	}
	e.url = raw
	return raw, nil
}

// endpointFor applies opts for ctor and returns the endpoint of server s
// that field reads: known when s is resolved (it must name the endpoint),
// read on first use when s is deferred. s's issuer is checked now.
func endpointFor(ctor string, t target, what string, s *config.ServerConfig, field func(*config.Metadata) string, opts []Option) (*settings, *endpointRef, error) {
	set, err := applyOptions(ctor, t, opts)
	if err != nil {
		return nil, nil, err
	}
	if s == nil {
		return nil, nil, configError("%s: nil server configuration", ctor)
	}
	if _, err := checkEndpoint(ctor, "issuer", s.Metadata.Issuer, set); err != nil {
		return nil, nil, err
	}
	if s.IsDeferred() {
		return set, &endpointRef{what: what, insecure: set.insecureHTTP, server: s, field: field}, nil
	}
	raw := field(&s.Metadata)
	if raw == "" {
		return nil, nil, configError("%s: authorization server %s publishes no %s", ctor, s.Metadata.Issuer, metadataMember(what))
	}
	if _, err := checkEndpoint(ctor, what, raw, set); err != nil {
		return nil, nil, err
	}
	return set, knownEndpoint(what, raw), nil
}

// metadataMember is the metadata member that holds the endpoint what
// ("userinfo endpoint" -> "userinfo_endpoint", "JWKS URI" -> "jwks_uri").
func metadataMember(what string) string {
	return strings.ToLower(strings.ReplaceAll(what, " ", "_"))
}

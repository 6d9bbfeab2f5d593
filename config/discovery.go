package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mcp-auth/go/internal/fetch"
)

// ServerConfig is an authorization server as the resource server knows it:
// the type of its discovery document and the document itself. [Fetch]
// returns one; one may also be written by hand for a provider that
// publishes no metadata (then validate it with [ServerConfig.Validate]).
// A ServerConfig is a plain value: safe for concurrent reads.
type ServerConfig struct {
	// Type is the kind of document: [OAuth] or [OIDC] (never [Auto] when
	// returned by a fetch).
	Type ServerType
	// Metadata is the document. For a configuration made by [Deferred],
	// only Metadata.Issuer is set until [ServerConfig.Resolve] succeeds.
	Metadata Metadata

	deferred *Lazy // set by Deferred
}

// Fetch discovers the authorization server identified by issuer: it reads
// the metadata document at the URLs [WellKnownURLs] gives for t, in order,
// and returns the first document found.
//
// The issuer must be https, except on loopback hosts (see
// [InsecureAllowHTTP]); otherwise, or with an unknown t, the error matches
// [ErrInvalidConfig] and nothing is fetched. Each response must have status
// 200, a JSON media type and at most 1 MiB of body, and arrive before the
// client's timeout (10 seconds by default) and the end of ctx.
//
// With [Auto], a URL that answers with a 4xx status or something other
// than a JSON object moves on to the next URL; a network error, a timeout,
// a refused redirect or a 5xx status ends the discovery at once with
// [ErrProviderUnavailable], so that a passing outage cannot make Fetch pick a
// different document than it would otherwise find. When no URL has a
// document the error matches [ErrNotFound].
//
// The document's "issuer" must equal issuer exactly, byte for byte (RFC
// 8414 section 3.3; OpenID Connect Discovery 1.0 section 4.3), after any
// [WithTransform] hooks ran; otherwise the error matches
// [ErrIssuerMismatch] and no other URL is tried. A named member of the
// wrong JSON type gives [ErrInvalidMetadata].
//
// Fetch does not check the document against the MCP requirements unless
// given [WithValidation]; otherwise call [ServerConfig.Validate]. Every
// error is a *[FetchError], except those matching [ErrInvalidConfig].
func Fetch(ctx context.Context, issuer string, t ServerType, opts ...FetchOption) (*ServerConfig, error) {
	s, err := newFetchSettings(opts)
	if err != nil {
		return nil, err
	}
	cands, err := prepareFetch(s, issuer, t)
	if err != nil {
		return nil, err
	}
	return discover(ctx, s, issuer, cands, func(m *Metadata) bool { return m.Issuer == issuer })
}

// prepareFetch checks Fetch's arguments and returns the URLs to try.
func prepareFetch(s *fetchSettings, issuer string, t ServerType) ([]candidate, error) {
	if s.expectedIssuer != "" && s.expectedIssuer != issuer {
		return nil, fmt.Errorf("%w: WithExpectedIssuer(%q) differs from the issuer %q", ErrInvalidConfig, s.expectedIssuer, issuer)
	}
	cands, err := wellKnownCandidates(issuer, t)
	if err != nil {
		return nil, err
	}
	if err := s.checkURL(issuer, "issuer"); err != nil {
		return nil, err
	}
	return cands, nil
}

// FetchByWellKnownURL reads the metadata document at wellKnownURL, for a
// provider whose document is not where [WellKnownURLs] would look, or to
// pin one location. The limits, the https rule and the errors are those of
// [Fetch]; only one URL is tried.
//
// With [Auto], the type comes from the URL's path: OAuth when it starts
// with [OAuthWellKnownPath], OIDC when it contains [OIDCWellKnownPath];
// any other URL needs an explicit type.
//
// The document's issuer is checked too (RFC 8414 section 3.3). With
// [WithExpectedIssuer] it must equal that issuer exactly. Otherwise it
// must be an issuer from which an MCP client would derive wellKnownURL for
// this type (for example https://a.com/tenant or https://a.com/tenant/ for
// https://a.com/.well-known/oauth-authorization-server/tenant); so a URL
// of no standard shape requires [WithExpectedIssuer].
func FetchByWellKnownURL(ctx context.Context, wellKnownURL string, t ServerType, opts ...FetchOption) (*ServerConfig, error) {
	s, err := newFetchSettings(opts)
	if err != nil {
		return nil, err
	}
	if !t.known() {
		return nil, fmt.Errorf("%w: unknown server type %q", ErrInvalidConfig, string(t))
	}
	if u, err := url.Parse(wellKnownURL); err == nil && u.User != nil {
		// Checked first, so that no message repeats a password.
		return nil, fmt.Errorf("%w: well-known URL %s must not contain user information", ErrInvalidConfig, u.Redacted())
	}
	if err := s.checkURL(wellKnownURL, "well-known URL"); err != nil {
		return nil, err
	}
	u, _ := url.Parse(wellKnownURL) // checked just above
	if t == Auto {
		var ok bool
		if t, ok = typeOfWellKnownURL(u); !ok {
			return nil, fmt.Errorf("%w: the type of %s cannot be inferred from its path; give OAuth or OIDC", ErrInvalidConfig, wellKnownURL)
		}
	}
	fetched := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" || u.ForceQuery {
		fetched = "" // no issuer leads to a URL with a query
	}
	accept := func(m *Metadata) bool {
		if s.expectedIssuer != "" {
			return m.Issuer == s.expectedIssuer
		}
		derived, err := wellKnownCandidates(m.Issuer, Auto)
		if err != nil {
			return false
		}
		for _, c := range derived {
			if c.typ == t && c.url == fetched {
				return true
			}
		}
		return false
	}
	return discover(ctx, s, s.expectedIssuer, []candidate{{wellKnownURL, t}}, accept)
}

// discover tries the candidates in order; see Fetch for the policy.
func discover(ctx context.Context, s *fetchSettings, issuer string, cands []candidate, accept func(*Metadata) bool) (*ServerConfig, error) {
	client := s.httpClient()
	failed := &FetchError{Issuer: issuer}
	fail := func(kind error, c candidate, status int, err error) (*ServerConfig, error) {
		failed.kind = kind
		failed.Attempts = append(failed.Attempts, Attempt{URL: c.url, Status: status, Err: err})
		return nil, failed
	}
	for _, c := range cands {
		m, status, err := getMetadata(ctx, client, c.url)
		switch {
		case errors.Is(err, errMemberType):
			return fail(ErrInvalidMetadata, c, status, err)
		case err != nil && (ctx.Err() != nil || !absent(err, status)):
			return fail(ErrProviderUnavailable, c, status, err)
		case err != nil:
			failed.Attempts = append(failed.Attempts, Attempt{URL: c.url, Status: status, Err: err})
			continue
		}
		for _, fn := range s.transforms {
			if err := fn(m); err != nil {
				return fail(ErrInvalidMetadata, c, status, fmt.Errorf("transform: %w", err))
			}
		}
		if !accept(m) {
			want := "an issuer that leads to this URL (see WithExpectedIssuer)"
			if issuer != "" {
				want = fmt.Sprintf("%q", issuer)
			}
			return fail(ErrIssuerMismatch, c, status, fmt.Errorf("the document's issuer is %s, want %s", quoteUntrusted(m.Issuer), want))
		}
		cfg := &ServerConfig{Type: c.typ, Metadata: *m}
		if s.validate {
			if err := cfg.Validate(s.validateOpts...).Err(); err != nil {
				return fail(ErrInvalidMetadata, c, status, err)
			}
		}
		return cfg, nil
	}
	failed.kind = ErrNotFound
	return nil, failed
}

// absent reports whether a failed read says that no metadata document is
// at the URL (a 4xx other than 408 and 429, or an answer that is not a JSON
// object), as opposed to the server failing to deliver one (network errors,
// timeouts, a body cut short, 408, 429, 5xx), which must stop discovery
// rather than let it settle for another location's document.
func absent(err error, status int) bool {
	switch {
	case errors.Is(err, fetch.ErrStatus):
		return status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
	default:
		return errors.Is(err, fetch.ErrNotJSON) || errors.Is(err, fetch.ErrInvalidJSON) ||
			errors.Is(err, fetch.ErrTooLarge) || errors.Is(err, errNotObject)
	}
}

// errNotObject: the answer is JSON but not a JSON object.
var errNotObject = errors.New("the response is JSON but not a JSON object")

// errMemberType marks a document that is a JSON object but has a named
// member of the wrong type: a broken document, not a missing one.
var errMemberType = errors.New("broken metadata document")

// getMetadata fetches one document. status is the HTTP status received, 0
// if none.
func getMetadata(ctx context.Context, client *http.Client, u string) (*Metadata, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	var raw json.RawMessage
	if err := fetch.Do(client, req, "discovery", &raw); err != nil {
		var fe *fetch.Error
		if errors.As(err, &fe) {
			return nil, fe.Status, err
		}
		return nil, 0, err
	}
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, http.StatusOK, errNotObject
	}
	m := new(Metadata)
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, http.StatusOK, fmt.Errorf("%w: %v", errMemberType, err)
	}
	return m, http.StatusOK, nil
}

package config

import (
	"fmt"
	"net/http"

	"github.com/mcp-auth/go/internal/fetch"
)

// FetchOption adjusts [Fetch], [FetchByWellKnownURL] and [NewLazy].
type FetchOption func(*fetchSettings)

// fetchSettings is what the options set.
type fetchSettings struct {
	client         *http.Client
	transforms     []func(*Metadata) error
	insecure       bool
	expectedIssuer string
	validate       bool
	validateOpts   []ValidateOption
	err            error // the first invalid option
}

// WithHTTPClient sends the requests with c instead of a default client
// (10-second timeout, at most 5 redirects, all to the same origin). nil
// means the default. The client is used through a copy in which a nil
// CheckRedirect becomes the same-origin policy and a zero Timeout becomes
// 10 seconds, so that a client built for other purposes can neither follow
// a redirect to another host nor wait forever; its Transport is shared.
func WithHTTPClient(c *http.Client) FetchOption {
	return func(s *fetchSettings) { s.client = c }
}

// WithTransform runs fn on each fetched document before its issuer is
// checked, to repair a provider that does not follow the specifications
// (a missing member, a value in the wrong place). fn may change any field,
// including Issuer: a transform that rewrites the issuer takes over the
// responsibility of RFC 8414 section 3.3. An error from fn ends the
// discovery with [ErrInvalidMetadata]. Several transforms run in the order
// given; a nil fn is ignored.
func WithTransform(fn func(*Metadata) error) FetchOption {
	return func(s *fetchSettings) {
		if fn != nil {
			s.transforms = append(s.transforms, fn)
		}
	}
}

// InsecureAllowHTTP accepts plain http issuers and well-known URLs on any
// host, not only on loopback hosts (localhost, 127.0.0.0/8, ::1), which are
// always accepted. Anyone on the path can then forge the provider's
// metadata and so its keys: use it only in tests and on closed development
// networks (a provider reached as http://auth:3001 in a compose file).
func InsecureAllowHTTP() FetchOption {
	return func(s *fetchSettings) { s.insecure = true }
}

// WithExpectedIssuer states the issuer the document must name, for
// [FetchByWellKnownURL] with a URL that the rules of [WellKnownURLs] do not
// derive from the issuer. With [Fetch] and [NewLazy] it must equal the
// issuer argument (or be omitted).
func WithExpectedIssuer(issuer string) FetchOption {
	return func(s *fetchSettings) {
		if _, err := parseIssuer(issuer); err != nil && s.err == nil {
			s.err = fmt.Errorf("WithExpectedIssuer: %w", err)
		}
		s.expectedIssuer = issuer
	}
}

// WithValidation makes a document that fails [ServerConfig.Validate] (run
// with opts) a failed fetch: the error matches [ErrInvalidMetadata] and
// errors.As finds the *[ValidationError] in it. Warnings do not fail. With
// [Lazy] this means an invalid document is retried after a backoff (the
// provider's configuration may be fixed meanwhile) instead of being kept.
func WithValidation(opts ...ValidateOption) FetchOption {
	return func(s *fetchSettings) {
		s.validate = true
		s.validateOpts = append(s.validateOpts, opts...)
	}
}

// newFetchSettings applies opts and reports the first invalid one.
func newFetchSettings(opts []FetchOption) (*fetchSettings, error) {
	s := &fetchSettings{}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s, s.err
}

// httpClient returns the client to use, with the safety defaults filled in.
func (s *fetchSettings) httpClient() *http.Client {
	if s.client == nil {
		return fetch.DefaultClient()
	}
	c := *s.client
	if c.CheckRedirect == nil {
		c.CheckRedirect = fetch.SameOriginRedirects
	}
	if c.Timeout == 0 {
		c.Timeout = fetch.DefaultTimeout
	}
	return &c
}

// checkURL applies the https rule to a URL the caller gave.
func (s *fetchSettings) checkURL(raw, what string) error {
	if _, err := fetch.CheckURL(raw, what, s.insecure); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return nil
}

package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mcp-auth/go/internal/fetch"
)

// Category sentinels: test an error from this package with errors.Is.
var (
	// ErrInvalidConfig: the caller's input is unusable (an issuer or URL
	// that is not an https URL, an unknown [ServerType], conflicting
	// options). Nothing was fetched.
	ErrInvalidConfig = errors.New("config: invalid configuration")
	// ErrNotFound: no location answered with a metadata document: every
	// URL tried gave a 4xx (or other non-200, non-5xx) status, a body that
	// is not JSON (by media type or content), a JSON value that is not an
	// object, or a body over the size limit (1 MiB).
	ErrNotFound = errors.New("config: authorization server metadata not found")
	// ErrProviderUnavailable: the authorization server could not be
	// reached, timed out (or the context ended), sent a redirect that was
	// refused, or answered with a 5xx, 408 or 429 status, or cut a
	// response short. The document may exist; try again later (a resource
	// server answers 503 meanwhile). It is the same value as
	// bearer.ErrProviderUnavailable: one name for one condition, whichever
	// package reports it.
	ErrProviderUnavailable = errors.New("authorization server unavailable")
	// ErrIssuerMismatch: a metadata document was found but its "issuer"
	// is not the expected one (RFC 8414 section 3.3). The document must
	// not be used.
	ErrIssuerMismatch = errors.New("config: metadata issuer does not match")
	// ErrInvalidMetadata: the document is unusable: a named member has the
	// wrong JSON type, a [WithTransform] hook rejected it, or
	// [ServerConfig.Validate] found errors.
	ErrInvalidMetadata = errors.New("config: invalid authorization server metadata")
)

// Attempt is one URL tried during discovery and why it failed.
type Attempt struct {
	// URL is the URL requested.
	URL string
	// Status is the HTTP status received, 0 if no response arrived.
	Status int
	// Err is the cause; for HTTP failures it is an
	// internal/fetch error naming the URL.
	Err error
}

// FetchError is a failed discovery. It lists every URL tried, in order, and
// why each failed; the last attempt is the one that ended the discovery.
//
// errors.Is(err, X) is true for exactly one of [ErrNotFound],
// [ErrProviderUnavailable], [ErrIssuerMismatch] and [ErrInvalidMetadata], and for
// whatever the last attempt's cause matches (context.DeadlineExceeded,
// context.Canceled, ...). Error strings contain URLs, statuses and, quoted
// and shortened, an issuer read from the network; never a token.
type FetchError struct {
	// Issuer is the issuer being discovered, "" when FetchByWellKnownURL
	// had none to expect before reading the document.
	Issuer string
	// Attempts lists every URL tried, in order; it is never empty.
	Attempts []Attempt

	kind error // one of the category sentinels
}

// Error names the category, the issuer and every URL tried with its cause.
func (e *FetchError) Error() string {
	var b strings.Builder
	if e.kind != nil {
		b.WriteString(e.kind.Error())
	} else {
		b.WriteString("config: discovery failed")
	}
	if e.Issuer != "" {
		fmt.Fprintf(&b, " for issuer %s", e.Issuer)
	}
	for i, a := range e.Attempts {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		cause := a.Err
		var fe *fetch.Error
		if errors.As(cause, &fe) {
			cause = fe.Err // fe's own message repeats the URL
		}
		fmt.Fprintf(&b, "[%d] %s: %v", i+1, a.URL, cause)
	}
	return b.String()
}

// Is reports whether target is the category of e.
func (e *FetchError) Is(target error) bool { return target == e.kind }

// Unwrap returns the cause of the last attempt.
func (e *FetchError) Unwrap() error {
	if len(e.Attempts) == 0 {
		return nil
	}
	return e.Attempts[len(e.Attempts)-1].Err
}

// quoteUntrusted quotes a string read from the network for an error
// message, shortened so that a hostile document cannot flood a log.
func quoteUntrusted(s string) string {
	const max = 128
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

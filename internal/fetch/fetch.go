// Package fetch is the one way this module talks to an authorization server:
// every remote read (discovery, JWKS, userinfo, introspection) goes through
// [Do], which bounds the time, the size and the shape of what it accepts and
// names the operation and URL in every error.
package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxBody is the largest response body accepted: 1 MiB, far more than any
// metadata document, key set or userinfo response needs.
const MaxBody = 1 << 20

// DefaultTimeout bounds a whole request (connect, headers and body) when the
// caller gives no client of its own.
const DefaultTimeout = 10 * time.Second

// DefaultClient returns a new client with [DefaultTimeout] that follows only
// same-origin redirects (at most 5), so that a compromised or misconfigured
// server cannot bounce a request carrying a token to another host.
func DefaultClient() *http.Client {
	return &http.Client{Timeout: DefaultTimeout, CheckRedirect: SameOriginRedirects}
}

// SameOriginRedirects is an http.Client CheckRedirect policy that follows at
// most 5 redirects, all to the origin of the first request.
func SameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Scheme, first.Scheme) || !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("refused a redirect to another origin (%s)", req.URL.Redacted())
	}
	return nil
}

// Causes of a failed read that arrived as a response; an [Error] wraps one
// of them (test with errors.Is). Network failures wrap the transport's error
// instead.
var (
	// ErrStatus: the status was not 200.
	ErrStatus = errors.New("unexpected status")
	// ErrTooLarge: the body exceeded [MaxBody].
	ErrTooLarge = fmt.Errorf("response larger than %d bytes", MaxBody)
	// ErrNotJSON: the media type is not JSON.
	ErrNotJSON = errors.New("not JSON")
	// ErrInvalidJSON: the body does not parse into the expected shape.
	ErrInvalidJSON = errors.New("invalid JSON")
)

// Error is a failed remote read. Status is the HTTP status when a response
// arrived (0 for network errors and timeouts).
type Error struct {
	Op          string // what was being fetched, such as "discovery" or "JWKS"
	URL         string // the URL requested, without user information
	Status      int    // the HTTP status, 0 if no response arrived
	ContentType string // the response's Content-Type, "" if none arrived
	Err         error  // the cause
}

// Error names the operation, the URL and the cause.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Op, e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Do sends req with client (nil means [DefaultClient]), requires status 200
// and a JSON media type, reads at most [MaxBody] bytes and decodes them into
// dst. op names the operation in errors.
func Do(client *http.Client, req *http.Request, op string, dst any) error {
	if client == nil {
		client = DefaultClient()
	}
	var contentType string
	fail := func(status int, err error) error {
		return &Error{Op: op, URL: req.URL.Redacted(), Status: status, ContentType: contentType, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is already in our own error
		}
		return fail(0, err)
	}
	defer resp.Body.Close()
	contentType = resp.Header.Get("Content-Type")
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return fail(resp.StatusCode, fmt.Errorf("reading the response: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return fail(resp.StatusCode, fmt.Errorf("%w %d", ErrStatus, resp.StatusCode))
	}
	if len(body) > MaxBody {
		return fail(resp.StatusCode, ErrTooLarge)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || !isJSON(mt) {
		return fail(resp.StatusCode, fmt.Errorf("content type %q is %w", contentType, ErrNotJSON))
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return fail(resp.StatusCode, fmt.Errorf("%w: %w", ErrInvalidJSON, err))
	}
	return nil
}

// isJSON accepts application/json and the +json structured syntax suffix
// (application/jwk-set+json, application/token-introspection+json, ...).
func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// URLError is a URL that [CheckURL] refused.
type URLError struct {
	What   string // the URL's role, such as "issuer" or "JWKS URI"
	URL    string // the URL as given (user information removed when it parsed)
	Reason string // why, such as "must use https"
}

// Error names the role, the URL and the reason.
func (e *URLError) Error() string { return fmt.Sprintf("%s %q %s", e.What, e.URL, e.Reason) }

// CheckURL is the one rule for every URL this module fetches or publishes
// (issuers, endpoints, key sets, resources, metadata URLs): an absolute URL
// with a host, no user information and no fragment, using https, or http
// for loopback hosts (localhost, 127.0.0.0/8, ::1) or when insecure is
// true. what names the URL's role in the error, a *[URLError].
func CheckURL(raw, what string, insecure bool) (*url.URL, error) {
	fail := func(shown, reason string) (*url.URL, error) {
		return nil, &URLError{What: what, URL: shown, Reason: reason}
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fail(raw, "is not a valid URL")
	case u.User != nil:
		return fail(u.Redacted(), "must not contain user information")
	case !u.IsAbs() || u.Hostname() == "" || u.Opaque != "":
		return fail(raw, "is not an absolute URL with a host")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fail(raw, "must not have a fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && (insecure || IsLoopback(u.Hostname())):
	case u.Scheme == "http":
		return fail(raw, "must use https (http is allowed only for loopback hosts)")
	default:
		return fail(raw, "must use https")
	}
	return u, nil
}

// IsLoopback reports whether host (without port) is "localhost", a name
// under ".localhost", or a loopback IP address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

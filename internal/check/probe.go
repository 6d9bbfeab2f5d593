package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcp-auth/go/internal/fetch"
)

// maxRedirects is the most redirects followed, as fetch.SameOriginRedirects
// and the MCP TypeScript SDK allow.
const maxRedirects = 5

// Why a request was not sent or not followed; test with errors.Is.
var (
	// errCrossOrigin: the server redirected to another origin, which MCP
	// clients refuse to follow (and so does this checker).
	errCrossOrigin = errors.New("redirected to another origin")
	// errInsecureURL: the URL is plain http on a host that is not a
	// loopback one, and Options.InsecureHTTP is off.
	errInsecureURL = errors.New("plain http to a host that is not a loopback one")
)

// exchange is one request and what came back.
type exchange struct {
	status    int         // 0 when no response arrived
	header    http.Header // the final response's header
	redirects []string    // each Location followed, in order
	err       error       // a network error, errCrossOrigin, errInsecureURL, a fetch.Error...
}

// prober sends the checker's requests: every one with a timeout, no
// credentials, no cookies, and redirects followed only within the origin.
type prober struct {
	base     http.Client
	timeout  time.Duration
	insecure bool
}

func newProber(o Options) *prober {
	p := &prober{timeout: o.Timeout, insecure: o.InsecureHTTP}
	if o.Client != nil {
		p.base = *o.Client
	} else {
		p.base.Timeout = o.Timeout
	}
	p.base.Jar = nil
	return p
}

// allowed applies the transport rule to a URL about to be requested.
func (p *prober) allowed(raw string) error {
	if _, err := fetch.CheckURL(raw, "URL", p.insecure); err != nil {
		if u, perr := url.Parse(raw); perr == nil && strings.EqualFold(u.Scheme, "http") {
			return errInsecureURL
		}
		return err
	}
	return nil
}

// client returns a client for one request whose redirects are recorded in
// ex and refused when they leave the origin, break the transport rule or
// are too many.
func (p *prober) client(ex *exchange, follow func(resp *http.Response) bool) *http.Client {
	c := p.base
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.Response != nil && !follow(req.Response) {
			return http.ErrUseLastResponse
		}
		ex.redirects = append(ex.redirects, req.URL.Redacted())
		if err := fetch.SameOriginRedirects(req, via); err != nil {
			if len(via) < maxRedirects {
				return fmt.Errorf("%w: %s", errCrossOrigin, quote(req.URL.Redacted()))
			}
			return err
		}
		return p.allowed(req.URL.String())
	}
	return &c
}

// do sends one request and reads at most fetch.MaxBody bytes of the body
// when keepBody is set (otherwise none: an event stream may never end).
func (p *prober) do(ctx context.Context, method, rawURL string, header http.Header, body []byte, keepBody bool) (ex exchange, respBody []byte) {
	if err := p.allowed(rawURL); err != nil {
		ex.err = err
		return ex, nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		ex.err = err
		return ex, nil
	}
	for k, v := range header {
		req.Header[k] = v
	}
	// A POST follows only 307 and 308, which keep the method and body; a
	// client turning a POST into a GET would lose the request. A preflight
	// follows none: browsers fail a redirected preflight.
	follow := func(resp *http.Response) bool {
		switch method {
		case http.MethodOptions:
			return false
		case http.MethodPost:
			return resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusPermanentRedirect
		}
		return true
	}
	resp, err := p.client(&ex, follow).Do(req)
	if err != nil {
		ex.err = unwrapURLError(err)
		return ex, nil
	}
	defer resp.Body.Close()
	ex.status, ex.header = resp.StatusCode, resp.Header
	if keepBody {
		respBody, err = io.ReadAll(io.LimitReader(resp.Body, fetch.MaxBody+1))
		if err != nil {
			ex.err = fmt.Errorf("reading the response: %w", err)
		} else if len(respBody) > fetch.MaxBody {
			ex.err = fetch.ErrTooLarge
		}
	}
	return ex, respBody
}

// getJSON reads a JSON document through fetch.Do (status 200, a JSON media
// type, the size cap), with the checker's redirect policy, and returns the
// exchange with the raw document.
func (p *prober) getJSON(ctx context.Context, op, rawURL string, header http.Header) (exchange, json.RawMessage) {
	var ex exchange
	if err := p.allowed(rawURL); err != nil {
		ex.err = err
		return ex, nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		ex.err = err
		return ex, nil
	}
	for k, v := range header {
		req.Header[k] = v
	}
	rt := &lastResponse{base: p.base.Transport}
	c := p.client(&ex, func(*http.Response) bool { return true })
	c.Transport = rt
	var raw json.RawMessage
	err = fetch.Do(c, req, op, &raw)
	if rt.resp != nil {
		ex.status, ex.header = rt.resp.StatusCode, rt.resp.Header
	}
	if err != nil {
		ex.err = err
		return ex, nil
	}
	return ex, raw
}

// lastResponse is a RoundTripper that remembers the last response, so that
// the headers of a document read by fetch.Do can be checked too.
type lastResponse struct {
	base http.RoundTripper
	resp *http.Response
}

func (l *lastResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	base := l.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil {
		l.resp = resp
	}
	return resp, err
}

// unwrapURLError drops the *url.Error layer, whose message repeats the
// method and URL the checks already name.
func unwrapURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// describe says in words why an exchange failed, for a detail line.
func describe(ex exchange) string {
	var fe *fetch.Error
	switch {
	case errors.Is(ex.err, errCrossOrigin):
		return unwrapURLError(ex.err).Error()
	case errors.Is(ex.err, errInsecureURL):
		return "not requested: " + errInsecureURL.Error()
	case errors.As(ex.err, &fe) && fe.Status == http.StatusUnauthorized, ex.err == nil && ex.status == http.StatusUnauthorized:
		return "answered 401: it requires authentication"
	case errors.As(ex.err, &fe) && fe.Status != 0:
		return fmt.Sprintf("answered %d: %v", fe.Status, cleanErr(fe.Err))
	case errors.As(ex.err, &fe):
		return cleanErr(unwrapURLError(fe.Err))
	case ex.err != nil:
		return cleanErr(ex.err)
	}
	return fmt.Sprintf("answered %d", ex.status)
}

// fixFor suggests what to change for a failed exchange.
func fixFor(ex exchange, what string) string {
	var fe *fetch.Error
	status := ex.status
	if errors.As(ex.err, &fe) {
		status = fe.Status
	}
	switch {
	case errors.Is(ex.err, errCrossOrigin):
		return "serve " + what + " at this URL directly (MCP clients follow at most 5 redirects, all within the origin)"
	case errors.Is(ex.err, errInsecureURL):
		return "serve it over https (or rerun with -insecure-http to check a development deployment)"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "serve " + what + " without authentication: mount the metadata handler beside the MCP handler, not behind the bearer middleware"
	case errors.Is(ex.err, fetch.ErrNotJSON):
		return "serve " + what + " with Content-Type: application/json"
	case status == http.StatusNotFound:
		return "serve " + what + " at this URL"
	}
	return "make " + what + " answer 200 with a JSON document"
}

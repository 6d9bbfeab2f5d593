package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/metadata"
)

// ErrUsage is matched (errors.Is) by the error [Run] returns when the
// target is not a URL it can check; nothing was requested.
var ErrUsage = errors.New("check: unusable target URL")

// initializeBody is the JSON-RPC request of the unauthenticated POST: the
// first request any MCP client sends.
const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + ProtocolVersion +
	`","capabilities":{},"clientInfo":{"name":"mcpauth-check","version":"1"}}}`

// Run checks the deployment at target, an MCP endpoint URL or an
// authorization server's issuer, and returns what it found. It tells the
// two apart by what the URL answers: an unauthenticated MCP initialize
// POST answered 401 makes it an MCP endpoint; otherwise metadata at the
// issuer's well-known URLs makes it an issuer; otherwise protected resource
// metadata at its RFC 9728 URL makes it an (unprotected) MCP endpoint;
// otherwise the report holds a failed "target.kind".
//
// The error is non-nil, matching [ErrUsage], only when target is not an
// absolute http or https URL with a host, or has user information or a
// fragment. Every finding about the deployment, unreachable hosts
// included, is a [Result] in the report. Run never sends credentials.
func Run(ctx context.Context, target string, opts Options) (*Report, error) {
	u, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	c := &checker{opts: opts, p: newProber(opts), report: &Report{Target: target, Kind: KindUnknown, Results: []Result{}}}
	c.run(ctx, target, u)
	return c.report, nil
}

// parseTarget applies the rules of Run's error.
func parseTarget(target string) (*url.URL, error) {
	u, err := url.Parse(target)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %q is not a URL", ErrUsage, target)
	case u.User != nil:
		return nil, fmt.Errorf("%w: %s must not contain user information", ErrUsage, u.Redacted())
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: %q must be an http or https URL", ErrUsage, target)
	case u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("%w: %q must be an absolute URL with a host", ErrUsage, target)
	case u.Fragment != "" || strings.Contains(target, "#"):
		return nil, fmt.Errorf("%w: %q must not have a fragment", ErrUsage, target)
	}
	return u, nil
}

// checker runs the checks of one Run.
type checker struct {
	opts   Options
	p      *prober
	report *Report
}

func (c *checker) section(name, subject string) *recorder {
	return &recorder{report: c.report, section: name, subject: subject}
}

func (c *checker) run(ctx context.Context, target string, u *url.URL) {
	rec := c.section("target", target)
	if !c.transportRule(rec, "target.url", "the URL", target) {
		return
	}

	post := c.postInitialize(ctx, target, nil)
	if post.err == nil && post.status == http.StatusUnauthorized {
		c.report.Kind = KindMCP
		rec.pass("target.kind", "MCP endpoint: an unauthenticated initialize POST answered 401")
		c.checkMCP(ctx, target, u, post)
		return
	}
	if post.err != nil && !errors.Is(post.err, errCrossOrigin) && (post.status == 0) && isNetworkError(post.err) {
		rec.fail("target.kind", "cannot reach "+target+": "+cleanErr(post.err),
			"check the URL and that the server is running and reachable from here")
		return
	}

	var disc *discovery
	if u.RawQuery == "" && !u.ForceQuery { // an issuer has no query
		disc = c.discover(ctx, target)
		if disc.found() != nil {
			c.report.Kind = KindIssuer
			rec.pass("target.kind", "issuer: authorization server metadata found at "+disc.found().url)
			c.checkAS(ctx, target, disc)
			return
		}
	}

	if prmURL, err := metadata.URL(target); err == nil {
		if ex, raw := c.p.getJSON(ctx, "protected resource metadata", prmURL, c.metadataHeader()); ex.err == nil && isObject(raw) {
			c.report.Kind = KindMCP
			rec.pass("target.kind", "MCP endpoint: it publishes protected resource metadata at "+prmURL+
				", although an unauthenticated POST "+describePost(post))
			c.checkMCP(ctx, target, u, post)
			return
		}
	}
	where := ""
	if disc != nil {
		where = " nor an issuer (no authorization server metadata at " + strings.Join(disc.urls(), ", ") + ")"
	}
	rec.fail("target.kind", "neither an MCP endpoint (an unauthenticated initialize POST "+describePost(post)+
		", and no protected resource metadata)"+where,
		"give the URL MCP clients connect to (such as https://host/mcp) or the authorization server's issuer URL")
}

// transportRule records whether raw may be requested: https, or http on a
// loopback host, or (with InsecureHTTP, as a warning) http elsewhere. It
// reports whether the URL may be requested.
func (c *checker) transportRule(rec *recorder, check, what, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		rec.fail(check, what+" is not a URL", "give an absolute https URL")
		return false
	}
	switch {
	case u.Scheme == "https":
		rec.pass(check, what+" uses https")
	case fetch.IsLoopback(u.Hostname()):
		rec.pass(check, what+" uses plain http on a loopback host (allowed for local development)")
	case c.opts.InsecureHTTP:
		rec.warn(check, what+" uses plain http to a host that is not a loopback one (allowed by -insecure-http): tokens would travel unencrypted",
			"serve it over https in production")
	default:
		rec.fail(check, what+" uses plain http to a host that is not a loopback one: MCP clients refuse it and tokens would travel unencrypted",
			"serve it over https (or rerun with -insecure-http to check a development deployment)")
		return false
	}
	return true
}

// postInitialize sends the unauthenticated initialize POST, with extra
// headers (an Origin for the CORS check).
func (c *checker) postInitialize(ctx context.Context, target string, extra http.Header) exchange {
	h := http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json, text/event-stream"},
	}
	for k, v := range extra {
		h[k] = v
	}
	ex, _ := c.p.do(ctx, http.MethodPost, target, h, []byte(initializeBody), false)
	return ex
}

// metadataHeader is what MCP clients send with a metadata request.
func (c *checker) metadataHeader() http.Header {
	return http.Header{"Mcp-Protocol-Version": {ProtocolVersion}}
}

// describePost says what an unauthenticated POST got, for details.
func describePost(ex exchange) string {
	if ex.err != nil {
		return "failed: " + describe(ex)
	}
	s := fmt.Sprintf("answered %d", ex.status)
	if loc := ex.header.Get("Location"); ex.status >= 300 && ex.status < 400 && loc != "" {
		s += " (a redirect to " + quote(loc) + ")"
	}
	return s
}

// isNetworkError reports whether err means no HTTP conversation took
// place (connection refused, DNS failure, timeout, TLS failure), as
// opposed to a refusal of this checker's own policy.
func isNetworkError(err error) bool {
	return err != nil && !errors.Is(err, errInsecureURL)
}

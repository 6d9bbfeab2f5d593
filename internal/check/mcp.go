package check

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcp-auth/go/internal/fetch"
)

// offlineAccess is the scope MCP 2026-07-28 keeps out of challenges and
// protected resource metadata.
const offlineAccess = "offline_access"

// preflightHeaders are the request headers an MCP client's POST carries,
// as a browser lists them in Access-Control-Request-Headers.
var preflightHeaders = []string{"authorization", "content-type", "mcp-protocol-version", "mcp-session-id"}

// bearerFindings is what the challenge said, for the metadata checks.
type bearerFindings struct {
	resourceMetadata string   // "" when absent or unusable
	scopes           []string // the challenge's scope, split
}

// checkMCP runs the checks of an MCP endpoint, then of its metadata and
// of every authorization server the metadata names.
func (c *checker) checkMCP(ctx context.Context, target string, u *url.URL, post exchange) {
	rec := c.section("mcp", target)
	var found bearerFindings
	if post.err == nil && post.status == http.StatusUnauthorized {
		if len(post.redirects) > 0 {
			rec.warn("mcp.unauthenticated-post", "answered 401 after redirects to "+strings.Join(post.redirects, ", "),
				"serve the MCP endpoint at the URL clients are given: many clients do not follow a redirect for a POST")
		} else {
			rec.pass("mcp.unauthenticated-post", "an initialize POST without a token answered 401")
		}
		found = c.checkChallenge(rec, post.header)
	} else {
		rec.fail("mcp.unauthenticated-post", "an initialize POST without a token "+describePost(post)+", not 401",
			"put the bearer middleware in front of every method of the MCP endpoint, at the URL clients are given, without redirects")
	}
	c.checkGet(ctx, rec, target)
	c.checkCORS(ctx, rec, target)
	c.checkPreflight(ctx, rec, target)

	servers := c.checkPRM(ctx, target, u, found)
	for _, as := range servers {
		c.checkAS(ctx, as, nil)
	}
}

// checkChallenge checks the WWW-Authenticate header of the 401.
func (c *checker) checkChallenge(rec *recorder, h http.Header) bearerFindings {
	var found bearerFindings
	values := h.Values("WWW-Authenticate")
	if len(values) == 0 {
		rec.fail("mcp.challenge", "the 401 has no WWW-Authenticate header",
			`send WWW-Authenticate: Bearer resource_metadata="<metadata URL>" with every 401 (MCP 2025-06-18 and later)`)
		return found
	}
	raw := strings.Join(values, ", ")
	challenges, err := parseChallenges(raw)
	if err != nil {
		rec.fail("mcp.challenge", "WWW-Authenticate "+show(raw)+" does not parse: "+cleanErr(err),
			`send one challenge of the form Bearer name="value", name="value" (RFC 9110 section 11.6.1)`)
		return found
	}
	var bearer *authChallenge
	var schemes []string
	nBearer := 0
	for i := range challenges {
		schemes = append(schemes, challenges[i].scheme)
		if strings.EqualFold(challenges[i].scheme, "Bearer") {
			nBearer++
			if bearer == nil {
				bearer = &challenges[i]
			}
		}
	}
	switch {
	case nBearer == 0:
		rec.fail("mcp.challenge", "WWW-Authenticate has no Bearer challenge (schemes: "+quoteList(schemes)+")",
			`send a Bearer challenge: Bearer resource_metadata="<metadata URL>"`)
		return found
	case nBearer > 1:
		rec.fail("mcp.challenge", fmt.Sprintf("WWW-Authenticate has %d Bearer challenges: %s", nBearer, quote(raw)),
			"send exactly one Bearer challenge")
	case !strings.EqualFold(challenges[0].scheme, "Bearer"):
		rec.fail("mcp.challenge", "the "+quote(challenges[0].scheme)+" challenge comes before Bearer: the MCP TypeScript SDK reads only the first scheme and gives up",
			"send the Bearer challenge alone, or at least first")
	case bearer.token68 != "":
		rec.fail("mcp.challenge", "the Bearer challenge carries a token68, not parameters: "+quote(raw),
			`send parameters: Bearer resource_metadata="<metadata URL>", scope="..."`)
	case len(challenges) > 1:
		rec.warn("mcp.challenge", "other challenges follow Bearer (schemes: "+quoteList(schemes)+"): clients that expect one challenge may misread the header",
			"send only the Bearer challenge to MCP clients")
	default:
		rec.pass("mcp.challenge", "one Bearer challenge: "+show(raw))
	}

	rm, ok := bearer.param("resource_metadata")
	switch {
	case !ok:
		rec.fail("mcp.challenge.resource_metadata", "the Bearer challenge has no resource_metadata parameter: MCP 2025-06-18 clients cannot find the metadata",
			`add resource_metadata="<absolute URL of the protected resource metadata>" to the challenge`)
	default:
		found.resourceMetadata = c.checkResourceMetadataParam(rec, rm)
	}

	if sc, ok := bearer.param("scope"); ok {
		found.scopes = strings.Fields(sc.value)
		switch {
		case len(found.scopes) == 0:
			rec.warn("mcp.challenge.scope", "the scope parameter is empty",
				`name the scopes basic use needs: scope="a b" (MCP 2025-11-25)`)
		case slices.Contains(found.scopes, offlineAccess):
			rec.fail("mcp.challenge.scope", "the challenge asks for offline_access: "+quote(sc.value),
				"drop offline_access from the challenge: MCP 2026-07-28 says a resource server SHOULD NOT challenge for it (refresh tokens are the client's business with the authorization server)")
		case !sc.quoted:
			rec.warn("mcp.challenge.scope", "scope is not a quoted-string ("+quote(sc.value)+"): clients that match the quoted form miss it",
				`quote the value: scope="..."`)
		default:
			rec.pass("mcp.challenge.scope", "asks for "+quote(sc.value))
		}
	} else {
		rec.warn("mcp.challenge.scope", "the challenge has no scope parameter: clients fall back to scopes_supported of the metadata, or ask for no scope",
			`add scope="..." with the scopes every call needs (MCP 2025-11-25 SHOULD)`)
	}

	if e, ok := bearer.param("error"); ok {
		rec.warn("mcp.challenge.error", "error="+quote(e.value)+" although no token was sent (RFC 6750 section 3.1: a request without credentials SHOULD get no error code)",
			"omit error and error_description when the request had no Authorization header")
	} else {
		rec.pass("mcp.challenge.error", "no error attribute for a request without a token (RFC 6750 section 3.1)")
	}
	return found
}

// checkResourceMetadataParam checks the resource_metadata value and
// returns it when it can be fetched.
func (c *checker) checkResourceMetadataParam(rec *recorder, rm authParam) string {
	const check = "mcp.challenge.resource_metadata"
	u, err := url.Parse(rm.value)
	switch {
	// (An unquoted value is a token, which cannot hold an absolute URL.)
	case err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		rec.fail(check, "resource_metadata "+quote(rm.value)+" is not an absolute http(s) URL",
			"give the absolute URL of the protected resource metadata, such as https://host/.well-known/oauth-protected-resource/mcp")
		return ""
	case u.User != nil || u.Fragment != "":
		rec.fail(check, "resource_metadata "+quote(u.Redacted())+" has user information or a fragment",
			"give the plain absolute URL of the protected resource metadata")
		return ""
	}
	if _, err := fetch.CheckURL(rm.value, "resource_metadata", false); err != nil {
		if !c.opts.InsecureHTTP {
			rec.fail(check, "resource_metadata "+quote(rm.value)+" uses plain http to a host that is not a loopback one",
				"serve the metadata over https (or rerun with -insecure-http to check a development deployment)")
			return ""
		}
		rec.warn(check, "resource_metadata "+quote(rm.value)+" uses plain http to a host that is not a loopback one (allowed by -insecure-http)",
			"serve the metadata over https in production")
		return rm.value
	}
	rec.pass(check, "points to "+quote(rm.value))
	return rm.value
}

// checkGet checks that a GET (the SSE stream of streamable HTTP) is not
// served without a token.
func (c *checker) checkGet(ctx context.Context, rec *recorder, target string) {
	ex, _ := c.p.do(ctx, http.MethodGet, target, http.Header{"Accept": {"text/event-stream"}}, nil, false)
	switch {
	case ex.err != nil:
		rec.warn("mcp.unauthenticated-get", "a GET without a token failed: "+describe(ex),
			"answer a GET without a token with 401 (or 405 when the endpoint offers no stream)")
	case ex.status == http.StatusUnauthorized:
		rec.pass("mcp.unauthenticated-get", "a GET without a token answered 401")
	case ex.status == http.StatusMethodNotAllowed:
		rec.pass("mcp.unauthenticated-get", "a GET without a token answered 405 (no stream on GET)")
	case ex.status >= 200 && ex.status < 300:
		rec.fail("mcp.unauthenticated-get", fmt.Sprintf("a GET without a token answered %d: the stream is served to anyone", ex.status),
			"put the bearer middleware in front of every method of the MCP endpoint")
	default:
		rec.warn("mcp.unauthenticated-get", fmt.Sprintf("a GET without a token answered %d", ex.status),
			"answer a GET without a token with 401 (or 405 when the endpoint offers no stream)")
	}
}

// checkCORS checks that a browser-based client can read the 401 and its
// challenge.
func (c *checker) checkCORS(ctx context.Context, rec *recorder, target string) {
	const check = "mcp.cors"
	ex := c.postInitialize(ctx, target, http.Header{"Origin": {c.opts.Origin}})
	switch {
	case ex.err != nil:
		rec.fail(check, "the POST with Origin "+c.opts.Origin+" failed: "+describe(ex), "answer it as without Origin")
		return
	case ex.status == http.StatusForbidden:
		rec.warn(check, "a POST with Origin "+c.opts.Origin+" answered 403: browser-based clients on other origins cannot use the server",
			"ignore this if only known origins may call the server; otherwise allow other origins (mcphttp.CORS)")
		return
	case ex.status != http.StatusUnauthorized:
		rec.fail(check, fmt.Sprintf("a POST with Origin %s answered %d, not 401", c.opts.Origin, ex.status),
			"answer it as a POST without Origin: 401 with the challenge")
		return
	}
	if !allowsOrigin(ex.header, c.opts.Origin) {
		rec.fail(check, "the 401 to a POST with Origin "+c.opts.Origin+" has no matching Access-Control-Allow-Origin: browsers hide it from browser-based clients",
			"put CORS middleware (mcphttp.CORS) outermost, in front of the bearer middleware, so that refusals carry the CORS headers")
		return
	}
	expose := headerList(ex.header.Values("Access-Control-Expose-Headers"))
	if !containsFold(expose, "WWW-Authenticate") && !slices.Contains(expose, "*") {
		rec.fail(check, "Access-Control-Expose-Headers ("+quote(strings.Join(expose, ", "))+") lacks WWW-Authenticate: browser-based clients cannot read the challenge",
			"add WWW-Authenticate to Access-Control-Expose-Headers (mcphttp.CORS does)")
		return
	}
	rec.pass(check, "the 401 allows origin "+c.opts.Origin+" and exposes WWW-Authenticate")
}

// checkPreflight checks the CORS preflight of an MCP POST.
func (c *checker) checkPreflight(ctx context.Context, rec *recorder, target string) {
	const check = "mcp.cors.preflight"
	h := http.Header{
		"Origin":                         {c.opts.Origin},
		"Access-Control-Request-Method":  {http.MethodPost},
		"Access-Control-Request-Headers": {strings.Join(preflightHeaders, ", ")},
	}
	ex, _ := c.p.do(ctx, http.MethodOptions, target, h, nil, false)
	switch {
	case ex.err != nil:
		rec.fail(check, "the preflight failed: "+describe(ex), "answer OPTIONS with 204 and the CORS headers")
		return
	case ex.status == http.StatusUnauthorized:
		rec.fail(check, "the preflight answered 401: browsers send no credentials with a preflight, so browser-based clients can never call",
			"answer OPTIONS before the bearer middleware (put mcphttp.CORS outermost)")
		return
	case ex.status >= 300 && ex.status < 400:
		rec.fail(check, fmt.Sprintf("the preflight answered %d (a redirect to %s): browsers fail a redirected preflight", ex.status, quote(ex.header.Get("Location"))),
			"serve the MCP endpoint at the URL clients are given, without a redirect")
	case ex.status < 200 || ex.status >= 300:
		rec.fail(check, fmt.Sprintf("the preflight answered %d", ex.status), "answer OPTIONS with 204 and the CORS headers")
		return
	case !allowsOrigin(ex.header, c.opts.Origin):
		rec.fail(check, "the preflight has no matching Access-Control-Allow-Origin", "allow the client's origin (or *) on OPTIONS")
		return
	}
	if missing := missingHeaders(ex.header, preflightHeaders); len(missing) > 0 {
		rec.fail(check, "the preflight does not allow the request headers "+strings.Join(missing, ", ")+
			" (Access-Control-Allow-Headers: "+quote(strings.Join(ex.header.Values("Access-Control-Allow-Headers"), ", "))+")",
			"list Authorization, Content-Type, MCP-Protocol-Version and Mcp-Session-Id in Access-Control-Allow-Headers (mcphttp.CORS does)")
		return
	}
	rec.pass(check, fmt.Sprintf("OPTIONS answered %d, allowing the origin and %s", ex.status, strings.Join(preflightHeaders, ", ")))
}

// allowsOrigin reports whether a response lets a page of origin read it.
func allowsOrigin(h http.Header, origin string) bool {
	v := strings.TrimSpace(h.Get("Access-Control-Allow-Origin"))
	return v == "*" || v == origin
}

// missingHeaders returns the names in want that Access-Control-Allow-Headers
// does not allow. "*" allows every header but Authorization (Fetch
// standard: the wildcard never covers it).
func missingHeaders(h http.Header, want []string) []string {
	allowed := headerList(h.Values("Access-Control-Allow-Headers"))
	wildcard := slices.Contains(allowed, "*")
	var missing []string
	for _, name := range want {
		if containsFold(allowed, name) {
			continue
		}
		if wildcard && !strings.EqualFold(name, "authorization") {
			continue
		}
		missing = append(missing, name)
	}
	return missing
}

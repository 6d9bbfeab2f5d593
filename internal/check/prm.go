package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/fetch"
	"github.com/mcp-auth/go/metadata"
)

// prmDoc is one protected resource metadata URL and what it served.
type prmDoc struct {
	url     string
	ex      exchange
	doc     *metadata.ProtectedResource // nil when problem is set
	problem string                      // why there is no usable document
	fix     string
}

func (d *prmDoc) ok() bool { return d != nil && d.doc != nil }

// redirectNote mentions same-origin redirects the document came through.
func (d *prmDoc) redirectNote() string {
	if len(d.ex.redirects) == 0 {
		return ""
	}
	return " (after redirects to " + strings.Join(d.ex.redirects, ", ") + ")"
}

func (c *checker) fetchPRM(ctx context.Context, u string) *prmDoc {
	d := &prmDoc{url: u}
	ex, raw := c.p.getJSON(ctx, "protected resource metadata", u, c.metadataHeader())
	d.ex = ex
	if ex.err != nil {
		d.problem, d.fix = describe(ex), fixFor(ex, "the protected resource metadata")
		return d
	}
	if !isObject(raw) {
		d.problem, d.fix = "the answer is JSON but not an object", "serve the RFC 9728 document, a JSON object"
		return d
	}
	var doc metadata.ProtectedResource
	if err := json.Unmarshal(raw, &doc); err != nil {
		d.problem, d.fix = "not a protected resource metadata document: "+cleanErr(err), "serve the RFC 9728 document (metadata.ProtectedResource)"
		return d
	}
	d.doc = &doc
	return d
}

// checkPRM checks the protected resource metadata of the MCP endpoint
// target and returns the authorization servers to check next.
func (c *checker) checkPRM(ctx context.Context, target string, u *url.URL, found bearerFindings) []string {
	rec := c.section("prm", target)
	suffixed, err := metadata.URL(target)
	if err != nil {
		rec.fail("prm.path-suffixed", "no RFC 9728 metadata URL can be derived from the URL: "+cleanErr(err),
			"give the MCP endpoint an absolute https URL with an ASCII host")
		return nil
	}
	root := u.Scheme + "://" + strings.ToLower(u.Host) + metadata.WellKnownPath

	s := c.fetchPRM(ctx, suffixed)
	if s.ok() {
		note := ""
		if suffixed == root {
			note = " (the resource has no path: this is also the root URL)"
		}
		rec.pass("prm.path-suffixed", "200 at "+suffixed+note+s.redirectNote())
	} else {
		rec.fail("prm.path-suffixed", "no document at "+suffixed+" (RFC 9728 section 3.1; MCP 2025-11-25 clients try it first): "+s.problem, s.fix)
	}

	var r *prmDoc
	if suffixed != root {
		r = c.fetchPRM(ctx, root)
		switch {
		case r.ok() && r.doc.Resource == target:
			rec.pass("prm.root", "200 at "+root+", describing this resource"+r.redirectNote())
		case r.ok():
			rec.warn("prm.root", "the document at "+root+" describes "+quote(r.doc.Resource)+", not this resource: clients that look only at the root URL refuse it",
				"if this is the host's main MCP endpoint, serve its document at the root (metadata.WithRootResource); otherwise ignore this")
		case r.ex.err != nil && errors.Is(r.ex.err, fetch.ErrStatus) && r.ex.status == http.StatusNotFound:
			rec.warn("prm.root", "no document at "+root+" (404): clients that look only at the root URL cannot discover the server",
				"serve this resource's document at the root too (the metadata package does when one resource is configured, or with metadata.WithRootResource)")
		default:
			rec.fail("prm.root", "the root URL "+root+" (where clients fall back) "+r.problem, r.fix)
		}
	}

	var ch *prmDoc
	switch found.resourceMetadata {
	case "":
	case suffixed:
		ch = s
	case root:
		ch = r
	default:
		ch = c.fetchPRM(ctx, found.resourceMetadata)
		if ch.ok() {
			rec.pass("prm.challenge-url", "200 at the challenge's resource_metadata "+quote(ch.url)+ch.redirectNote())
		} else {
			rec.fail("prm.challenge-url", "no document at the challenge's resource_metadata "+quote(ch.url)+": "+ch.problem, ch.fix)
		}
	}

	// The document a client uses: the challenge's, else the path-suffixed
	// one, else the root one.
	var primary *prmDoc
	for _, d := range []*prmDoc{ch, s, r} {
		if d.ok() {
			primary = d
			break
		}
	}
	if primary == nil {
		return nil
	}
	checked := []*prmDoc{primary}
	for _, d := range []*prmDoc{ch, s} {
		if d.ok() && !slices.Contains(checked, d) {
			checked = append(checked, d)
		}
	}

	byField := validationErrors(primary.doc.Validate(c.metadataOptions()...))
	c.checkResource(rec, target, checked, byField["resource"])
	delete(byField, "resource")
	servers := c.checkAuthorizationServers(rec, primary.doc.AuthorizationServers, byField["authorization_servers"])
	delete(byField, "authorization_servers")
	c.checkScopesSupported(rec, primary.doc.ScopesSupported, byField["scopes_supported"], found.scopes)
	delete(byField, "scopes_supported")
	if len(byField) > 0 {
		var msgs []string
		for _, field := range slices.Sorted(maps.Keys(byField)) {
			msgs = append(msgs, byField[field]...)
		}
		rec.fail("prm.document", "the document at "+primary.url+" is invalid: "+strings.Join(msgs, "; "),
			"fix the listed members (RFC 9728 section 2; MCP forbids tokens in the query string)")
	} else {
		rec.pass("prm.document", "the document at "+primary.url+" is a valid RFC 9728 document")
	}
	c.checkMetadataCORS(ctx, rec, "prm", primary.url, true)
	return servers
}

// metadataOptions are the metadata.ProtectedResource.Validate options.
func (c *checker) metadataOptions() []metadata.HandlerOption {
	if c.opts.InsecureHTTP {
		return []metadata.HandlerOption{metadata.InsecureAllowHTTP()}
	}
	return nil
}

// validationErrors groups the problems metadata.ProtectedResource.Validate
// reported by member, each as a message with values quoted.
func validationErrors(err error) map[string][]string {
	out := map[string][]string{}
	if err == nil {
		return out
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var ve *metadata.ValidationError
		if !errors.As(e, &ve) {
			out["document"] = append(out["document"], cleanErr(e))
			continue
		}
		msg := ve.Field + " " + ve.Reason
		if ve.Value != "" {
			msg = ve.Field + " " + quote(ve.Value) + " " + ve.Reason
		}
		out[ve.Field] = append(out[ve.Field], msg)
	}
	return out
}

// checkResource requires every document a client may read to name the
// endpoint exactly as the user gave it.
func (c *checker) checkResource(rec *recorder, target string, docs []*prmDoc, problems []string) {
	var mismatches []string
	for _, d := range docs {
		if d.doc.Resource == target {
			continue
		}
		m := "the document at " + d.url + " says resource " + quote(d.doc.Resource) + ", not " + quote(target)
		if hint := resourceHint(d.doc.Resource, target); hint != "" {
			m += " (" + hint + ")"
		}
		mismatches = append(mismatches, m)
	}
	switch {
	case len(mismatches) > 0:
		rec.fail("prm.resource", strings.Join(mismatches, "; ")+": MCP clients compare it exactly with the URL they were given and refuse the server",
			"publish resource exactly as clients are given the MCP URL: "+quote(target)+" (or give clients the resource's spelling)")
	case len(problems) > 0:
		rec.fail("prm.resource", strings.Join(problems, "; "), "publish resource as an absolute https URL with a lowercase scheme and host and a clean path")
	default:
		rec.pass("prm.resource", quote(target)+", exactly the URL checked")
	}
}

// resourceHint names the classic near misses.
func resourceHint(got, want string) string {
	switch {
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/"):
		return "they differ only by a trailing slash"
	case strings.EqualFold(got, want):
		return "they differ only in letter case"
	}
	g, err1 := url.Parse(got)
	w, err2 := url.Parse(want)
	if err1 == nil && err2 == nil && g.Hostname() != w.Hostname() &&
		fetch.IsLoopback(g.Hostname()) && fetch.IsLoopback(w.Hostname()) &&
		g.Port() == w.Port() && g.Scheme == w.Scheme && g.EscapedPath() == w.EscapedPath() && g.RawQuery == w.RawQuery {
		return g.Hostname() + " and " + w.Hostname() + " are different strings to a client"
	}
	return ""
}

// maxServers bounds how many authorization servers of one document are
// checked, so that a hostile document cannot turn into thousands of
// requests.
const maxServers = 8

// checkAuthorizationServers reports the authorization_servers member and
// returns the entries that can be checked, each once.
func (c *checker) checkAuthorizationServers(rec *recorder, entries []string, problems []string) []string {
	const check = "prm.authorization_servers"
	var servers, insecure []string
	for _, as := range entries {
		if slices.Contains(servers, as) {
			continue
		}
		if _, err := config.WellKnownURLs(as, config.Auto); err != nil {
			continue
		}
		if _, err := fetch.CheckURL(as, "issuer", c.opts.InsecureHTTP); err != nil {
			continue
		}
		if _, err := fetch.CheckURL(as, "issuer", false); err != nil {
			insecure = append(insecure, as)
		}
		servers = append(servers, as)
	}
	if len(servers) > maxServers {
		rec.warn(check+".count", fmt.Sprintf("%d authorization servers are named; only the first %d are checked", len(servers), maxServers),
			"name only the authorization servers whose tokens the resource accepts")
		servers = servers[:maxServers]
	}
	switch {
	case len(problems) > 0:
		rec.fail(check, strings.Join(problems, "; "),
			"list the issuer URL of each authorization server, an absolute https URL (http only on loopback hosts) without query or fragment, spelled exactly as its metadata's issuer")
	case len(insecure) > 0:
		rec.warn(check, "names "+quoteList(entries)+"; plain http to a host that is not a loopback one (allowed by -insecure-http): "+quoteList(insecure),
			"serve the authorization server over https in production")
	default:
		rec.pass(check, "names "+quoteList(entries))
	}
	return servers
}

// checkScopesSupported reports scopes_supported, and whether it lists the
// scopes the challenge asks for.
func (c *checker) checkScopesSupported(rec *recorder, scopes []string, problems []string, challenged []string) {
	const check = "prm.scopes_supported"
	var unlisted []string
	for _, s := range challenged {
		if !slices.Contains(scopes, s) && s != offlineAccess {
			unlisted = append(unlisted, s)
		}
	}
	switch {
	case len(problems) > 0:
		fix := "list valid scope tokens, each once"
		if slices.Contains(scopes, offlineAccess) {
			fix = "remove offline_access from scopes_supported: MCP 2026-07-28 says it SHOULD NOT be listed (clients ask the authorization server for refresh tokens themselves, and a client that requests every listed scope would ask every user for offline access)"
		}
		rec.fail(check, strings.Join(problems, "; "), fix)
	case len(scopes) == 0:
		rec.warn(check, "no scopes_supported: clients that request only listed scopes (MCP Inspector) ask for none",
			"list the scopes basic use needs and every scope a step-up challenge may ask for (RFC 9728 RECOMMENDED)")
	case len(unlisted) > 0:
		rec.warn(check, "the challenge asks for "+quoteList(unlisted)+", which scopes_supported ("+quoteList(scopes)+") does not list",
			"list every scope the server challenges for in scopes_supported")
	default:
		rec.pass(check, "lists "+quoteList(scopes)+" (no offline_access)")
	}
}

// checkMetadataCORS checks that a browser-based client can read a
// metadata document at docURL: a GET with Origin gets
// Access-Control-Allow-Origin, and the preflight of a GET carrying
// MCP-Protocol-Version allows that header. Findings are failures when
// strict (the resource's own metadata), warnings otherwise (an
// authorization server the deployment may not control).
func (c *checker) checkMetadataCORS(ctx context.Context, rec *recorder, prefix, docURL string, strict bool) {
	bad := rec.warn
	if strict {
		bad = rec.fail
	}
	h := c.metadataHeader()
	h.Set("Origin", c.opts.Origin)
	ex, _ := c.p.getJSON(ctx, "metadata", docURL, h)
	acao := strings.TrimSpace(ex.header.Get("Access-Control-Allow-Origin"))
	switch {
	case ex.err != nil:
		bad(prefix+".cors", "a GET of "+docURL+" with Origin "+c.opts.Origin+" failed: "+describe(ex), "answer it as without Origin")
	case acao == "*":
		rec.pass(prefix+".cors", "Access-Control-Allow-Origin: * on "+docURL)
	case acao == c.opts.Origin:
		rec.pass(prefix+".cors", "Access-Control-Allow-Origin echoes the origin on "+docURL+" (* would suit a public document better)")
	default:
		bad(prefix+".cors", "no Access-Control-Allow-Origin on "+docURL+": browser-based clients cannot read the document",
			"answer metadata requests with Access-Control-Allow-Origin: * (the metadata package's handlers do)")
	}

	pre := http.Header{
		"Origin":                         {c.opts.Origin},
		"Access-Control-Request-Method":  {http.MethodGet},
		"Access-Control-Request-Headers": {"mcp-protocol-version"},
	}
	pex, _ := c.p.do(ctx, http.MethodOptions, docURL, pre, nil, false)
	fix := "answer OPTIONS on the metadata URL with 204, Access-Control-Allow-Origin: * and Access-Control-Allow-Headers including MCP-Protocol-Version (the metadata package's handlers do; mcp-go's built-in one omits the header)"
	switch {
	case pex.err != nil:
		bad(prefix+".preflight", "the preflight of "+docURL+" failed: "+describe(pex), fix)
	case pex.status >= 300 && pex.status < 400:
		bad(prefix+".preflight", fmt.Sprintf("the preflight of %s answered %d (a redirect to %s): browsers fail a redirected preflight, so they block the fetch", docURL, pex.status, quote(pex.header.Get("Location"))),
			"serve the document at this URL directly, without a redirect")
	case pex.status < 200 || pex.status >= 300:
		bad(prefix+".preflight", fmt.Sprintf("the preflight of %s answered %d: browsers then block the fetch, which carries MCP-Protocol-Version", docURL, pex.status), fix)
	case !allowsOrigin(pex.header, c.opts.Origin):
		bad(prefix+".preflight", "the preflight of "+docURL+" has no matching Access-Control-Allow-Origin", fix)
	case len(missingHeaders(pex.header, []string{"mcp-protocol-version"})) > 0:
		bad(prefix+".preflight", "the preflight of "+docURL+" does not allow MCP-Protocol-Version (Access-Control-Allow-Headers: "+
			quote(strings.Join(pex.header.Values("Access-Control-Allow-Headers"), ", "))+"): browsers block the metadata fetch", fix)
	default:
		rec.pass(prefix+".preflight", fmt.Sprintf("OPTIONS on %s answered %d, allowing MCP-Protocol-Version", docURL, pex.status))
	}
}

// isObject reports whether raw is a JSON object.
func isObject(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

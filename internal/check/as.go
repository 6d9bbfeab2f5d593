package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mcp-auth/go/config"
	"github.com/mcp-auth/go/internal/fetch"
)

// wellKnown is one metadata URL of an issuer and what it served.
type wellKnown struct {
	url     string
	typ     config.ServerType
	ex      exchange
	doc     *config.Metadata // nil when there is no usable document
	absent  bool             // a 4xx or a non-JSON answer: nothing here, try the next URL
	problem string
}

// discovery is what the well-known URLs of one issuer served, in the order
// MCP clients try them.
type discovery struct {
	issuer string
	tried  []*wellKnown
}

// found returns the document a client would use: the first one served.
func (d *discovery) found() *wellKnown {
	for _, w := range d.tried {
		if w.doc != nil {
			return w
		}
	}
	return nil
}

func (d *discovery) urls() []string {
	var out []string
	for _, w := range d.tried {
		out = append(out, w.url)
	}
	return out
}

// discover reads every well-known URL of issuer (config.WellKnownURLs with
// config.Auto: the URLs an MCP 2025-11-25 client tries, in its order).
// It returns an empty discovery when issuer is not an issuer identifier.
func (c *checker) discover(ctx context.Context, issuer string) *discovery {
	d := &discovery{issuer: issuer}
	urls, err := config.WellKnownURLs(issuer, config.Auto)
	if err != nil {
		return d
	}
	oauth, _ := config.WellKnownURLs(issuer, config.OAuth)
	for _, u := range urls {
		w := &wellKnown{url: u, typ: config.OIDC}
		if len(oauth) == 1 && u == oauth[0] {
			w.typ = config.OAuth
		}
		ex, raw := c.p.getJSON(ctx, "discovery", u, c.metadataHeader())
		w.ex = ex
		var fe *fetch.Error
		switch {
		case ex.err == nil && !isObject(raw):
			w.absent, w.problem = true, "JSON but not an object"
		case ex.err == nil:
			m := new(config.Metadata)
			if err := json.Unmarshal(raw, m); err != nil {
				w.problem = "a broken metadata document: " + cleanErr(err)
			} else {
				w.doc = m
			}
		case errors.As(ex.err, &fe) && (errors.Is(ex.err, fetch.ErrNotJSON) || errors.Is(ex.err, fetch.ErrInvalidJSON)):
			w.absent, w.problem = true, describe(ex)
		case errors.As(ex.err, &fe) && fe.Status >= 400 && fe.Status < 500 && fe.Status != http.StatusRequestTimeout && fe.Status != http.StatusTooManyRequests:
			w.absent, w.problem = true, describe(ex)
		default:
			w.problem = describe(ex)
		}
		d.tried = append(d.tried, w)
	}
	return d
}

// checkAS runs the checks of the authorization server whose issuer
// identifier is issuer; disc is its discovery when already made.
func (c *checker) checkAS(ctx context.Context, issuer string, disc *discovery) {
	rec := c.section("as", issuer)
	if _, err := config.WellKnownURLs(issuer, config.Auto); err != nil {
		rec.fail("as.issuer-url", "not an issuer identifier: "+cleanErr(err),
			"use the authorization server's issuer URL: https, a host, no query or fragment (RFC 8414 section 2)")
		return
	}
	if !c.transportRule(rec, "as.issuer-url", "the issuer", issuer) {
		return
	}
	if disc == nil {
		disc = c.discover(ctx, issuer)
	}
	primary := c.reportDiscovery(rec, disc)
	if primary == nil {
		return
	}
	c.checkIssuerMatch(rec, disc)

	cfg := &config.ServerConfig{Type: primary.typ, Metadata: *primary.doc}
	var vopts []config.ValidateOption
	if c.opts.InsecureHTTP {
		vopts = append(vopts, config.InsecureAllowHTTPEndpoints())
	}
	c.reportValidation(rec, cfg, cfg.Validate(vopts...))
	c.checkOIDCMembers(rec, disc, vopts)
	c.checkTokenEndpointAuth(rec, &cfg.Metadata)
	c.checkMetadataCORS(ctx, rec, "as", primary.url, false)
	c.checkJWKS(ctx, rec, cfg)
	c.checkUserinfo(ctx, rec, cfg)
	c.checkIntrospection(ctx, rec, cfg)
}

// reportDiscovery reports which well-known URLs served a document and
// returns the one a client uses, nil if none.
func (c *checker) reportDiscovery(rec *recorder, d *discovery) *wellKnown {
	const check = "as.discovery"
	var parts []string
	for _, w := range d.tried {
		switch {
		case w.doc != nil:
			parts = append(parts, w.url+": "+typeWords(w.typ)+" document")
		default:
			parts = append(parts, w.url+": "+w.problem)
		}
	}
	summary := strings.Join(parts, "; ")
	// MCP clients, and this library's config.Fetch, stop at the first URL
	// that neither serves a document nor says there is none.
	for _, w := range d.tried {
		if w.doc != nil {
			break
		}
		if !w.absent {
			rec.fail(check, "discovery stops at "+w.url+" ("+w.problem+") before any document: "+summary,
				"make "+w.url+" answer 200 with the metadata, or 404 so that clients try the next URL")
			return nil
		}
	}
	primary := d.found()
	if primary == nil {
		rec.fail(check, "no authorization server metadata at any well-known URL: "+summary,
			"publish the metadata at "+d.tried[0].url+" (RFC 8414) or at the OpenID Connect discovery URL "+d.tried[len(d.tried)-1].url)
		return nil
	}
	detail := "clients use " + primary.url + " (" + typeWords(primary.typ) + "); " + summary
	if len(primary.ex.redirects) > 0 {
		detail += " (after redirects to " + strings.Join(primary.ex.redirects, ", ") + ")"
	}
	rec.pass(check, detail)
	return primary
}

// checkIssuerMatch requires the issuer of every document found to equal
// the issuer identifier exactly (RFC 8414 section 3.3; MCP 2026-07-28
// clients check it).
func (c *checker) checkIssuerMatch(rec *recorder, d *discovery) {
	var bad []string
	var seen string
	for _, w := range d.tried {
		if w.doc == nil {
			continue
		}
		seen = w.doc.Issuer
		if w.doc.Issuer != d.issuer {
			m := "the document at " + w.url + " says issuer " + quote(w.doc.Issuer)
			if hint := resourceHint(w.doc.Issuer, d.issuer); hint != "" {
				m += " (" + hint + ")"
			}
			bad = append(bad, m)
		}
	}
	if len(bad) == 0 {
		rec.pass("as.issuer", quote(seen)+" in every document, exactly the issuer identifier (RFC 8414 section 3.3)")
		return
	}
	fix := "the issuer identifier clients start from must equal the metadata's issuer byte for byte: fix the URL you gave, or the provider's issuer setting"
	if c.report.Kind == KindMCP {
		fix = "spell the authorization_servers entry exactly as the authorization server's issuer (or fix the provider's issuer setting); MCP clients and this library refuse a mismatch"
	}
	rec.fail("as.issuer", strings.Join(bad, "; ")+", not "+quote(d.issuer), fix)
}

// typeWords names a document type.
func typeWords(t config.ServerType) string {
	if t == config.OAuth {
		return "RFC 8414"
	}
	return "OpenID Connect"
}

// reportValidation turns config.ServerConfig.Validate's findings into
// results.
func (c *checker) reportValidation(rec *recorder, cfg *config.ServerConfig, v *config.ValidationResult) {
	byCode := map[config.Code][]config.Issue{}
	for _, is := range v.Errors {
		byCode[is.Code] = append(byCode[is.Code], is)
	}
	var general []string
	for _, is := range byCode[config.CodeInvalidServerMetadata] {
		if cfg.Type == config.OIDC && isOIDCMissing(is, &cfg.Metadata) {
			continue // reported by as.oidc
		}
		general = append(general, is.Description)
	}
	if len(general) > 0 {
		rec.fail("as.metadata", strings.Join(general, " "),
			"publish issuer, authorization_endpoint, token_endpoint and response_types_supported, every endpoint an https URL (RFC 8414 section 2)")
	} else {
		rec.pass("as.metadata", "issuer, authorization_endpoint, token_endpoint and response_types_supported present; endpoints are usable URLs")
	}
	if c.opts.InsecureHTTP {
		c.warnInsecureEndpoints(rec, &cfg.Metadata)
	}

	m := &cfg.Metadata
	if byCode[config.CodeCodeResponseTypeNotSupported] != nil {
		rec.fail("as.response_types", "response_types_supported ("+quoteList(m.ResponseTypesSupported)+") has no \"code\": MCP clients use the authorization code flow",
			`add "code" to response_types_supported`)
	} else {
		rec.pass("as.response_types", `"code" is offered`)
	}
	if byCode[config.CodeAuthorizationCodeGrantNotSupported] != nil {
		rec.fail("as.grant_types", "grant_types_supported ("+quoteList(m.GrantTypesSupported)+") lacks \"authorization_code\"",
			`add "authorization_code" to grant_types_supported`)
	} else {
		rec.pass("as.grant_types", `the "authorization_code" grant is offered`)
	}
	switch {
	case byCode[config.CodePKCENotSupported] != nil:
		rec.fail("as.pkce", "no code_challenge_methods_supported: MCP clients must refuse a server that does not advertise PKCE",
			`publish code_challenge_methods_supported: ["S256"]`)
	case byCode[config.CodeS256CodeChallengeMethodNotSupported] != nil:
		rec.fail("as.pkce", "code_challenge_methods_supported ("+quoteList(m.CodeChallengeMethodsSupported)+") lacks \"S256\": MCP clients must refuse the server",
			`support PKCE with S256 and list it in code_challenge_methods_supported`)
	default:
		rec.pass("as.pkce", `PKCE with "S256" is advertised`)
	}
	switch {
	case m.RegistrationEndpoint != "" && m.ClientIDMetadataDocumentSupported:
		rec.pass("as.registration", "dynamic client registration (registration_endpoint) and client ID metadata documents")
	case m.RegistrationEndpoint != "":
		rec.pass("as.registration", "dynamic client registration (registration_endpoint)")
	case m.ClientIDMetadataDocumentSupported:
		rec.pass("as.registration", "client ID metadata documents (client_id_metadata_document_supported)")
	default:
		rec.warn("as.registration", "neither registration_endpoint nor client_id_metadata_document_supported: only clients registered beforehand can sign in",
			"enable client ID metadata documents (MCP 2025-11-25) or dynamic client registration, or give users a pre-registered client ID")
	}
}

// isOIDCMissing reports whether a Validate issue is the absence of a
// member OpenID Connect requires (rather than, say, an http jwks_uri).
func isOIDCMissing(is config.Issue, m *config.Metadata) bool {
	if is.Code != config.CodeInvalidServerMetadata {
		return false
	}
	switch is.Field {
	case "jwks_uri":
		return m.JWKSURI == ""
	case "subject_types_supported":
		return len(m.SubjectTypesSupported) == 0
	case "id_token_signing_alg_values_supported":
		return len(m.IDTokenSigningAlgValuesSupported) == 0
	}
	return false
}

// checkOIDCMembers requires OpenID Connect's members in every OpenID
// Connect document found, the one clients use first or not: a client or
// resource server configured for OpenID Connect reads that one.
func (c *checker) checkOIDCMembers(rec *recorder, d *discovery, vopts []config.ValidateOption) {
	var bad []string
	n := 0
	for _, w := range d.tried {
		if w.doc == nil || w.typ != config.OIDC {
			continue
		}
		n++
		cfg := &config.ServerConfig{Type: config.OIDC, Metadata: *w.doc}
		var missing []string
		for _, is := range cfg.Validate(vopts...).Errors {
			if isOIDCMissing(is, w.doc) {
				missing = append(missing, is.Field)
			}
		}
		if len(missing) > 0 {
			bad = append(bad, "the OpenID Connect document at "+w.url+" lacks "+strings.Join(missing, ", "))
		}
	}
	switch {
	case n == 0:
	case len(bad) > 0:
		rec.fail("as.oidc", strings.Join(bad, "; ")+": OpenID Connect Discovery requires them and the MCP TypeScript SDK rejects the document",
			"publish jwks_uri, subject_types_supported and id_token_signing_alg_values_supported in the OpenID Connect document")
	default:
		rec.pass("as.oidc", "jwks_uri, subject_types_supported and id_token_signing_alg_values_supported are present in the OpenID Connect document")
	}
}

// warnInsecureEndpoints lists the http endpoints -insecure-http let
// through.
func (c *checker) warnInsecureEndpoints(rec *recorder, m *config.Metadata) {
	var insecure []string
	for _, ep := range []struct{ field, value string }{
		{"issuer", m.Issuer}, {"authorization_endpoint", m.AuthorizationEndpoint}, {"token_endpoint", m.TokenEndpoint},
		{"jwks_uri", m.JWKSURI}, {"registration_endpoint", m.RegistrationEndpoint}, {"userinfo_endpoint", m.UserinfoEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
	} {
		if ep.value == "" {
			continue
		}
		if _, err := fetch.CheckURL(ep.value, ep.field, false); err != nil {
			insecure = append(insecure, ep.field)
		}
	}
	if len(insecure) > 0 {
		rec.warn("as.insecure-http", "plain http to a host that is not a loopback one (allowed by -insecure-http): "+strings.Join(insecure, ", "),
			"serve the authorization server over https in production")
	}
}

// checkTokenEndpointAuth wants "none" among the token endpoint's client
// authentication methods: MCP clients are mostly public clients.
func (c *checker) checkTokenEndpointAuth(rec *recorder, m *config.Metadata) {
	const check = "as.token_endpoint_auth"
	methods := m.TokenEndpointAuthMethodsSupported
	switch {
	case len(methods) == 0:
		rec.warn(check, "no token_endpoint_auth_methods_supported, which means only client_secret_basic (RFC 8414 section 2): public clients cannot use the token endpoint",
			`add "none" to token_endpoint_auth_methods_supported for public clients (Claude's client ID metadata document path requires it)`)
	case !slices.Contains(methods, "none"):
		rec.warn(check, "token_endpoint_auth_methods_supported ("+quoteList(methods)+") lacks \"none\": public clients cannot use the token endpoint",
			`add "none" for public clients (Claude's client ID metadata document path requires it)`)
	default:
		rec.pass(check, `"none" is accepted (public clients): `+quoteList(methods))
	}
}

// checkUserinfo checks that the userinfo endpoint, when advertised, exists
// and refuses a request without a token with 401.
func (c *checker) checkUserinfo(ctx context.Context, rec *recorder, cfg *config.ServerConfig) {
	const check = "as.userinfo"
	u := cfg.Metadata.UserinfoEndpoint
	if u == "" {
		if cfg.Type == config.OIDC {
			rec.warn(check, "the OpenID Connect document has no userinfo_endpoint: opaque access tokens cannot be verified there, nor profile claims completed",
				"publish userinfo_endpoint (OpenID Connect Discovery RECOMMENDS it), or verify tokens as JWTs or by introspection")
		} else {
			rec.pass(check, "no userinfo_endpoint advertised (optional for an OAuth server)")
		}
		return
	}
	ex, _ := c.p.do(ctx, http.MethodGet, u, nil, nil, false)
	c.reportEndpoint(rec, check, "userinfo_endpoint", u, ex, []int{http.StatusUnauthorized}, "a GET without a token")
}

// checkIntrospection checks that the introspection endpoint, when
// advertised, exists: a POST without client authentication gets 401
// (invalid_client) or 400 (invalid_request).
func (c *checker) checkIntrospection(ctx context.Context, rec *recorder, cfg *config.ServerConfig) {
	const check = "as.introspection"
	u := cfg.Metadata.IntrospectionEndpoint
	if u == "" {
		rec.pass(check, "no introspection_endpoint advertised (optional: JWT access tokens and userinfo need none)")
		return
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	ex, _ := c.p.do(ctx, http.MethodPost, u, h, []byte{}, false)
	c.reportEndpoint(rec, check, "introspection_endpoint", u, ex, []int{http.StatusUnauthorized, http.StatusBadRequest}, "a POST without client authentication")
}

// reportEndpoint reports a probe of an advertised endpoint: the expected
// statuses pass, 404, 5xx and network failures fail, the rest warn.
func (c *checker) reportEndpoint(rec *recorder, check, field, u string, ex exchange, want []int, what string) {
	switch {
	case ex.err != nil:
		rec.fail(check, field+" "+u+" is unreachable: "+describe(ex), "make "+field+" reachable, or stop advertising it")
	case slices.Contains(want, ex.status):
		rec.pass(check, fmt.Sprintf("%s %s: %s answered %d", field, u, what, ex.status))
	case ex.status == http.StatusNotFound || ex.status >= 500:
		rec.fail(check, fmt.Sprintf("%s %s: %s answered %d: the endpoint is advertised but not served", field, u, what, ex.status),
			"serve "+field+" at the advertised URL, or stop advertising it")
	default:
		rec.warn(check, fmt.Sprintf("%s %s: %s answered %d, not %s", field, u, what, ex.status, joinInts(want)),
			"answer a request without credentials with 401 (RFC 6750 section 3.1, RFC 7662 section 2.1)")
	}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " or ")
}

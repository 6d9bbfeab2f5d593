package bearer

import (
	"net/url"
	"slices"
	"strings"
)

// This file is the issuer check for multi-tenant authorization servers:
// one matcher, [IssuerTemplate.Match], used both by the middleware's
// issuer check and by the JWT verifier to choose the key set of a token
// whose issuer is not listed exactly.

// TenantPlaceholder is the one placeholder an issuer template holds, spelled
// as Microsoft Entra ID's multi-tenant discovery documents spell it (their
// "issuer" is "https://login.microsoftonline.com/{tenantid}/v2.0").
const TenantPlaceholder = "{tenantid}"

// TenantClaim is the claim that must name the tenant of the issuer: Entra
// ID's "tid".
const TenantClaim = "tid"

// guidLen is the length of a GUID in its canonical form,
// 8-4-4-4-12 hexadecimal digits.
const guidLen = 36

// IssuerTemplate is the issuer identifier of a multi-tenant authorization
// server, in which every tenant issues tokens under an issuer of its own,
// such as Microsoft Entra ID's "https://login.microsoftonline.com/{tenantid}/v2.0"
// (v2.0 tokens) and "https://sts.windows.net/{tenantid}/" (v1.0 tokens). It
// lets a resource accept the tokens of several tenants, or of all of them,
// without ever skipping the issuer check: an issuer is accepted only when it
// is the template with the placeholder replaced by a tenant ID, and the
// token's own "tid" claim names that same tenant, as Microsoft's guidance for
// multi-tenant applications requires.
//
// The tenant ID must be a GUID in canonical lower-case form (8-4-4-4-12
// hexadecimal digits, as Entra ID writes it in "iss" and "tid"): nothing else
// takes the placeholder's place, so an issuer with another path segment, a
// slash, a dot segment, upper-case digits, an alias such as "common" or
// "organizations", or any other extra character is refused.
//
// Give a template to the middleware with [WithIssuerTemplates] and to the
// JWT verifier in a [TrustedIssuer]'s Template field, with the key set all
// the tenants share (Entra ID: "https://login.microsoftonline.com/common/discovery/v2.0/keys",
// or ".../common/discovery/keys" for v1.0 tokens); both then apply
// [IssuerTemplate.Match].
//
// An IssuerTemplate is immutable and safe for concurrent use. The zero value
// matches nothing; create one with [NewIssuerTemplate].
type IssuerTemplate struct {
	template       string
	prefix, suffix string              // around the placeholder
	tenants        map[string]struct{} // nil: any tenant
}

// NewIssuerTemplate returns the template of the issuers of a multi-tenant
// authorization server. template must be an absolute http or https URL
// without user information, query or fragment, and contain
// [TenantPlaceholder] exactly once, as a whole path segment (between two
// slashes, or after the last one), and no other brace.
//
// tenants, when given, are the only tenants accepted (an allow-list); each
// must be a GUID, in any case (it is compared in lower case). With no tenant
// every tenant is accepted, which suits a multi-tenant application open to
// any organisation: its own authorization rules (scopes, roles, the
// subject) then decide.
//
// Errors match [ErrMisconfigured].
func NewIssuerTemplate(template string, tenants ...string) (*IssuerTemplate, error) {
	const ctor = "NewIssuerTemplate"
	if n := strings.Count(template, TenantPlaceholder); n != 1 {
		return nil, configError("%s: %q must contain %s exactly once (it contains it %d times)", ctor, template, TenantPlaceholder, n)
	}
	i := strings.Index(template, TenantPlaceholder)
	t := &IssuerTemplate{template: template, prefix: template[:i], suffix: template[i+len(TenantPlaceholder):]}
	if strings.ContainsAny(t.prefix+t.suffix, "{}") {
		return nil, configError("%s: %q has a brace outside %s", ctor, template, TenantPlaceholder)
	}
	sample := t.prefix + "00000000-0000-0000-0000-000000000000" + t.suffix
	u, err := url.Parse(sample)
	switch {
	case err != nil:
		return nil, configError("%s: %q is not a URL: %v", ctor, template, err)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "", u.Opaque != "":
		return nil, configError("%s: %q is not an absolute http(s) URL", ctor, template)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(template, "#"):
		return nil, configError("%s: %q must have no user information, query or fragment", ctor, template)
	}
	origin := u.Scheme + "://" + u.Host
	if !strings.HasPrefix(t.prefix, origin+"/") || !strings.HasSuffix(t.prefix, "/") ||
		(t.suffix != "" && !strings.HasPrefix(t.suffix, "/")) {
		return nil, configError("%s: %q: %s must be a whole segment of the URL's path", ctor, template, TenantPlaceholder)
	}
	if len(tenants) > 0 {
		t.tenants = make(map[string]struct{}, len(tenants))
		for _, tenant := range tenants {
			lower := strings.ToLower(tenant)
			if !isTenantID(lower) {
				return nil, configError("%s: tenant %q is not a GUID", ctor, tenant)
			}
			t.tenants[lower] = struct{}{}
		}
	}
	return t, nil
}

// String returns the template as given to [NewIssuerTemplate].
func (t *IssuerTemplate) String() string {
	if t == nil {
		return ""
	}
	return t.template
}

// Tenants returns the allow-listed tenant IDs in lower case, sorted; nil
// when every tenant is accepted.
func (t *IssuerTemplate) Tenants() []string {
	if t == nil || t.tenants == nil {
		return nil
	}
	out := make([]string, 0, len(t.tenants))
	for tenant := range t.tenants {
		out = append(out, tenant)
	}
	slices.Sort(out)
	return out
}

// Match reports whether issuer is an issuer of the template and claims (the
// token's claims) agree: issuer must be the template with the placeholder
// replaced by a canonical lower-case GUID, that tenant must be allowed, and
// claims must hold a [TenantClaim] string equal to it. It returns the
// tenant. Match only compares strings: the claims may not be authentic yet,
// and the caller still has to check the token's signature.
func (t *IssuerTemplate) Match(issuer string, claims map[string]any) (tenant string, ok bool) {
	if t == nil || t.template == "" ||
		len(issuer) != len(t.prefix)+guidLen+len(t.suffix) ||
		!strings.HasPrefix(issuer, t.prefix) || !strings.HasSuffix(issuer, t.suffix) {
		return "", false
	}
	tenant = issuer[len(t.prefix) : len(t.prefix)+guidLen]
	if !isTenantID(tenant) {
		return "", false
	}
	if t.tenants != nil {
		if _, allowed := t.tenants[tenant]; !allowed {
			return "", false
		}
	}
	if tid, _ := claims[TenantClaim].(string); tid != tenant {
		return "", false
	}
	return tenant, true
}

// isTenantID reports whether s is a GUID in canonical lower-case form.
func isTenantID(s string) bool {
	if len(s) != guidLen {
		return false
	}
	for i := 0; i < guidLen; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// matchTemplate returns the first of templates that matches issuer and
// claims, or -1.
func matchTemplate(templates []*IssuerTemplate, issuer string, claims map[string]any) int {
	for i, t := range templates {
		if _, ok := t.Match(issuer, claims); ok {
			return i
		}
	}
	return -1
}

// WithIssuerTemplates makes the middleware also accept the issuers of
// multi-tenant authorization servers: an AuthInfo whose Issuer is not one
// of [WithIssuers] passes when one of templates matches its Issuer and its
// Claims ([IssuerTemplate.Match]: the tenant in the issuer, allowed, and
// equal to the "tid" claim). The issuer check stays on: any other issuer
// gets 401 [CodeInvalidIssuer], as with WithIssuers alone. Repeated use adds
// templates; no template, or a nil one, is a configuration error. For: New.
func WithIssuerTemplates(templates ...*IssuerTemplate) Option {
	templates = slices.Clone(templates)
	return option("WithIssuerTemplates", forAuthenticator, func(s *settings) {
		s.issuerTemplates = append(s.issuerTemplates, templates...)
		s.issuerTemplatesSet = true
	})
}

// validateIssuerTemplates checks the middleware's templates.
func validateIssuerTemplates(s *settings) error {
	if s.issuerTemplatesSet && len(s.issuerTemplates) == 0 {
		return configError("New: WithIssuerTemplates: no template given")
	}
	for i, t := range s.issuerTemplates {
		if t == nil || t.template == "" {
			return configError("New: WithIssuerTemplates: template %d is nil or the zero IssuerTemplate", i)
		}
	}
	return nil
}

// issuerAccepted applies the middleware's issuer rule: an exact issuer
// ([WithIssuers]) or a template's ([WithIssuerTemplates]).
func (a *Authenticator) issuerAccepted(info *AuthInfo) bool {
	return slices.Contains(a.issuers, info.Issuer) || matchTemplate(a.issuerTemplates, info.Issuer, info.Claims) >= 0
}

// acceptedIssuers names the accepted issuers and templates, for logs.
func (a *Authenticator) acceptedIssuers() string {
	names := slices.Clone(a.issuers)
	for _, t := range a.issuerTemplates {
		names = append(names, t.template)
	}
	return strings.Join(names, ", ")
}

// templateKeys is an issuer template the JWT verifier trusts, with the key
// set its tenants share.
type templateKeys struct {
	template *IssuerTemplate
	keys     keySet
}

// addTemplate adds a trusted issuer given by a template: its key set is
// built as an exact issuer's is (static keys named by the template string,
// or the JWKSURI, or the Server's jwks_uri), and kept apart from the exact
// issuers, so that a token whose "iss" is the template itself matches
// nothing.
func (v *JWTVerifier) addTemplate(iss TrustedIssuer) error {
	const ctor = "NewJWTVerifier"
	t := iss.Template
	if t.template == "" {
		return configError("%s: the zero IssuerTemplate (create one with NewIssuerTemplate)", ctor)
	}
	if iss.Issuer != "" && iss.Issuer != t.template {
		return configError("%s: issuer %q has the template %q: leave Issuer empty or set it to the template", ctor, iss.Issuer, t.template)
	}
	iss.Issuer = t.template
	if v.hasTemplate(t.template) {
		return configError("%s: issuer template %q listed twice", ctor, t.template)
	}
	var keys keySet
	if doc, ok := v.s.staticKeys[t.template]; ok {
		snap, err := parseKeySet(doc, nil)
		if err != nil {
			return configError("%s: static keys of issuer template %q: %v", ctor, t.template, err)
		}
		keys = &staticKeySet{snap: snap}
	} else {
		ref, err := jwksRef(ctor, iss, v.s)
		if err != nil {
			return err
		}
		r := newRemoteKeySet(ref, v.s)
		v.remotes = append(v.remotes, r)
		keys = r
	}
	v.templates = append(v.templates, templateKeys{template: t, keys: keys})
	return nil
}

// hasTemplate reports whether the template spelled s is trusted.
func (v *JWTVerifier) hasTemplate(s string) bool {
	return slices.ContainsFunc(v.templates, func(tk templateKeys) bool { return tk.template.template == s })
}

// templateKeySet returns the key set of the first trusted template that
// matches issuer and claims.
func (v *JWTVerifier) templateKeySet(issuer string, claims map[string]any) (keySet, bool) {
	for _, tk := range v.templates {
		if _, ok := tk.template.Match(issuer, claims); ok {
			return tk.keys, true
		}
	}
	return nil, false
}

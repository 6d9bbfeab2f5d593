package metadata

import (
	"encoding/json"
	"errors"
	"github.com/mcp-auth/go/internal/scope"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/mcp-auth/go/internal/fetch"
)

// Validate checks the document against RFC 9728 and the MCP authorization
// specification and returns every problem found, joined (errors.Join); each
// is a [*ValidationError] and the result matches [ErrInvalidMetadata]. It
// returns nil for a valid document. The rules:
//
//   - resource: an absolute https URL (http only for a loopback host, or
//     with [InsecureAllowHTTP]), lowercase scheme and host, no user
//     information, no fragment, no empty query, and a clean path (no empty,
//     "." or ".." segments, so that its metadata URL reaches the handler
//     without a redirect). A single trailing slash is accepted because the
//     RFC allows it, but clients compare resource exactly with the URL they
//     were configured with, so publish it only if that URL has one too.
//   - authorization_servers: at least one, although RFC 9728 makes the
//     member optional, because the MCP specification (2025-06-18 and later)
//     requires it: without it a client cannot find where to get a token.
//     Each entry is an issuer identifier: an absolute https URL (loopback
//     http allowed as above) without user information, query or fragment,
//     listed once.
//   - scopes_supported: each scope a non-empty RFC 6749 section 3.3 token
//     (characters %x21, %x23-5B, %x5D-7E), listed once, and not
//     "offline_access" unless [SkipOfflineAccessCheck] is given.
//   - bearer_methods_supported: "header" or "body", each once; "query" is
//     refused because MCP forbids tokens in the query string.
//   - resource_signing_alg_values_supported, dpop_signing_alg_values_supported:
//     non-empty names, each once, never "none".
//   - authorization_details_types_supported: non-empty names, each once.
//   - jwks_uri: as an authorization server URL, a query allowed.
//   - resource_documentation, resource_policy_uri, resource_tos_uri: absolute
//     http or https URLs.
//   - signed_metadata: three dot-separated base64url parts (JWS compact
//     serialization); the signature is not checked.
//   - Extra: valid JSON values, no key naming a member of the type.
//
// Validate accepts the HandlerOptions that relax these rules
// ([InsecureAllowHTTP], [SkipOfflineAccessCheck]) and ignores the others.
func (p *ProtectedResource) Validate(opts ...HandlerOption) error {
	o := newOptions(opts)
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	add(checkResource(p.Resource, o.insecureHTTP))

	if len(p.AuthorizationServers) == 0 {
		add(invalid("authorization_servers", "", "must list at least one authorization server (the MCP authorization specification requires it)"))
	}
	for i, as := range p.AuthorizationServers {
		add(checkIssuer("authorization_servers", as, o.insecureHTTP))
		if i > 0 && slices.Contains(p.AuthorizationServers[:i], as) {
			add(invalid("authorization_servers", as, "is listed twice"))
		}
	}

	for i, s := range p.ScopesSupported {
		switch {
		case s == "":
			add(invalid("scopes_supported", s, "must not contain an empty scope"))
		case !scope.Valid(s):
			add(invalid("scopes_supported", s, "is not a valid scope token (RFC 6749 section 3.3)"))
		case s == scope.OfflineAccess && !o.allowOfflineAccess:
			add(invalid("scopes_supported", s, "should not be listed (MCP 2026-07-28); use SkipOfflineAccessCheck to allow it"))
		case slices.Contains(p.ScopesSupported[:i], s):
			add(invalid("scopes_supported", s, "is listed twice"))
		}
	}

	for i, m := range p.BearerMethodsSupported {
		switch {
		case m == "query":
			add(invalid("bearer_methods_supported", m, "must not be advertised: MCP forbids access tokens in the query string"))
		case m != "header" && m != "body":
			add(invalid("bearer_methods_supported", m, `is not a bearer token method ("header" or "body")`))
		case slices.Contains(p.BearerMethodsSupported[:i], m):
			add(invalid("bearer_methods_supported", m, "is listed twice"))
		}
	}

	add(checkNames("resource_signing_alg_values_supported", p.ResourceSigningAlgValuesSupported, true))
	add(checkNames("dpop_signing_alg_values_supported", p.DPoPSigningAlgValuesSupported, true))
	add(checkNames("authorization_details_types_supported", p.AuthorizationDetailsTypesSupported, false))

	if p.JWKSURI != "" {
		add(checkHTTPSURL("jwks_uri", p.JWKSURI, o.insecureHTTP))
	}
	for _, f := range []struct{ name, value string }{
		{"resource_documentation", p.ResourceDocumentation},
		{"resource_policy_uri", p.ResourcePolicyURI},
		{"resource_tos_uri", p.ResourceTOSURI},
	} {
		if f.value != "" {
			add(checkHTTPSURL(f.name, f.value, true))
		}
	}

	if p.SignedMetadata != "" && !isJWSCompact(p.SignedMetadata) {
		add(invalid("signed_metadata", "", "is not a JWS compact serialization"))
	}

	for k, v := range p.Extra {
		switch {
		case isNamedMember(k):
			add(invalid("extra member", k, "names a member of ProtectedResource; set the field instead"))
		case !json.Valid(v):
			add(invalid("extra member", k, "is not valid JSON"))
		}
	}
	return errors.Join(errs...)
}

// checkResource applies the resource identifier rules.
func checkResource(raw string, insecure bool) error {
	if raw == "" {
		return invalid("resource", "", "is required")
	}
	u, err := checkHTTPSURLParsed("resource", raw, insecure)
	if err != nil {
		return err
	}
	switch {
	case !strings.HasPrefix(raw, u.Scheme+"://") || u.Host != strings.ToLower(u.Host):
		return invalid("resource", raw, "must have a lowercase scheme and host (clients compare it exactly)")
	case u.ForceQuery && u.RawQuery == "":
		return invalid("resource", raw, "must not end with an empty query")
	case !isCleanPath(u.Path):
		return invalid("resource", raw, `must have a clean path (no empty, "." or ".." segments)`)
	}
	_, _, err = splitResource(raw) // the rules of URL and Path
	return err
}

// checkIssuer applies the RFC 8414 issuer identifier rules.
func checkIssuer(field, raw string, insecure bool) error {
	u, err := checkHTTPSURLParsed(field, raw, insecure)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return invalid(field, raw, "must not have a query (RFC 8414 issuer identifier)")
	}
	return nil
}

// checkHTTPSURL requires an absolute https URL (http for loopback hosts or
// when insecure) without user information or fragment.
func checkHTTPSURL(field, raw string, insecure bool) error {
	_, err := checkHTTPSURLParsed(field, raw, insecure)
	return err
}

// checkHTTPSURLParsed is checkHTTPSURL returning the parsed URL. The rule
// is internal/fetch's CheckURL, the module's one URL rule.
func checkHTTPSURLParsed(field, raw string, insecure bool) (*url.URL, error) {
	u, err := fetch.CheckURL(raw, field, insecure)
	if err != nil {
		var ue *fetch.URLError
		errors.As(err, &ue)
		return nil, invalid(field, ue.URL, ue.Reason)
	}
	return u, nil
}

// isCleanPath reports whether p, a decoded URL path, is what ServeMux would
// leave alone: path.Clean does not change it, apart from one trailing slash.
func isCleanPath(p string) bool {
	if p == "" || p == "/" {
		return true
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") {
		clean += "/"
	}
	return clean == p
}

// checkNames requires non-empty, distinct entries, and refuses "none" when
// noNone is set (signing algorithm lists).
func checkNames(field string, names []string, noNone bool) error {
	for i, n := range names {
		switch {
		case strings.TrimSpace(n) == "":
			return invalid(field, n, "must not contain an empty value")
		case noNone && n == "none":
			return invalid(field, n, `must not list "none"`)
		case slices.Contains(names[:i], n):
			return invalid(field, n, "is listed twice")
		}
	}
	return nil
}

// isJWSCompact reports whether s has the shape of a JWS compact
// serialization: three base64url parts, the first two non-empty.
func isJWSCompact(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, part := range parts {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

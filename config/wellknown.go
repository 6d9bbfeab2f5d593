package config

import (
	"fmt"
	"net/url"
	"strings"
)

// The well-known path suffixes of the two discovery mechanisms.
const (
	// OAuthWellKnownPath is the RFC 8414 section 3 well-known suffix.
	OAuthWellKnownPath = "/.well-known/oauth-authorization-server"
	// OIDCWellKnownPath is the OpenID Connect Discovery 1.0 section 4
	// well-known suffix.
	OIDCWellKnownPath = "/.well-known/openid-configuration"
)

// candidate is one location where metadata may be found, with the type of
// document expected there.
type candidate struct {
	url string
	typ ServerType
}

// WellKnownURLs returns the metadata URLs for issuer, in the order they are
// to be tried:
//
//   - [OAuth] (RFC 8414 section 3.1): the well-known suffix is inserted
//     between the host and the path, so https://a.com/tenant gives
//     https://a.com/.well-known/oauth-authorization-server/tenant;
//   - [OIDC] (OpenID Connect Discovery 1.0 section 4): the suffix is
//     appended, so https://a.com/tenant gives
//     https://a.com/tenant/.well-known/openid-configuration;
//   - [Auto]: the list an MCP client (revision 2025-11-25) tries. With a
//     path: the OAuth URL, the OpenID Connect path-inserted URL
//     (https://a.com/.well-known/openid-configuration/tenant), the OpenID
//     Connect path-appended URL. Without a path: the OAuth URL, then the
//     OpenID Connect URL.
//
// Every slash that ends the issuer's path is dropped first, so https://a.com
// and https://a.com/ give the same URLs, and so do https://a.com/tenant and
// https://a.com/tenant/. The path keeps its escaping; the scheme is
// lower-cased.
//
// The issuer must be an absolute http or https URL with a host and no
// user information, query or fragment (RFC 8414 section 2); otherwise the
// error matches [ErrInvalidConfig]. WellKnownURLs does not require https:
// [Fetch] does.
func WellKnownURLs(issuer string, t ServerType) ([]string, error) {
	cands, err := wellKnownCandidates(issuer, t)
	if err != nil {
		return nil, err
	}
	urls := make([]string, len(cands))
	for i, c := range cands {
		urls[i] = c.url
	}
	return urls, nil
}

// wellKnownCandidates is [WellKnownURLs] with the document type of each URL.
func wellKnownCandidates(issuer string, t ServerType) ([]candidate, error) {
	if !t.known() {
		return nil, fmt.Errorf("%w: unknown server type %q", ErrInvalidConfig, string(t))
	}
	u, err := parseIssuer(issuer)
	if err != nil {
		return nil, err
	}
	origin := u.Scheme + "://" + u.Host
	path := strings.TrimRight(u.EscapedPath(), "/")
	oauth := candidate{origin + OAuthWellKnownPath + path, OAuth}
	oidcAppend := candidate{origin + path + OIDCWellKnownPath, OIDC}
	switch t {
	case OAuth:
		return []candidate{oauth}, nil
	case OIDC:
		return []candidate{oidcAppend}, nil
	}
	if path == "" {
		return []candidate{oauth, oidcAppend}, nil
	}
	oidcInsert := candidate{origin + OIDCWellKnownPath + path, OIDC}
	return []candidate{oauth, oidcInsert, oidcAppend}, nil
}

// parseIssuer checks the shape RFC 8414 section 2 gives an issuer; the
// error matches ErrInvalidConfig.
func parseIssuer(issuer string) (*url.URL, error) {
	u, why := checkIssuerShape(issuer)
	if why != "" {
		shown := issuer
		if pu, err := url.Parse(issuer); err == nil {
			shown = pu.Redacted() // never repeat a password
		}
		return nil, fmt.Errorf("%w: issuer %q %s", ErrInvalidConfig, shown, why)
	}
	return u, nil
}

// checkIssuerShape returns the parsed issuer, or why it is not one.
func checkIssuerShape(issuer string) (*url.URL, string) {
	u, err := url.Parse(issuer)
	switch {
	case err != nil:
		return nil, "is not a valid URL"
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, "must be an https URL"
	case u.Opaque != "" || u.Host == "":
		return nil, "must be an absolute URL with a host"
	case u.User != nil:
		return nil, "must not contain user information"
	case u.RawQuery != "" || u.ForceQuery:
		return nil, "must not have a query"
	case u.Fragment != "" || strings.Contains(issuer, "#"):
		return nil, "must not have a fragment"
	}
	return u, ""
}

// typeOfWellKnownURL infers the document type from the shape of a
// well-known URL's path, for [FetchByWellKnownURL] in [Auto] mode.
func typeOfWellKnownURL(u *url.URL) (ServerType, bool) {
	path := u.EscapedPath()
	switch {
	case strings.HasPrefix(path, OAuthWellKnownPath):
		return OAuth, true
	case strings.Contains(path, OIDCWellKnownPath):
		return OIDC, true
	}
	return Auto, false
}

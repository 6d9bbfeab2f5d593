package metadata

import (
	"net/url"
	"strings"
)

// WellKnownPath is the well-known URI suffix of RFC 9728 protected resource
// metadata (section 3): the document of a resource without a path is served
// here, and the documents of other resources below it.
const WellKnownPath = "/.well-known/oauth-protected-resource"

// AuthorizationServerWellKnownPath is the RFC 8414 section 3 well-known path
// of authorization server metadata, where MCP 2025-03-26 clients look for it
// at the MCP server's origin.
const AuthorizationServerWellKnownPath = "/.well-known/oauth-authorization-server"

// URL returns the RFC 9728 section 3.1 metadata URL of the protected resource
// identified by resource: the well-known suffix is inserted between the host
// and the path, a slash that terminates the path is dropped, and the query is
// kept.
//
//	https://h/mcp            -> https://h/.well-known/oauth-protected-resource/mcp
//	https://h, https://h/    -> https://h/.well-known/oauth-protected-resource
//	https://h:8443/a/b/?q=1  -> https://h:8443/.well-known/oauth-protected-resource/a/b?q=1
//
// Normalization: the scheme and host are lowercased (they are
// case-insensitive, RFC 3986 section 6.2.2.1); the port and the query are
// kept as they are, and the path in its escaped form (percent-encodings
// kept as written, a character that must be escaped, such as a space,
// escaped). An empty query ("https://h/mcp?") is dropped.
//
// URL checks only what it needs to derive the URL: resource must be an
// absolute http or https URL with an ASCII host (an internationalized name
// in its A-label form, no percent-encoding), without user information or
// fragment; otherwise the error matches [ErrInvalidMetadata]. The stricter
// rules for a published resource (https, lowercase, clean path) are
// [ProtectedResource.Validate]'s.
func URL(resource string) (string, error) {
	u, p, err := splitResource(resource)
	if err != nil {
		return "", err
	}
	s := u.Scheme + "://" + strings.ToLower(u.Host) + p
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	return s, nil
}

// Path returns the path of [URL] (resource): [WellKnownPath] followed by the
// resource's escaped path without its terminating slash, such as
// "/.well-known/oauth-protected-resource/mcp" for "https://h/mcp/?x=1". It
// fails in the same cases as URL.
func Path(resource string) (string, error) {
	_, p, err := splitResource(resource)
	return p, err
}

// splitResource parses resource and returns it with its metadata path.
func splitResource(resource string) (*url.URL, string, error) {
	u, err := url.Parse(resource)
	if err != nil {
		return nil, "", invalid("resource", resource, "is not a valid URL")
	}
	switch {
	case !u.IsAbs() || u.Hostname() == "" || u.Opaque != "":
		return nil, "", invalid("resource", resource, "is not an absolute URL with a host")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, "", invalid("resource", resource, "must be an https URL")
	case u.User != nil:
		return nil, "", invalid("resource", resource, "must not contain user information")
	case u.Fragment != "" || strings.Contains(resource, "#"):
		return nil, "", invalid("resource", resource, "must not have a fragment")
	case !isPlainHost(u.Host):
		return nil, "", invalid("resource", resource, "must have an ASCII host without percent-encoding (use the A-label form of an internationalized name)")
	}
	return u, WellKnownPath + strings.TrimSuffix(u.EscapedPath(), "/"), nil
}

// isPlainHost reports whether host (with port) is printable ASCII without
// '%', so that lowercasing it is the RFC 3986 case normalization and
// nothing else.
func isPlainHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if c := host[i]; c <= 0x20 || c >= 0x7f || c == '%' {
			return false
		}
	}
	return true
}

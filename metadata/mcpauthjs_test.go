package metadata_test

// mcp-auth JS's tests of its resource metadata URL helper, ported to this
// package.
//
// Source: github.com/mcp-auth/js v0.2.0 (7ffcb25),
// packages/mcp-auth/src/utils/create-resource-metadata-endpoint.test.ts;
// the Python-only case names
// tests/utils/_create_resource_metadata_endpoint_test.py of
// github.com/mcp-auth/python v0.2.0b1. Each case names the test by line (JS)
// or function (Python) and title; differs and gap read as in
// bearer/mcpauthjs_test.go, whose TestMCPAuthJSDifferencesDocumented checks
// that every differs value below is a row of README's "Where we differ"
// table.
//
// createResourceMetadataEndpoint is metadata.URL here; each case also checks
// metadata.Path, the path the handler serves the document at, which must
// be the URL's path (and query-free).

import (
	"errors"
	"net/url"
	"testing"

	"github.com/mcp-auth/go/metadata"
)

func TestMCPAuthJSCreateResourceMetadataEndpoint(t *testing.T) {
	cases := []struct {
		name     string
		differs  string
		resource string
		want     string // "" when the resource is refused
	}{{
		// JS: a TypeError "Invalid resource identifier URI: not a url".
		name:     "create-resource-metadata-endpoint.test.ts:6 should throw an error if the resource is not a valid URL",
		resource: "not a url",
	}, {
		name:     "create-resource-metadata-endpoint.test.ts:12 should return the metadata endpoint for a resource with root path",
		resource: "https://example.com/",
		want:     "https://example.com/.well-known/oauth-protected-resource",
	}, {
		name:     "_create_resource_metadata_endpoint_test.py test_should_return_the_metadata_endpoint_for_a_resource_with_no_path",
		resource: "https://example.com",
		want:     "https://example.com/.well-known/oauth-protected-resource",
	}, {
		name:     "create-resource-metadata-endpoint.test.ts:20 should return the metadata endpoint for a resource with a sub-path",
		resource: "https://example.com/api/v1",
		want:     "https://example.com/.well-known/oauth-protected-resource/api/v1",
	}, {
		// JS keeps the slash: ".../oauth-protected-resource/api/v1/".
		name:     "create-resource-metadata-endpoint.test.ts:28 should return the metadata endpoint for a resource with a sub-path and trailing slash",
		differs:  "metadata URL",
		resource: "https://example.com/api/v1/",
		want:     "https://example.com/.well-known/oauth-protected-resource/api/v1",
	}, {
		name:     "create-resource-metadata-endpoint.test.ts:36 should preserve the origin of the resource",
		resource: "http://localhost:3000/foo",
		want:     "http://localhost:3000/.well-known/oauth-protected-resource/foo",
	}, {
		// JS drops the query and the fragment:
		// ".../oauth-protected-resource/api/v1". A resource identifier
		// has no fragment (RFC 9728 section 1.2): refused here.
		name:     "create-resource-metadata-endpoint.test.ts:44 should ignore query parameters and hash from the resource",
		differs:  "metadata URL",
		resource: "https://example.com/api/v1?foo=bar#baz",
	}, {
		// The same JS case without the fragment: the query is kept
		// (RFC 9728 section 3.1 inserts the well-known string before
		// "the path and/or query components").
		name:     "create-resource-metadata-endpoint.test.ts:44 should ignore query parameters and hash from the resource (query only)",
		differs:  "metadata URL",
		resource: "https://example.com/api/v1?foo=bar",
		want:     "https://example.com/.well-known/oauth-protected-resource/api/v1?foo=bar",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := metadata.URL(tc.resource)
			path, perr := metadata.Path(tc.resource)
			if tc.want == "" {
				if !errors.Is(err, metadata.ErrInvalidMetadata) || got != "" {
					t.Errorf("URL(%q) = %q, %v; want an error matching ErrInvalidMetadata", tc.resource, got, err)
				}
				if !errors.Is(perr, metadata.ErrInvalidMetadata) || path != "" {
					t.Errorf("Path(%q) = %q, %v; want an error matching ErrInvalidMetadata", tc.resource, path, perr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("URL(%q) = %q, %v; want %q", tc.resource, got, err, tc.want)
			}
			u, uerr := url.Parse(tc.want)
			if uerr != nil {
				t.Fatal(uerr)
			}
			if perr != nil || path != u.EscapedPath() {
				t.Errorf("Path(%q) = %q, %v; want %q", tc.resource, path, perr, u.EscapedPath())
			}
		})
	}
}

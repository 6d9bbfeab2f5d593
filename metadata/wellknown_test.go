package metadata

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	const wk = "/.well-known/oauth-protected-resource"
	tests := []struct {
		resource string
		want     string // the metadata URL; its path is what Path returns
	}{
		{"https://h/mcp", "https://h" + wk + "/mcp"},
		{"https://h", "https://h" + wk},
		{"https://h/", "https://h" + wk},
		{"https://h/mcp/", "https://h" + wk + "/mcp"},
		{"https://h/api/v1/mcp", "https://h" + wk + "/api/v1/mcp"},
		{"https://h:8443/a/b/?q=1", "https://h:8443" + wk + "/a/b?q=1"},
		{"https://h?q=1", "https://h" + wk + "?q=1"},
		{"https://h/?q=1", "https://h" + wk + "?q=1"},
		{"https://h/mcp?a=1&b=2", "https://h" + wk + "/mcp?a=1&b=2"},
		{"https://h/mcp?", "https://h" + wk + "/mcp"},
		{"https://[::1]:8443/mcp", "https://[::1]:8443" + wk + "/mcp"},
		{"https://[2001:DB8::1]/mcp", "https://[2001:db8::1]" + wk + "/mcp"},
		{"HTTPS://MCP.Example.COM:443/MCP", "https://mcp.example.com:443" + wk + "/MCP"},
		{"http://localhost:3000/mcp", "http://localhost:3000" + wk + "/mcp"},
		{"http://127.0.0.1:3000/", "http://127.0.0.1:3000" + wk},
		{"https://h/a%2Fb", "https://h" + wk + "/a%2Fb"},
		{"https://h/%7Euser", "https://h" + wk + "/%7Euser"},
		{"https://h/a b", "https://h" + wk + "/a%20b"},
		{"https://xn--bcher-kva.example/mcp", "https://xn--bcher-kva.example" + wk + "/mcp"},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			got, err := URL(tt.resource)
			if err != nil || got != tt.want {
				t.Fatalf("URL(%q) = %q, %v; want %q, nil", tt.resource, got, err, tt.want)
			}
			wantPath, _, _ := strings.Cut(tt.want[strings.Index(tt.want, wk):], "?")
			gotPath, err := Path(tt.resource)
			if err != nil || gotPath != wantPath {
				t.Fatalf("Path(%q) = %q, %v; want %q, nil", tt.resource, gotPath, err, wantPath)
			}
		})
	}
}

func TestURLInvalid(t *testing.T) {
	tests := []struct {
		name, resource, reason string
	}{
		{"empty", "", "is not an absolute URL with a host"},
		{"relative", "/mcp", "is not an absolute URL with a host"},
		{"no scheme", "mcp.example.com/mcp", "is not an absolute URL with a host"},
		{"opaque", "https:mcp", "is not an absolute URL with a host"},
		{"no hostname", "https://:443/mcp", "is not an absolute URL with a host"},
		{"urn", "urn:ietf:params:mcp", "is not an absolute URL with a host"},
		{"other scheme", "ftp://h/mcp", "must be an https URL"},
		{"ws scheme", "wss://h/mcp", "must be an https URL"},
		{"fragment", "https://h/mcp#top", "must not have a fragment"},
		{"empty fragment", "https://h/mcp#", "must not have a fragment"},
		{"userinfo", "https://user:pw@h/mcp", "must not contain user information"},
		{"empty userinfo", "https://@h/mcp", "must not contain user information"},
		{"bad port", "https://h:port/mcp", "is not a valid URL"},
		{"control character", "https://h/m\x00cp", "is not a valid URL"},
		{"percent-encoded host", "https://b%C3%BCcher.example/mcp", "must have an ASCII host without percent-encoding"},
		{"IPv6 zone", "https://[fe80::1%25en0]/mcp", "must have an ASCII host without percent-encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := URL(tt.resource)
			if err == nil {
				t.Fatalf("URL(%q) = %q, nil; want an error", tt.resource, got)
			}
			if got != "" {
				t.Errorf("URL(%q) returned %q with its error", tt.resource, got)
			}
			if !errors.Is(err, ErrInvalidMetadata) {
				t.Errorf("errors.Is(%v, ErrInvalidMetadata) = false", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "resource" || ve.Value != tt.resource || !strings.HasPrefix(ve.Reason, tt.reason) {
				t.Errorf("URL(%q) error = %#v; want field resource, reason %q", tt.resource, ve, tt.reason)
			}
			if _, err := Path(tt.resource); err == nil {
				t.Errorf("Path(%q) succeeded; want the same error as URL", tt.resource)
			}
		})
	}
}

// FuzzURL checks that URL never panics and that a derived metadata URL
// stays on the resource's origin, under the well-known path.
func FuzzURL(f *testing.F) {
	for _, s := range []string{
		"https://h/mcp", "https://h", "https://h/", "https://h:8443/a/b/?q=1",
		"https://[::1]:8443/mcp", "HTTPS://H.EXAMPLE/MCP", "http://localhost/mcp?",
		"https://h/a%2Fb", "https://h//", "https://h/mcp#x", "https://u@h/", "https:h",
		"https://h/../x", "https://[fe80::1%25en0]/", "https://h/a b?c d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, resource string) {
		got, err := URL(resource)
		if err != nil {
			if !errors.Is(err, ErrInvalidMetadata) {
				t.Fatalf("URL(%q) error %v does not match ErrInvalidMetadata", resource, err)
			}
			return
		}
		in, err := url.Parse(resource)
		if err != nil {
			t.Fatalf("URL(%q) succeeded on an unparsable resource", resource)
		}
		out, err := url.Parse(got)
		if err != nil {
			t.Fatalf("URL(%q) = %q, which does not parse: %v", resource, got, err)
		}
		if out.Scheme != in.Scheme || out.Host != strings.ToLower(in.Host) {
			t.Fatalf("URL(%q) = %q: origin %s://%s, want %s://%s", resource, got, out.Scheme, out.Host, in.Scheme, strings.ToLower(in.Host))
		}
		if !strings.HasPrefix(out.EscapedPath(), WellKnownPath) || !strings.HasPrefix(out.Path, WellKnownPath) {
			t.Fatalf("URL(%q) = %q: path does not start with %s", resource, got, WellKnownPath)
		}
		if out.User != nil || out.Fragment != "" {
			t.Fatalf("URL(%q) = %q has user information or a fragment", resource, got)
		}
		p, err := Path(resource)
		if err != nil || p != out.EscapedPath() {
			t.Fatalf("Path(%q) = %q, %v; want %q (the path of URL)", resource, p, err, out.EscapedPath())
		}
	})
}

package metadata

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// validDoc returns a fresh valid document.
func validDoc() ProtectedResource {
	return ProtectedResource{
		Resource:               "https://mcp.example.com/mcp",
		AuthorizationServers:   []string{"https://auth.example.com"},
		ScopesSupported:        []string{"mcp:read", "mcp:write"},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Example",
	}
}

// problems lists the "field value" of every *ValidationError in err's tree.
func problems(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *ValidationError:
			out = append(out, e.Field+" "+e.Value)
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		default:
			out = append(out, "unexpected error: "+err.Error())
		}
	}
	walk(err)
	slices.Sort(out)
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*ProtectedResource)
		opts   []HandlerOption
		wantPb []string // "field value" of each problem; nil: valid
	}{
		{"valid", func(*ProtectedResource) {}, nil, nil},
		{"every optional member valid", func(p *ProtectedResource) {
			p.JWKSURI = "https://mcp.example.com/jwks.json?v=1"
			p.BearerMethodsSupported = []string{"header", "body"}
			p.ResourceSigningAlgValuesSupported = []string{"ES256", "RS256"}
			p.DPoPSigningAlgValuesSupported = []string{"ES256"}
			p.AuthorizationDetailsTypesSupported = []string{"payment"}
			p.ResourceDocumentation = "http://docs.example.com/"
			p.ResourcePolicyURI = "https://example.com/policy"
			p.ResourceTOSURI = "https://example.com/tos"
			p.SignedMetadata = "eyJhbGciOiJFUzI1NiJ9.eyJyZXNvdXJjZSI6IngifQ.c2ln"
			p.Extra = map[string]json.RawMessage{"x_custom": json.RawMessage(`[1]`)}
		}, nil, nil},
		{"root resource", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com" }, nil, nil},
		{"trailing slash allowed", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/mcp/" }, nil, nil},
		{"query allowed", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/mcp?tenant=a" }, nil, nil},
		{"port", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com:8443/mcp" }, nil, nil},
		{"loopback http", func(p *ProtectedResource) {
			p.Resource = "http://127.0.0.1:8080/mcp"
			p.AuthorizationServers = []string{"http://localhost:3001/oidc", "http://[::1]:3002"}
			p.JWKSURI = "http://localhost/jwks"
		}, nil, nil},
		{"http non-loopback", func(p *ProtectedResource) { p.Resource = "http://mcp.example.com/mcp" }, nil,
			[]string{"resource http://mcp.example.com/mcp"}},
		{"http non-loopback with InsecureAllowHTTP", func(p *ProtectedResource) {
			p.Resource = "http://mcp.internal/mcp"
			p.AuthorizationServers = []string{"http://auth.internal"}
		}, []HandlerOption{InsecureAllowHTTP()}, nil},
		{"missing resource", func(p *ProtectedResource) { p.Resource = "" }, nil, []string{"resource "}},
		{"relative resource", func(p *ProtectedResource) { p.Resource = "/mcp" }, nil, []string{"resource /mcp"}},
		{"fragment", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/mcp#x" }, nil,
			[]string{"resource https://mcp.example.com/mcp#x"}},
		{"empty fragment", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/mcp#" }, nil,
			[]string{"resource https://mcp.example.com/mcp#"}},
		{"userinfo", func(p *ProtectedResource) { p.Resource = "https://u@mcp.example.com/mcp" }, nil,
			[]string{"resource https://u@mcp.example.com/mcp"}},
		{"uppercase host", func(p *ProtectedResource) { p.Resource = "https://MCP.example.com/mcp" }, nil,
			[]string{"resource https://MCP.example.com/mcp"}},
		{"uppercase scheme", func(p *ProtectedResource) { p.Resource = "HTTPS://mcp.example.com/mcp" }, nil,
			[]string{"resource HTTPS://mcp.example.com/mcp"}},
		{"uppercase path is fine", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/MCP" }, nil, nil},
		{"empty query", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/mcp?" }, nil,
			[]string{"resource https://mcp.example.com/mcp?"}},
		{"empty segment", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com//mcp" }, nil,
			[]string{"resource https://mcp.example.com//mcp"}},
		{"dot segment", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/a/../mcp" }, nil,
			[]string{"resource https://mcp.example.com/a/../mcp"}},
		{"encoded dot segment", func(p *ProtectedResource) { p.Resource = "https://mcp.example.com/%2e/mcp" }, nil,
			[]string{"resource https://mcp.example.com/%2e/mcp"}},
		{"non-http scheme", func(p *ProtectedResource) { p.Resource = "wss://mcp.example.com/mcp" }, nil,
			[]string{"resource wss://mcp.example.com/mcp"}},
		{"percent-encoded host", func(p *ProtectedResource) { p.Resource = "https://b%c3%bccher.example/mcp" }, nil,
			[]string{"resource https://b%c3%bccher.example/mcp"}},
		{"no authorization server", func(p *ProtectedResource) { p.AuthorizationServers = nil }, nil,
			[]string{"authorization_servers "}},
		{"authorization server http", func(p *ProtectedResource) { p.AuthorizationServers = []string{"http://auth.example.com"} }, nil,
			[]string{"authorization_servers http://auth.example.com"}},
		{"authorization server query", func(p *ProtectedResource) { p.AuthorizationServers = []string{"https://auth.example.com?t=1"} }, nil,
			[]string{"authorization_servers https://auth.example.com?t=1"}},
		{"authorization server fragment", func(p *ProtectedResource) { p.AuthorizationServers = []string{"https://auth.example.com#f"} }, nil,
			[]string{"authorization_servers https://auth.example.com#f"}},
		{"authorization server relative", func(p *ProtectedResource) { p.AuthorizationServers = []string{"auth.example.com"} }, nil,
			[]string{"authorization_servers auth.example.com"}},
		{"authorization server with path and slash", func(p *ProtectedResource) {
			p.AuthorizationServers = []string{"https://tenant.auth.example/", "https://auth.example.com/realms/x"}
		}, nil, nil},
		{"authorization server twice", func(p *ProtectedResource) {
			p.AuthorizationServers = []string{"https://a.example", "https://b.example", "https://a.example"}
		}, nil, []string{"authorization_servers https://a.example"}},
		{"offline_access", func(p *ProtectedResource) { p.ScopesSupported = []string{"mcp:read", "offline_access"} }, nil,
			[]string{"scopes_supported offline_access"}},
		{"offline_access with SkipOfflineAccessCheck", func(p *ProtectedResource) { p.ScopesSupported = []string{"offline_access"} },
			[]HandlerOption{SkipOfflineAccessCheck()}, nil},
		{"empty scope", func(p *ProtectedResource) { p.ScopesSupported = []string{"a", ""} }, nil, []string{"scopes_supported "}},
		{"scope with space", func(p *ProtectedResource) { p.ScopesSupported = []string{"a b"} }, nil, []string{"scopes_supported a b"}},
		{"scope with quote", func(p *ProtectedResource) { p.ScopesSupported = []string{`a"b`} }, nil, []string{`scopes_supported a"b`}},
		{"scope with backslash", func(p *ProtectedResource) { p.ScopesSupported = []string{`a\b`} }, nil, []string{`scopes_supported a\b`}},
		{"scope with DEL", func(p *ProtectedResource) { p.ScopesSupported = []string{"a\x7f"} }, nil, []string{"scopes_supported a\x7f"}},
		{"scope non-ASCII", func(p *ProtectedResource) { p.ScopesSupported = []string{"lecture:é"} }, nil, []string{"scopes_supported lecture:é"}},
		{"scope edge characters", func(p *ProtectedResource) { p.ScopesSupported = []string{"!#[]~", "https://api.example.com/read"} }, nil, nil},
		{"scope twice", func(p *ProtectedResource) { p.ScopesSupported = []string{"a", "b", "a"} }, nil, []string{"scopes_supported a"}},
		{"no scopes is allowed", func(p *ProtectedResource) { p.ScopesSupported = nil }, nil, nil},
		{"bearer query", func(p *ProtectedResource) { p.BearerMethodsSupported = []string{"header", "query"} }, nil,
			[]string{"bearer_methods_supported query"}},
		{"bearer unknown", func(p *ProtectedResource) { p.BearerMethodsSupported = []string{"Header"} }, nil,
			[]string{"bearer_methods_supported Header"}},
		{"bearer twice", func(p *ProtectedResource) { p.BearerMethodsSupported = []string{"header", "header"} }, nil,
			[]string{"bearer_methods_supported header"}},
		{"signing alg none", func(p *ProtectedResource) { p.ResourceSigningAlgValuesSupported = []string{"ES256", "none"} }, nil,
			[]string{"resource_signing_alg_values_supported none"}},
		{"dpop alg none", func(p *ProtectedResource) { p.DPoPSigningAlgValuesSupported = []string{"none"} }, nil,
			[]string{"dpop_signing_alg_values_supported none"}},
		{"dpop alg twice", func(p *ProtectedResource) { p.DPoPSigningAlgValuesSupported = []string{"ES256", "ES256"} }, nil,
			[]string{"dpop_signing_alg_values_supported ES256"}},
		{"authorization details empty", func(p *ProtectedResource) { p.AuthorizationDetailsTypesSupported = []string{" "} }, nil,
			[]string{"authorization_details_types_supported  "}},
		{"jwks_uri http", func(p *ProtectedResource) { p.JWKSURI = "http://mcp.example.com/jwks" }, nil,
			[]string{"jwks_uri http://mcp.example.com/jwks"}},
		{"documentation relative", func(p *ProtectedResource) { p.ResourceDocumentation = "/docs" }, nil,
			[]string{"resource_documentation /docs"}},
		{"policy javascript", func(p *ProtectedResource) { p.ResourcePolicyURI = "javascript:alert(1)" }, nil,
			[]string{"resource_policy_uri javascript:alert(1)"}},
		{"tos fragment", func(p *ProtectedResource) { p.ResourceTOSURI = "https://example.com/tos#s2" }, nil,
			[]string{"resource_tos_uri https://example.com/tos#s2"}},
		{"signed metadata not a JWS", func(p *ProtectedResource) { p.SignedMetadata = "a.b" }, nil, []string{"signed_metadata "}},
		{"signed metadata bad characters", func(p *ProtectedResource) { p.SignedMetadata = "a.b+.c" }, nil, []string{"signed_metadata "}},
		{"extra naming a member", func(p *ProtectedResource) {
			p.Extra = map[string]json.RawMessage{"Scopes_Supported": json.RawMessage(`[]`)}
		}, nil, []string{"extra member Scopes_Supported"}},
		{"extra invalid JSON", func(p *ProtectedResource) {
			p.Extra = map[string]json.RawMessage{"x": json.RawMessage(`{`), "y": nil}
		}, nil, []string{"extra member x", "extra member y"}},
		{"every problem reported", func(p *ProtectedResource) {
			p.Resource = "http://mcp.example.com/mcp"
			p.AuthorizationServers = nil
			p.ScopesSupported = []string{"offline_access", "a b"}
		}, nil, []string{"authorization_servers ", "resource http://mcp.example.com/mcp", "scopes_supported a b", "scopes_supported offline_access"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validDoc()
			tt.edit(&p)
			err := p.Validate(tt.opts...)
			if got := problems(err); !slices.Equal(got, tt.wantPb) {
				t.Fatalf("Validate() = %v\nproblems %q\nwant     %q", err, got, tt.wantPb)
			}
			if tt.wantPb != nil && !errors.Is(err, ErrInvalidMetadata) {
				t.Fatalf("errors.Is(%v, ErrInvalidMetadata) = false", err)
			}
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	p := validDoc()
	p.ScopesSupported = []string{"offline_access"}
	err := p.Validate()
	const want = `metadata: scopes_supported "offline_access": should not be listed (MCP 2026-07-28); use SkipOfflineAccessCheck to allow it`
	if err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
	p = validDoc()
	p.AuthorizationServers = nil
	const want2 = `metadata: authorization_servers: must list at least one authorization server (the MCP authorization specification requires it)`
	if err := p.Validate(); err == nil || err.Error() != want2 {
		t.Fatalf("error %q, want %q", err, want2)
	}
}

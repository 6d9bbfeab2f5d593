package metadata

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestNamedMembersMatchStructTags(t *testing.T) {
	var tags []string
	typ := reflect.TypeFor[ProtectedResource]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name != "-" {
			tags = append(tags, name)
		}
	}
	if !slices.Equal(tags, namedMembers) {
		t.Fatalf("struct tags %q, namedMembers %q", tags, namedMembers)
	}
	if len(namedMembers) != 15 {
		t.Fatalf("%d named members, want the 15 of RFC 9728 section 2", len(namedMembers))
	}
}

func TestProtectedResourceMarshalJSON(t *testing.T) {
	full := ProtectedResource{
		Resource:                              "https://mcp.example.com/mcp?a=1&b=2",
		AuthorizationServers:                  []string{"https://auth.example.com"},
		JWKSURI:                               "https://mcp.example.com/jwks.json",
		ScopesSupported:                       []string{"mcp:read"},
		BearerMethodsSupported:                []string{"header"},
		ResourceSigningAlgValuesSupported:     []string{"ES256"},
		ResourceName:                          "Example <MCP>",
		ResourceDocumentation:                 "https://docs.example.com",
		ResourcePolicyURI:                     "https://example.com/policy",
		ResourceTOSURI:                        "https://example.com/tos",
		TLSClientCertificateBoundAccessTokens: true,
		AuthorizationDetailsTypesSupported:    []string{"payment"},
		DPoPSigningAlgValuesSupported:         []string{"ES256"},
		DPoPBoundAccessTokensRequired:         true,
		SignedMetadata:                        "e30.e30.sig",
	}
	withExtra := full
	withExtra.Extra = map[string]json.RawMessage{
		"z_custom": json.RawMessage(`{"x": [1, 2]}`),
		"a_custom": json.RawMessage(`"v"`),
		"resource": json.RawMessage(`"https://evil.example"`), // never overrides
		"Resource": json.RawMessage(`"https://evil.example"`), // nor a case variant
	}
	const fullJSON = `{"resource":"https://mcp.example.com/mcp?a=1&b=2",` +
		`"authorization_servers":["https://auth.example.com"],` +
		`"jwks_uri":"https://mcp.example.com/jwks.json",` +
		`"scopes_supported":["mcp:read"],` +
		`"bearer_methods_supported":["header"],` +
		`"resource_signing_alg_values_supported":["ES256"],` +
		`"resource_name":"Example <MCP>",` +
		`"resource_documentation":"https://docs.example.com",` +
		`"resource_policy_uri":"https://example.com/policy",` +
		`"resource_tos_uri":"https://example.com/tos",` +
		`"tls_client_certificate_bound_access_tokens":true,` +
		`"authorization_details_types_supported":["payment"],` +
		`"dpop_signing_alg_values_supported":["ES256"],` +
		`"dpop_bound_access_tokens_required":true,` +
		`"signed_metadata":"e30.e30.sig"`
	tests := []struct {
		name string
		in   ProtectedResource
		want string // as served (no HTML escaping)
	}{
		{"zero value keeps the required resource", ProtectedResource{}, `{"resource":""}`},
		{"minimal", ProtectedResource{Resource: "https://h/mcp", AuthorizationServers: []string{"https://as"}},
			`{"resource":"https://h/mcp","authorization_servers":["https://as"]}`},
		{"every member", full, fullJSON + `}`},
		{"extra members sorted, never overriding", withExtra, fullJSON + `,"a_custom":"v","z_custom":{"x":[1,2]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := newDocument(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(doc.body) != tt.want {
				t.Fatalf("served JSON\n got %s\nwant %s", doc.body, tt.want)
			}
			// json.Marshal escapes HTML characters but is otherwise equal.
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.NewReplacer("&", `\u0026`, "<", `\u003c`, ">", `\u003e`).Replace(tt.want)
			if string(b) != want {
				t.Fatalf("json.Marshal\n got %s\nwant %s", b, want)
			}
		})
	}
}

func TestProtectedResourceMarshalJSONInvalidExtra(t *testing.T) {
	p := ProtectedResource{Resource: "https://h", Extra: map[string]json.RawMessage{"x": json.RawMessage(`{`)}}
	if b, err := json.Marshal(p); err == nil {
		t.Fatalf("json.Marshal = %s, nil; want an error for invalid extra JSON", b)
	}
}

func TestProtectedResourceUnmarshalJSON(t *testing.T) {
	const in = `{"resource":"https://h/mcp","authorization_servers":["https://as"],` +
		`"dpop_bound_access_tokens_required":true,"custom":{"a":1},"RESOURCE_NAME":"n","other":null}`
	var p ProtectedResource
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	want := ProtectedResource{
		Resource:                      "https://h/mcp",
		AuthorizationServers:          []string{"https://as"},
		DPoPBoundAccessTokensRequired: true,
		Extra: map[string]json.RawMessage{
			"custom":        json.RawMessage(`{"a":1}`),
			"RESOURCE_NAME": json.RawMessage(`"n"`), // names match exactly
			"other":         json.RawMessage(`null`),
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got  %#v\nwant %#v", p, want)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	// RESOURCE_NAME shadows resource_name, so it is not written back.
	const wantOut = `{"resource":"https://h/mcp","authorization_servers":["https://as"],` +
		`"dpop_bound_access_tokens_required":true,"custom":{"a":1},"other":null}`
	if string(out) != wantOut {
		t.Fatalf("round trip\n got %s\nwant %s", out, wantOut)
	}

	tests := []struct {
		name, in string
		want     ProtectedResource
	}{
		{"no unknown member", `{"resource":"https://h"}`, ProtectedResource{Resource: "https://h"}},
		{"null leaves the value", `null`, ProtectedResource{Resource: "kept"}},
		{"explicit null member", `{"resource":"https://h","scopes_supported":null}`, ProtectedResource{Resource: "https://h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ProtectedResource{Resource: "kept"}
			if err := json.Unmarshal([]byte(tt.in), &p); err != nil || !reflect.DeepEqual(p, tt.want) {
				t.Fatalf("Unmarshal(%s) = %#v, %v; want %#v", tt.in, p, err, tt.want)
			}
		})
	}
	for _, bad := range []string{`[]`, `"x"`, `{"resource":1}`, `{"scopes_supported":"a"}`, `{`} {
		var p ProtectedResource
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("Unmarshal(%s) succeeded; want an error", bad)
		}
	}
}

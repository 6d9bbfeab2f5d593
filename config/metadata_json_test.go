package config

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const sampleDoc = `{
  "issuer": "https://auth.example.com/oidc",
  "authorization_endpoint": "https://auth.example.com/oidc/auth",
  "token_endpoint": "https://auth.example.com/oidc/token",
  "response_types_supported": ["code", "code id_token"],
  "code_challenge_methods_supported": ["S256"],
  "client_id_metadata_document_supported": true,
  "claims_parameter_supported": false,
  "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.example.com/token"},
  "signed_metadata": "eyJ.x.y"
}`

func TestMetadataUnmarshalKeepsUnknownMembers(t *testing.T) {
	var m Metadata
	if err := json.Unmarshal([]byte(sampleDoc), &m); err != nil {
		t.Fatal(err)
	}
	if m.Issuer != "https://auth.example.com/oidc" || !m.ClientIDMetadataDocumentSupported ||
		len(m.ResponseTypesSupported) != 2 || m.CodeChallengeMethodsSupported[0] != "S256" {
		t.Errorf("named fields not decoded: %+v", m)
	}
	wantExtra := map[string]string{
		"claims_parameter_supported": `false`,
		"mtls_endpoint_aliases":      `{"token_endpoint": "https://mtls.example.com/token"}`,
		"signed_metadata":            `"eyJ.x.y"`,
	}
	if len(m.Extra) != len(wantExtra) {
		t.Fatalf("Extra has %d members, want %d: %s", len(m.Extra), len(wantExtra), m.Extra)
	}
	for k, v := range wantExtra {
		if string(m.Extra[k]) != v {
			t.Errorf("Extra[%q] = %s, want %s", k, m.Extra[k], v)
		}
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	var m Metadata
	if err := json.Unmarshal([]byte(sampleDoc), &m); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	// Same members and values as the original, whatever the order.
	var orig, again map[string]any
	if err := json.Unmarshal([]byte(sampleDoc), &orig); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(orig, again) {
		t.Errorf("round trip changed the document:\n got  %s\n want %s", out, sampleDoc)
	}
	// Named members first in field order, then Extra sorted.
	wantPrefix := `{"issuer":"https://auth.example.com/oidc","authorization_endpoint":`
	wantSuffix := `"claims_parameter_supported":false,"mtls_endpoint_aliases":{"token_endpoint":"https://mtls.example.com/token"},"signed_metadata":"eyJ.x.y"}`
	if !strings.HasPrefix(string(out), wantPrefix) || !strings.HasSuffix(string(out), wantSuffix) {
		t.Errorf("unexpected layout: %s", out)
	}
	// Pointer and value encode alike.
	viaPtr, err := json.Marshal(&m)
	if err != nil || !bytes.Equal(viaPtr, out) {
		t.Errorf("json.Marshal(&m) = %s, %v; want %s", viaPtr, err, out)
	}
}

func TestMetadataMemberNamesAreExact(t *testing.T) {
	var m Metadata
	doc := `{"issuer":"https://good.example","ISSUER":"https://evil.example","Jwks_Uri":"https://evil.example/k"}`
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	if m.Issuer != "https://good.example" || m.JWKSURI != "" {
		t.Errorf("case-insensitive match: issuer %q, jwks_uri %q", m.Issuer, m.JWKSURI)
	}
	if len(m.Extra) != 2 {
		t.Errorf("Extra = %s, want the two look-alike members kept", m.Extra)
	}
	// Re-served, the look-alikes are dropped so no reader can confuse them.
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"issuer":"https://good.example"}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
}

func TestMetadataMarshalExtraCannotOverride(t *testing.T) {
	m := Metadata{
		Issuer: "https://a.example",
		Extra: map[string]json.RawMessage{
			"issuer":   json.RawMessage(`"https://evil.example"`),
			"jwks_uri": json.RawMessage(`"https://evil.example/k"`),
			"iſſuer":   json.RawMessage(`"https://evil.example"`), // folds to "issuer"
			"custom":   json.RawMessage(` [ 1 , 2 ] `),
		},
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"issuer":"https://a.example","custom":[1,2]}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
}

func TestMetadataMarshalInvalidExtra(t *testing.T) {
	m := Metadata{Issuer: "https://a.example", Extra: map[string]json.RawMessage{"x": json.RawMessage(`{`)}}
	if out, err := json.Marshal(m); err == nil {
		t.Errorf("Marshal = %s, want an error for invalid Extra JSON", out)
	}
}

func TestMetadataUnmarshalErrors(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"array", `[]`},
		{"string", `"x"`},
		{"number", `1`},
		{"issuer not a string", `{"issuer": 5}`},
		{"list not a list", `{"response_types_supported": "code"}`},
		{"list of numbers", `{"scopes_supported": [1]}`},
		{"bool as string", `{"client_id_metadata_document_supported": "true"}`},
		{"truncated", `{"issuer": "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Metadata{Issuer: "unchanged"}
			if err := json.Unmarshal([]byte(tt.doc), &m); err == nil {
				t.Fatalf("Unmarshal(%s) succeeded: %+v", tt.doc, m)
			}
		})
	}
}

func TestMetadataUnmarshalNullIsNoOp(t *testing.T) {
	m := Metadata{Issuer: "kept"}
	if err := m.UnmarshalJSON([]byte(" null ")); err != nil || m.Issuer != "kept" {
		t.Errorf("UnmarshalJSON(null) = %v, issuer %q", err, m.Issuer)
	}
}

// TestNamedMembersCoverFields guards the reflection-built index.
func TestNamedMembersCoverFields(t *testing.T) {
	typ := reflect.TypeFor[Metadata]()
	if got, want := len(namedMembers), typ.NumField()-1; got != want { // all but Extra
		t.Errorf("%d named members, want %d", got, want)
	}
	for _, nm := range namedMembers {
		if strings.ContainsAny(nm.name, ",-") || nm.name == "" {
			t.Errorf("bad member name %q", nm.name)
		}
	}
}

func FuzzMetadataUnmarshal(f *testing.F) {
	for _, s := range []string{
		sampleDoc, `{}`, `null`, `[]`, `{"issuer":"x","ISSUER":"y"}`, `{"a":{"b":[1,2,{"c":null}]}}`,
		`{"grant_types_supported":[]}`, `{"issuer":"\u003chtml\u003e"}`, `{"issuer":5}`,
		`{"iſſuer":"x","issuer":"y","issuer":"z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m1 Metadata
		if err := json.Unmarshal(data, &m1); err != nil {
			return
		}
		b1, err := json.Marshal(m1)
		if err != nil {
			t.Fatalf("Marshal after Unmarshal(%q): %v", data, err)
		}
		var m2 Metadata
		if err := json.Unmarshal(b1, &m2); err != nil {
			t.Fatalf("Unmarshal(Marshal(m)) = %v for %s", err, b1)
		}
		b2, err := json.Marshal(m2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("round trip unstable:\n%s\n%s", b1, b2)
		}
		if m1.Issuer != m2.Issuer || m1.JWKSURI != m2.JWKSURI || m1.TokenEndpoint != m2.TokenEndpoint {
			t.Fatalf("named members changed: %+v vs %+v", m1, m2)
		}
	})
}

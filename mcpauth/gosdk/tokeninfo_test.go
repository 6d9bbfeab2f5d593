package gosdk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/bearer"
	"github.com/mcp-auth/go/mcpauth/gosdk"
)

func sampleAuthInfo() *bearer.AuthInfo {
	return &bearer.AuthInfo{
		Issuer:    testIssuer,
		Subject:   "alice-id",
		ClientID:  "client-1",
		Audience:  []string{testResource},
		Scopes:    []string{"read", "write"},
		ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Claims:    map[string]any{"sub": "alice-id", "email": "alice@example.com"},
	}
}

func TestTokenInfoFields(t *testing.T) {
	info := sampleAuthInfo()
	ti := gosdk.TokenInfo(info)
	if !slices.Equal(ti.Scopes, info.Scopes) || !ti.Expiration.Equal(info.ExpiresAt) || ti.UserID != "alice-id" {
		t.Errorf("TokenInfo = %+v", ti)
	}
	extra := map[string]any{
		gosdk.ExtraIssuer:   testIssuer,
		gosdk.ExtraClientID: "client-1",
	}
	for k, want := range extra {
		if got := ti.Extra[k]; got != want {
			t.Errorf("Extra[%q] = %v, want %v", k, got, want)
		}
	}
	if aud, ok := ti.Extra[gosdk.ExtraAudience].([]string); !ok || !slices.Equal(aud, info.Audience) {
		t.Errorf("Extra[%q] = %#v, want %v", gosdk.ExtraAudience, ti.Extra[gosdk.ExtraAudience], info.Audience)
	}
	if claims, ok := ti.Extra[gosdk.ExtraClaims].(map[string]any); !ok || claims["email"] != "alice@example.com" {
		t.Errorf("Extra[%q] = %#v, want the claims", gosdk.ExtraClaims, ti.Extra[gosdk.ExtraClaims])
	}
	if got, ok := ti.Extra[gosdk.ExtraAuthInfo].(*bearer.AuthInfo); !ok || got != info {
		t.Errorf("Extra[%q] = %#v, want the AuthInfo itself", gosdk.ExtraAuthInfo, ti.Extra[gosdk.ExtraAuthInfo])
	}
	if len(ti.Extra) != 5 {
		t.Errorf("Extra has %d keys, want the 5 documented ones: %v", len(ti.Extra), ti.Extra)
	}
}

// Every documented key is present, with its documented type, even for an
// AuthInfo that knows little (a userinfo verifier's).
func TestTokenInfoEmptyFieldsKeepTheirTypes(t *testing.T) {
	ti := gosdk.TokenInfo(&bearer.AuthInfo{Subject: "alice-id"})
	if _, ok := ti.Extra[gosdk.ExtraIssuer].(string); !ok {
		t.Errorf("issuer: %#v", ti.Extra[gosdk.ExtraIssuer])
	}
	if _, ok := ti.Extra[gosdk.ExtraClientID].(string); !ok {
		t.Errorf("client_id: %#v", ti.Extra[gosdk.ExtraClientID])
	}
	if aud, ok := ti.Extra[gosdk.ExtraAudience].([]string); !ok || aud != nil {
		t.Errorf("audience: %#v, want a nil []string", ti.Extra[gosdk.ExtraAudience])
	}
	if claims, ok := ti.Extra[gosdk.ExtraClaims].(map[string]any); !ok || claims != nil {
		t.Errorf("claims: %#v, want a nil map[string]any", ti.Extra[gosdk.ExtraClaims])
	}
	if !ti.Expiration.IsZero() || ti.Scopes != nil {
		t.Errorf("unknown expiry and scopes became %v, %v", ti.Expiration, ti.Scopes)
	}
}

// The AuthInfo is shared by every request with the same token: a handler
// that edits its TokenInfo's slices must not change it.
func TestTokenInfoSlicesAreCopies(t *testing.T) {
	info := sampleAuthInfo()
	ti := gosdk.TokenInfo(info)
	ti.Scopes[0] = "admin"
	ti.Extra[gosdk.ExtraAudience].([]string)[0] = "https://evil.example"
	if info.Scopes[0] != "read" || info.Audience[0] != testResource {
		t.Errorf("editing the TokenInfo changed the shared AuthInfo: %v %v", info.Scopes, info.Audience)
	}
}

func TestTokenInfoNil(t *testing.T) {
	if ti := gosdk.TokenInfo(nil); ti != nil {
		t.Errorf("TokenInfo(nil) = %+v", ti)
	}
}

func TestFromTokenInfo(t *testing.T) {
	info := sampleAuthInfo()
	cases := []struct {
		name string
		ti   *auth.TokenInfo
		want *bearer.AuthInfo
	}{
		{"ours", gosdk.TokenInfo(info), info},
		{"nil", nil, nil},
		{"another verifier's, no Extra", &auth.TokenInfo{UserID: "x"}, nil},
		{"another verifier's, key of another type", &auth.TokenInfo{Extra: map[string]any{gosdk.ExtraAuthInfo: "x"}}, nil},
		{"typed nil", &auth.TokenInfo{Extra: map[string]any{gosdk.ExtraAuthInfo: (*bearer.AuthInfo)(nil)}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := gosdk.FromTokenInfo(tc.ti)
			if got != tc.want || ok != (tc.want != nil) {
				t.Errorf("FromTokenInfo = %p, %v; want %p", got, ok, tc.want)
			}
		})
	}
}

func TestAuthInfoFromRequestExtra(t *testing.T) {
	info := sampleAuthInfo()
	if got, ok := gosdk.AuthInfo(&mcp.RequestExtra{TokenInfo: gosdk.TokenInfo(info)}); !ok || got != info {
		t.Errorf("AuthInfo = %p, %v; want %p", got, ok, info)
	}
	if got, ok := gosdk.AuthInfo(nil); ok || got != nil {
		t.Errorf("AuthInfo(nil) = %p, %v", got, ok)
	}
	if got, ok := gosdk.AuthInfo(&mcp.RequestExtra{}); ok || got != nil {
		t.Errorf("AuthInfo without TokenInfo = %p, %v", got, ok)
	}
}

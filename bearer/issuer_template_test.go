package bearer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// Tenants of the multi-tenant tests (Entra ID writes tenant IDs as
// lower-case GUIDs).
const (
	tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tenantB = "9188040d-6c67-4c5b-b112-36a304b66dad"
	tenantC = "0d5e5c59-3bd3-4a25-bd2a-7f0e4d1f3c2a"

	entraV2Template = "https://login.microsoftonline.com/" + TenantPlaceholder + "/v2.0"
	entraV1Template = "https://sts.windows.net/" + TenantPlaceholder + "/"
)

func mustTemplate(t testing.TB, template string, tenants ...string) *IssuerTemplate {
	t.Helper()
	tmpl, err := NewIssuerTemplate(template, tenants...)
	if err != nil {
		t.Fatalf("NewIssuerTemplate(%q): %v", template, err)
	}
	return tmpl
}

func TestNewIssuerTemplateRefusesUnsafeTemplates(t *testing.T) {
	for _, tc := range []struct {
		name, template string
		tenants        []string
	}{
		{"no placeholder", "https://login.microsoftonline.com/common/v2.0", nil},
		{"two placeholders", "https://login.microsoftonline.com/{tenantid}/{tenantid}/v2.0", nil},
		{"another placeholder", "https://login.microsoftonline.com/{tenant}/v2.0", nil},
		{"stray brace", "https://login.microsoftonline.com/{tenantid}/v2.0}", nil},
		{"placeholder in the host", "https://{tenantid}.example.com/v2.0", nil},
		{"placeholder inside a segment", "https://login.microsoftonline.com/t-{tenantid}/v2.0", nil},
		{"placeholder before a non-slash", "https://login.microsoftonline.com/{tenantid}.v2", nil},
		{"placeholder as the whole path after the host, no slash", "https://login.microsoftonline.com{tenantid}", nil},
		{"query", "https://login.microsoftonline.com/{tenantid}/v2.0?x=1", nil},
		{"fragment", "https://login.microsoftonline.com/{tenantid}/v2.0#f", nil},
		{"user information", "https://u:p@login.microsoftonline.com/{tenantid}/v2.0", nil},
		{"relative", "/{tenantid}/v2.0", nil},
		{"other scheme", "ftp://login.microsoftonline.com/{tenantid}/v2.0", nil},
		{"allow-list entry not a GUID", entraV2Template, []string{"contoso.onmicrosoft.com"}},
		{"allow-list entry an alias", entraV2Template, []string{"organizations"}},
		{"allow-list entry with braces", entraV2Template, []string{"{" + tenantA + "}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewIssuerTemplate(tc.template, tc.tenants...)
			if !errors.Is(err, ErrMisconfigured) {
				t.Fatalf("NewIssuerTemplate(%q, %q) = %v, want ErrMisconfigured", tc.template, tc.tenants, err)
			}
		})
	}
}

func TestIssuerTemplateMatch(t *testing.T) {
	any2 := mustTemplate(t, entraV2Template)
	any1 := mustTemplate(t, entraV1Template)
	listed := mustTemplate(t, entraV2Template, strings.ToUpper(tenantA), tenantB) // the list is case-insensitive
	v2 := func(tenant string) string { return "https://login.microsoftonline.com/" + tenant + "/v2.0" }
	v1 := func(tenant string) string { return "https://sts.windows.net/" + tenant + "/" }
	tid := func(tenant string) map[string]any { return map[string]any{"tid": tenant} }

	for _, tc := range []struct {
		name   string
		tmpl   *IssuerTemplate
		issuer string
		claims map[string]any
		want   bool
	}{
		{"v2 any tenant", any2, v2(tenantC), tid(tenantC), true},
		{"v1 any tenant", any1, v1(tenantA), tid(tenantA), true},
		{"allow-listed tenant", listed, v2(tenantA), tid(tenantA), true},
		{"second allow-listed tenant", listed, v2(tenantB), tid(tenantB), true},
		{"tenant outside the allow-list", listed, v2(tenantC), tid(tenantC), false},
		{"iss tenant A, tid tenant B", any2, v2(tenantA), tid(tenantB), false},
		{"no tid", any2, v2(tenantA), map[string]any{}, false},
		{"tid not a string", any2, v2(tenantA), map[string]any{"tid": []any{tenantA}}, false},
		{"nil claims", any2, v2(tenantA), nil, false},
		{"upper-case tenant", any2, v2(strings.ToUpper(tenantA)), tid(strings.ToUpper(tenantA)), false},
		{"tenant without hyphens", any2, v2(strings.ReplaceAll(tenantA, "-", "")), tid(strings.ReplaceAll(tenantA, "-", "")), false},
		{"braced tenant", any2, v2("{" + tenantA[1:35] + "}"), tid("{" + tenantA[1:35] + "}"), false},
		{"alias common", any2, v2("common"), tid("common"), false},
		{"alias organizations", any2, v2("organizations"), tid("organizations"), false},
		{"the template itself", any2, entraV2Template, tid(TenantPlaceholder), false},
		{"dot-dot segment", any2, v2("../" + tenantA[3:]), tid("../" + tenantA[3:]), false},
		{"dot-dot in a GUID-long value", any2, v2("../../../../../../../../../../../../.."[:36]), tid("../../../../../../../../../../../../.."[:36]), false},
		{"slash in the tenant", any2, v2(tenantA[:8] + "/" + tenantA[9:]), tid(tenantA[:8] + "/" + tenantA[9:]), false},
		{"extra segment before", any2, "https://login.microsoftonline.com/x/" + tenantA + "/v2.0", tid(tenantA), false},
		{"extra segment after", any2, v2(tenantA) + "/x", tid(tenantA), false},
		{"trailing slash on v2", any2, v2(tenantA) + "/", tid(tenantA), false},
		{"v1 without its trailing slash", any1, strings.TrimSuffix(v1(tenantA), "/"), tid(tenantA), false},
		{"v1 issuer against the v2 template", any2, v1(tenantA), tid(tenantA), false},
		{"v2 issuer against the v1 template", any1, v2(tenantA), tid(tenantA), false},
		{"other host", any2, "https://login.microsoftonline.evil/" + tenantA + "/v2.0", tid(tenantA), false},
		{"percent-encoded tenant", any2, v2("%37" + tenantA[1:]), tid("%37" + tenantA[1:]), false},
		{"empty issuer", any2, "", tid(tenantA), false},
		{"zero template", &IssuerTemplate{}, v2(tenantA), tid(tenantA), false},
		{"nil template", nil, v2(tenantA), tid(tenantA), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant, ok := tc.tmpl.Match(tc.issuer, tc.claims)
			if ok != tc.want {
				t.Fatalf("Match(%q, %v) = %q, %v; want %v", tc.issuer, tc.claims, tenant, ok, tc.want)
			}
			if ok && tenant != tc.claims["tid"] {
				t.Fatalf("tenant %q, want the tid %v", tenant, tc.claims["tid"])
			}
		})
	}
	if got := listed.Tenants(); !slices.Equal(got, []string{tenantA, tenantB}) {
		t.Errorf("Tenants() = %q, want the lower-cased allow-list", got)
	}
	if any2.Tenants() != nil || any2.String() != entraV2Template {
		t.Errorf("Tenants() = %q, String() = %q", any2.Tenants(), any2.String())
	}
}

// multiTenant is a JWT verifier trusting the v1 and v2 issuers of a
// multi-tenant server through templates, with static keys, behind a
// middleware that accepts the same templates.
type multiTenant struct {
	key   *jwtTestKey
	authn *Authenticator
}

func newMultiTenant(t *testing.T, v1, v2 *IssuerTemplate, extra ...Option) *multiTenant {
	t.Helper()
	key := jwtNewKey(t, "RS256", "entra-1")
	jwks := jwtJWKS(key)
	clock := newJWTClock()
	v, err := NewJWTVerifier(context.Background(), []TrustedIssuer{
		{Template: v2},
		{Issuer: v1.String(), Template: v1},
	}, WithStaticKeys(v2.String(), jwks), WithStaticKeys(v1.String(), jwks), WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	authn, err := New(v, append([]Option{WithIssuerTemplates(v1, v2), WithAudience(jwtTestResource), WithClock(clock.Now)}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &multiTenant{key: key, authn: authn}
}

func (m *multiTenant) token(t *testing.T, iss, tid string) string {
	claims := jwtWith(jwtClaimsAt(jwtTestEpoch), map[string]any{"iss": iss, "tid": tid, "client_id": nil, "azp": "app-1"})
	if tid == "" {
		delete(claims, "tid")
	}
	return jwtSign(t, m.key, claims, map[string]any{"typ": "JWT"})
}

func TestMultiTenantIssuers(t *testing.T) {
	allowed := newMultiTenant(t, mustTemplate(t, entraV1Template, tenantA, tenantB), mustTemplate(t, entraV2Template, tenantA, tenantB))
	open := newMultiTenant(t, mustTemplate(t, entraV1Template), mustTemplate(t, entraV2Template))
	v2 := func(tenant string) string { return "https://login.microsoftonline.com/" + tenant + "/v2.0" }
	v1 := func(tenant string) string { return "https://sts.windows.net/" + tenant + "/" }

	for _, tc := range []struct {
		name     string
		m        *multiTenant
		iss, tid string
		ok       bool
	}{
		{"v2, allowed tenant", allowed, v2(tenantA), tenantA, true},
		{"v1, allowed tenant", allowed, v1(tenantB), tenantB, true},
		{"v2, any tenant", open, v2(tenantC), tenantC, true},
		{"v2, tenant outside the allow-list", allowed, v2(tenantC), tenantC, false},
		{"v1, tenant outside the allow-list", allowed, v1(tenantC), tenantC, false},
		{"iss tenant A, tid tenant B", allowed, v2(tenantA), tenantB, false},
		{"iss tenant A, tid tenant B, open", open, v1(tenantA), tenantB, false},
		{"no tid", open, v2(tenantA), "", false},
		{"the template as iss", open, entraV2Template, TenantPlaceholder, false},
		{"alias as tenant", open, v2("organizations"), "organizations", false},
		{"upper-case tenant", open, v2(strings.ToUpper(tenantA)), strings.ToUpper(tenantA), false},
		{"path in the tenant", open, v2("../" + tenantA[3:]), "../" + tenantA[3:], false},
		{"extra segment", open, v2(tenantA) + "/x", tenantA, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := tc.m.authn.AuthenticateToken(context.Background(), tc.m.token(t, tc.iss, tc.tid))
			if !tc.ok {
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeInvalidIssuer || !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("AuthenticateToken = %v, %v; want a CodeInvalidIssuer refusal", info, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AuthenticateToken: %v", err)
			}
			if info.Issuer != tc.iss || info.ClientID != "app-1" {
				t.Errorf("Issuer %q, ClientID %q", info.Issuer, info.ClientID)
			}
		})
	}
}

// TestMiddlewareTemplateCheck shows that the middleware applies the
// template itself, whatever verifier proved the token: a custom verifier
// that reports an issuer of the template with a mismatched "tid" is
// refused.
func TestMiddlewareTemplateCheck(t *testing.T) {
	tmpl := mustTemplate(t, entraV2Template, tenantA)
	iss := "https://login.microsoftonline.com/" + tenantA + "/v2.0"
	verifier := func(tid string) Verifier {
		return VerifierFunc(func(context.Context, string) (*AuthInfo, error) {
			return &AuthInfo{Issuer: iss, Subject: "s", Audience: []string{jwtTestResource},
				Claims: map[string]any{"iss": iss, "tid": tid}, ExpiresAt: jwtTestEpoch.Add(1 << 60)}, nil
		})
	}
	for _, tc := range []struct {
		tid string
		ok  bool
	}{{tenantA, true}, {tenantB, false}} {
		authn, err := New(verifier(tc.tid), WithIssuerTemplates(tmpl), WithAudience(jwtTestResource))
		if err != nil {
			t.Fatal(err)
		}
		_, err = authn.AuthenticateToken(context.Background(), "opaque-token")
		if ok := err == nil; ok != tc.ok {
			t.Errorf("tid %s: AuthenticateToken = %v, want ok=%v", tc.tid, err, tc.ok)
		}
	}
	// An exact issuer list and templates together: either passes.
	other := "https://auth.example.com"
	authn, err := New(VerifierFunc(func(context.Context, string) (*AuthInfo, error) {
		return &AuthInfo{Issuer: other, Subject: "s", Audience: []string{jwtTestResource}, ExpiresAt: jwtTestEpoch.Add(1 << 60)}, nil
	}), WithIssuers(other), WithIssuerTemplates(tmpl), WithAudience(jwtTestResource))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authn.AuthenticateToken(context.Background(), "t"); err != nil {
		t.Errorf("exact issuer beside a template: %v", err)
	}
}

func TestIssuerTemplateMisconfiguration(t *testing.T) {
	tmpl := mustTemplate(t, entraV2Template)
	jwks := jwtJWKS(jwtNewKey(t, "ES256", "k"))
	ok := VerifierFunc(func(context.Context, string) (*AuthInfo, error) { return nil, nil })
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"WithIssuerTemplates with none", func() error { _, err := New(ok, WithIssuerTemplates()); return err }},
		{"WithIssuerTemplates with nil", func() error { _, err := New(ok, WithIssuerTemplates(nil)); return err }},
		{"WithIssuerTemplates with the zero value", func() error { _, err := New(ok, WithIssuerTemplates(&IssuerTemplate{})); return err }},
		{"WithIssuerTemplates on the JWT verifier", func() error {
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Template: tmpl}}, WithStaticKeys(tmpl.String(), jwks), WithIssuerTemplates(tmpl))
			return err
		}},
		{"Issuer differs from the template", func() error {
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: "https://login.microsoftonline.com/common/v2.0", Template: tmpl}}, WithStaticKeys(tmpl.String(), jwks))
			return err
		}},
		{"template listed twice", func() error {
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Template: tmpl}, {Template: mustTemplate(t, entraV2Template, tenantA)}}, WithStaticKeys(tmpl.String(), jwks))
			return err
		}},
		{"template without keys", func() error {
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Template: tmpl}})
			return err
		}},
		{"template with an http JWKS URI off loopback", func() error {
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Template: tmpl, JWKSURI: "http://login.microsoftonline.com/common/discovery/v2.0/keys"}})
			return err
		}},
		{"zero template in a TrustedIssuer", func() error {
			_, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Template: &IssuerTemplate{}}}, WithStaticKeys("", jwks))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.err(); !errors.Is(err, ErrMisconfigured) {
				t.Fatalf("got %v, want ErrMisconfigured", err)
			}
		})
	}
}

// FuzzIssuerTemplateMatch checks Match's contract on arbitrary issuers and
// tid values: a match is the template with a canonical GUID in the
// placeholder's place, equal to the tid.
func FuzzIssuerTemplateMatch(f *testing.F) {
	tmpl := mustTemplate(f, entraV2Template)
	f.Add("https://login.microsoftonline.com/"+tenantA+"/v2.0", tenantA)
	f.Add("https://login.microsoftonline.com/../"+tenantA[3:]+"/v2.0", "../"+tenantA[3:])
	f.Add(entraV2Template, TenantPlaceholder)
	f.Fuzz(func(t *testing.T, issuer, tid string) {
		tenant, ok := tmpl.Match(issuer, map[string]any{"tid": tid})
		if !ok {
			return
		}
		if tenant != tid || !isTenantID(tenant) || issuer != "https://login.microsoftonline.com/"+tenant+"/v2.0" {
			t.Fatalf("Match(%q, %q) = %q: not the template with a canonical GUID", issuer, tid, tenant)
		}
	})
}

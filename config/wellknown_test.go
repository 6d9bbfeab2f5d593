package config

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestWellKnownURLs(t *testing.T) {
	const (
		oauthRoot  = "https://a.com/.well-known/oauth-authorization-server"
		oidcRoot   = "https://a.com/.well-known/openid-configuration"
		oauthPath  = "https://a.com/.well-known/oauth-authorization-server/tenant"
		oidcInsert = "https://a.com/.well-known/openid-configuration/tenant"
		oidcAppend = "https://a.com/tenant/.well-known/openid-configuration"
	)
	tests := []struct {
		issuer string
		typ    ServerType
		want   []string
	}{
		{"https://a.com", OAuth, []string{oauthRoot}},
		{"https://a.com/", OAuth, []string{oauthRoot}},
		{"https://a.com/tenant", OAuth, []string{oauthPath}},
		{"https://a.com/tenant/", OAuth, []string{oauthPath}},
		{"https://a.com", OIDC, []string{oidcRoot}},
		{"https://a.com/", OIDC, []string{oidcRoot}},
		{"https://a.com/tenant", OIDC, []string{oidcAppend}},
		{"https://a.com/tenant/", OIDC, []string{oidcAppend}},
		{"https://a.com", Auto, []string{oauthRoot, oidcRoot}},
		{"https://a.com/", Auto, []string{oauthRoot, oidcRoot}},
		{"https://a.com/tenant", Auto, []string{oauthPath, oidcInsert, oidcAppend}},
		{"https://a.com/tenant/", Auto, []string{oauthPath, oidcInsert, oidcAppend}},
		// Deeper paths, ports, escaping and scheme case.
		{"https://a.com/realms/x", OAuth, []string{"https://a.com/.well-known/oauth-authorization-server/realms/x"}},
		{"https://a.com:8443/realms/x", OIDC, []string{"https://a.com:8443/realms/x/.well-known/openid-configuration"}},
		{"https://a.com/t%2Fx", OAuth, []string{"https://a.com/.well-known/oauth-authorization-server/t%2Fx"}},
		{"HTTPS://a.com/t", OAuth, []string{"https://a.com/.well-known/oauth-authorization-server/t"}},
		{"https://a.com//", OAuth, []string{oauthRoot}},
		{"http://127.0.0.1:8080/oidc", OIDC, []string{"http://127.0.0.1:8080/oidc/.well-known/openid-configuration"}},
		{"https://[::1]:9000", OAuth, []string{"https://[::1]:9000/.well-known/oauth-authorization-server"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.name()+" "+tt.issuer, func(t *testing.T) {
			got, err := WellKnownURLs(tt.issuer, tt.typ)
			if err != nil {
				t.Fatalf("WellKnownURLs: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestWellKnownURLsRejects(t *testing.T) {
	tests := []struct {
		name, issuer string
		typ          ServerType
	}{
		{"empty", "", OAuth},
		{"relative", "/tenant", OAuth},
		{"no host", "https:///tenant", OAuth},
		{"opaque", "https:a.com", OAuth},
		{"other scheme", "ftp://a.com", OAuth},
		{"query", "https://a.com/t?x=1", OAuth},
		{"empty query", "https://a.com/t?", OIDC},
		{"fragment", "https://a.com/t#f", OAuth},
		{"empty fragment", "https://a.com/t#", OAuth},
		{"userinfo", "https://u:p@a.com/t", Auto},
		{"bad escape", "https://a.com/%zz", OAuth},
		{"unknown type", "https://a.com", ServerType("saml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WellKnownURLs(tt.issuer, tt.typ)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("WellKnownURLs(%q) = %q, %v; want ErrInvalidConfig", tt.issuer, got, err)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Errorf("message repeats the password: %v", err)
			}
		})
	}
}

func FuzzWellKnownURLs(f *testing.F) {
	for _, s := range []string{
		"https://a.com", "https://a.com/", "https://a.com/tenant/", "http://127.0.0.1:1/x/y",
		"https://[::1]/a%2Fb", "https://a.com//", "https://a.com/t?x", "https://a.com/%zz",
		"https://a.com/.well-known/openid-configuration",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, issuer string) {
		for _, typ := range []ServerType{OAuth, OIDC, Auto} {
			urls, err := WellKnownURLs(issuer, typ)
			if err != nil {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("error %v does not match ErrInvalidConfig", err)
				}
				continue
			}
			iu, _ := url.Parse(issuer)
			want := map[ServerType]int{OAuth: 1, OIDC: 1}[typ]
			if typ == Auto {
				want = 2
				if strings.TrimRight(iu.EscapedPath(), "/") != "" {
					want = 3
				}
			}
			if len(urls) != want {
				t.Fatalf("%s %q: %d URLs, want %d", typ.name(), issuer, len(urls), want)
			}
			for _, raw := range urls {
				u, err := url.Parse(raw)
				if err != nil {
					t.Fatalf("%q gave unparsable URL %q: %v", issuer, raw, err)
				}
				if u.Scheme != iu.Scheme || u.Host != iu.Host || u.RawQuery != "" || u.Fragment != "" {
					t.Fatalf("%q gave %q: origin changed or query/fragment added", issuer, raw)
				}
				if !strings.Contains(raw, "/.well-known/") {
					t.Fatalf("%q gave %q without a well-known path", issuer, raw)
				}
			}
			// The rule is its own inverse: the trailing-slash variant of an
			// issuer leads to the same URLs.
			again, err := WellKnownURLs(issuer+"/", typ)
			if err != nil || !slices.Equal(again, urls) {
				t.Fatalf("%q/ gave %q, %v; want %q", issuer, again, err, urls)
			}
		}
	})
}

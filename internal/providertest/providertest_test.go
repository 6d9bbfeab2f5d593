package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// TestFixtures starts every recorded provider and checks what the tests
// of the library rely on: each document is served at its documented path
// on its host's server, with every origin rewritten and the issuer's path
// kept byte for byte; the key set is published at every key URL; each
// token template mints a token that the published keys verify, in the
// provider's algorithm, with the template's header members.
func TestFixtures(t *testing.T) {
	names, err := Names()
	if err != nil || len(names) == 0 {
		t.Fatalf("Names() = %v, %v", names, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p := Start(t, name)
			fx := p.fx
			documented, _ := url.Parse(fx.Issuer)
			got, _ := url.Parse(p.Issuer)
			if got.Path != documented.Path || got.Scheme != "http" || !strings.HasPrefix(got.Host, "127.0.0.1:") {
				t.Fatalf("issuer %q: the path of %q must be kept on a loopback server", p.Issuer, fx.Issuer)
			}
			for u := range fx.Documents {
				doc := getJSON(t, p.URL(u))
				for _, origin := range fx.Hosts {
					if strings.Contains(string(doc), origin) {
						t.Errorf("%s still names %s", u, origin)
					}
				}
			}
			for _, u := range fx.Keys.URLs {
				set, err := jwk.Parse(getJSON(t, p.URL(u)))
				if err != nil || set.Len() != 1 {
					t.Fatalf("key set at %s: %v (%d keys)", u, err, set.Len())
				}
			}
			keys, err := jwk.Parse(p.JWKS())
			if err != nil {
				t.Fatal(err)
			}
			for tokenName, file := range fx.Tokens {
				var tmpl tokenTemplate
				raw, _ := readFile(name, file)
				if err := json.Unmarshal(raw, &tmpl); err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				token := p.Token(t, tokenName, nil)
				msg, err := jws.Parse([]byte(token))
				if err != nil {
					t.Fatalf("%s: %v", tokenName, err)
				}
				hdr := msg.Signatures()[0].ProtectedHeaders()
				if alg, _ := hdr.Algorithm(); alg.String() != fx.Keys.Alg {
					t.Errorf("%s: alg %v, want %s", tokenName, alg, fx.Keys.Alg)
				}
				for k, want := range tmpl.Header {
					var got any
					if err := hdr.Get(k, &got); err != nil || got != want {
						t.Errorf("%s: header %q = %v, want %v", tokenName, k, got, want)
					}
				}
				if _, present := tmpl.Header["typ"]; !present && hdr.Has("typ") {
					t.Errorf("%s: a typ the provider does not send", tokenName)
				}
				payload, err := jws.Verify([]byte(token), jws.WithKeySet(keys, jws.WithRequireKid(true), jws.WithInferAlgorithmFromKey(true)))
				if err != nil {
					t.Fatalf("%s: the published keys do not verify it: %v", tokenName, err)
				}
				var claims map[string]any
				_ = json.Unmarshal(payload, &claims)
				if iss, ok := claims["iss"].(string); !ok || iss != p.Issuer && !strings.HasPrefix(iss, "http://127.0.0.1:") {
					t.Errorf("%s: iss %v not rewritten", tokenName, claims["iss"])
				}
				if forged := p.ForgedToken(t, tokenName, nil); forged != "" {
					if _, err := jws.Verify([]byte(forged), jws.WithKeySet(keys, jws.WithInferAlgorithmFromKey(true))); err == nil {
						t.Errorf("%s: a forged token verifies", tokenName)
					}
				}
			}
		})
	}
}

func TestUnknownPathsAndUserinfo(t *testing.T) {
	p := Start(t, "logto")
	resp, err := http.Get(p.Issuer + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an undocumented document: status %d, want 404", resp.StatusCode)
	}
	token := p.OpaqueToken(t, map[string]any{"sub": "u1", "username": "alice"})
	for _, tc := range []struct {
		token  string
		status int
	}{{token, http.StatusOK}, {"unknown", http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodGet, p.URL("https://tenant-id.logto.app/oidc/me"), nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("userinfo with %q: status %d, want %d", tc.token, resp.StatusCode, tc.status)
		}
	}
}

func getJSON(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !json.Valid(body) {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return body
}

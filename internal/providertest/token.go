package providertest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// TokenLifetime is the lifetime of the tokens [Provider.Token] mints.
const TokenLifetime = time.Hour

// newKey generates a signing key of the type alg needs.
func newKey(alg string) (crypto.Signer, error) {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	}
	return nil, fmt.Errorf("no key type for algorithm %q", alg)
}

// publicJWKS returns the JWK Set of key's public half, with kid and the
// further members of extra.
func publicJWKS(key crypto.Signer, kid string, extra map[string]any) ([]byte, error) {
	pub, err := jwk.Import(key.Public())
	if err != nil {
		return nil, err
	}
	if err := pub.Set(jwk.KeyIDKey, kid); err != nil {
		return nil, err
	}
	for k, v := range extra {
		if err := pub.Set(k, v); err != nil {
			return nil, fmt.Errorf("JWK member %q: %w", k, err)
		}
	}
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		return nil, err
	}
	return json.Marshal(set)
}

// Claims returns the claims of the token template name, with the origins
// rewritten and the times ("iat", "nbf", "auth_time", "exp", where the
// template has them) set for a token issued now.
func (p *Provider) Claims(t testing.TB, name string) map[string]any {
	t.Helper()
	return p.template(t, name).Claims
}

// template reads and rewrites the token template name.
func (p *Provider) template(t testing.TB, name string) tokenTemplate {
	t.Helper()
	file, ok := p.fx.Tokens[name]
	if !ok {
		t.Fatalf("providertest: %s has no token %q", p.Name, name)
	}
	raw, err := readFile(p.Name, file)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl tokenTemplate
	if err := json.Unmarshal([]byte(p.URL(string(raw))), &tmpl); err != nil {
		t.Fatalf("providertest: %s/%s: %v", p.Name, file, err)
	}
	now := time.Now().Truncate(time.Second)
	for claim, at := range map[string]time.Time{"iat": now, "nbf": now, "auth_time": now, "exp": now.Add(TokenLifetime)} {
		if _, present := tmpl.Claims[claim]; present {
			tmpl.Claims[claim] = at.Unix()
		}
	}
	return tmpl
}

// Token mints the token template name, in the provider's shape: the
// template's header members, with "alg" and "kid" of the provider's key;
// the template's claims as [Provider.Claims] gives them, then changed by
// edit (which may be nil). The token is signed with the provider's key,
// whose public half the fixture's key set URLs publish.
func (p *Provider) Token(t testing.TB, name string, edit func(claims map[string]any)) string {
	t.Helper()
	tmpl := p.template(t, name)
	if edit != nil {
		edit(tmpl.Claims)
	}
	return p.sign(t, p.key, tmpl.Header, tmpl.Claims)
}

// ForgedToken is [Provider.Token] signed with a key the provider never
// published, under the provider's key ID.
func (p *Provider) ForgedToken(t testing.TB, name string, edit func(claims map[string]any)) string {
	t.Helper()
	key, err := newKey(p.fx.Keys.Alg)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := p.template(t, name)
	if edit != nil {
		edit(tmpl.Claims)
	}
	return p.sign(t, key, tmpl.Header, tmpl.Claims)
}

// sign signs claims as a compact JWS with key.
func (p *Provider) sign(t testing.TB, key crypto.Signer, header, claims map[string]any) string {
	t.Helper()
	alg, ok := jwa.LookupSignatureAlgorithm(p.fx.Keys.Alg)
	if !ok {
		t.Fatalf("providertest: unknown algorithm %q", p.fx.Keys.Alg)
	}
	hdrs := jws.NewHeaders()
	for k, v := range header {
		if err := hdrs.Set(k, v); err != nil {
			t.Fatalf("providertest: header %q: %v", k, err)
		}
	}
	if err := hdrs.Set(jws.KeyIDKey, p.fx.Keys.KID); err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		t.Fatalf("providertest: signing a %s token: %v", p.Name, err)
	}
	return string(signed)
}

package bearer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/bearer"
)

// The attack corpus: every case is one attack on the bearer layer, run
// through the whole stack (a JWT verifier whose keys come from a JWK Set
// served on loopback, the bearer middleware configured as an MCP server
// configures it, and a handler that records whether it was reached). Each
// refused case asserts the status, the exact "error" of the challenge (or
// its absence), resource_metadata, that the handler was not called, that
// nothing of the token comes back, that the JWK Set was fetched at most
// once more than the constructor's fetch, and that no URL the attacker
// named (jku, x5u) was ever requested. Positive controls (a valid token,
// "bearer" in lower case, ...) show that the table can fail.

const (
	atkIssuer      = "https://auth.example.com"
	atkResource    = "https://mcp.example.com/mcp"
	atkMetadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	atkClientID    = "client-7c1d"
	atkSubject     = "atk-subject-Q7x9"
	atkJTI         = "atk-jti-Zr4mW2"
)

// atkKey is a signing key of the test: the provider's or the attacker's.
type atkKey struct {
	kid  string
	priv crypto.Signer
}

// atkFixture holds what every case may need.
type atkFixture struct {
	k1, r1 *atkKey // the provider's keys, published in the JWK Set
	k0     *atkKey // a provider key rotated out: not in the JWK Set
	evil   *atkKey // the attacker's key
	// evilCert is a self-signed certificate for evil's key (x5c).
	evilCert []byte
	// attackerURL serves the attacker's JWK Set and certificate.
	attackerURL string
	now         time.Time
}

func atkB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func atkJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// atkSig signs input with key the way "how" says (ES256, ES384-shaped P-256
// is not needed: the key's curve decides the size), RS256, PS256 or EdDSA.
func atkSig(t testing.TB, key crypto.Signer, how string, input []byte) []byte {
	t.Helper()
	switch how {
	case "ES256":
		d := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), d[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	case "RS256":
		d := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	case "PS256":
		d := sha256.Sum256(input)
		sig, err := rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			t.Fatal(err)
		}
		return sig
	case "EdDSA":
		return ed25519.Sign(key.(ed25519.PrivateKey), input)
	}
	t.Fatalf("atkSig: unknown %q", how)
	return nil
}

// atkRaw builds a compact JWS from raw header and claims JSON, signed as
// "how" says.
func atkRaw(t testing.TB, hdr, claims []byte, key crypto.Signer, how string) string {
	t.Helper()
	input := atkB64(hdr) + "." + atkB64(claims)
	return input + "." + atkB64(atkSig(t, key, how, []byte(input)))
}

// atkHMAC builds a compact JWS whose signature is HMAC-SHA256 under secret.
func atkHMAC(hdr, claims, secret []byte) string {
	input := atkB64(hdr) + "." + atkB64(claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + atkB64(m.Sum(nil))
}

// claims returns the claims of a valid access token, with changes applied
// (a nil value deletes the claim).
func (f *atkFixture) claims(changes map[string]any) map[string]any {
	c := map[string]any{
		"iss":       atkIssuer,
		"sub":       atkSubject,
		"aud":       atkResource,
		"exp":       f.now.Add(time.Hour).Unix(),
		"iat":       f.now.Add(-time.Minute).Unix(),
		"scope":     "mcp:read",
		"client_id": atkClientID,
		"jti":       atkJTI,
	}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// es256 mints a token signed by k (ES256) with the header {alg, kid} plus
// extra (a nil value deletes the member).
func (f *atkFixture) es256(t testing.TB, k *atkKey, extra map[string]any, claims map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": "ES256", "kid": k.kid, "typ": "at+jwt"}
	for name, v := range extra {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	return atkRaw(t, atkJSON(t, h), atkJSON(t, claims), k.priv, "ES256")
}

// valid is a valid access token signed by k1.
func (f *atkFixture) valid(t testing.TB) string { return f.es256(t, f.k1, nil, f.claims(nil)) }

func atkJWK(t testing.TB, k *atkKey, alg string) map[string]any {
	t.Helper()
	switch pub := k.priv.Public().(type) {
	case *ecdsa.PublicKey:
		b, err := pub.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		n := (len(b) - 1) / 2
		return map[string]any{"kty": "EC", "crv": "P-256", "kid": k.kid, "alg": alg, "use": "sig",
			"x": atkB64(b[1 : 1+n]), "y": atkB64(b[1+n:])}
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "kid": k.kid, "alg": alg, "use": "sig",
			"n": atkB64(pub.N.Bytes()), "e": atkB64(big.NewInt(int64(pub.E)).Bytes())}
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": k.kid, "alg": alg, "use": "sig", "x": atkB64(pub)}
	}
	t.Fatalf("atkJWK: unsupported key %T", k.priv)
	return nil
}

// atkCounter is a loopback server that counts its requests and serves body.
type atkCounter struct {
	*httptest.Server
	hits atomic.Int64
}

func newAtkCounter(t testing.TB, contentType string, body []byte) *atkCounter {
	t.Helper()
	c := &atkCounter{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	t.Cleanup(c.Close)
	return c
}

func newAtkECKey(t testing.TB, kid string) *atkKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &atkKey{kid: kid, priv: k}
}

// newAtkFixture generates the keys, the attacker's server and its
// certificate, and returns the provider's JWK Set server.
func newAtkFixture(t *testing.T) (*atkFixture, *atkCounter, *atkCounter) {
	t.Helper()
	f := &atkFixture{now: time.Now()}
	f.k1, f.k0, f.evil = newAtkECKey(t, "k1"), newAtkECKey(t, "k0"), newAtkECKey(t, "evil")
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f.r1 = &atkKey{kid: "r1", priv: rk}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "auth.example.com"},
		NotBefore: f.now.Add(-time.Hour), NotAfter: f.now.Add(time.Hour)}
	f.evilCert, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, f.evil.priv.Public(), f.evil.priv)
	if err != nil {
		t.Fatal(err)
	}
	jwks := newAtkCounter(t, "application/json", atkJSON(t, map[string]any{"keys": []any{
		atkJWK(t, f.k1, "ES256"), atkJWK(t, f.r1, "RS256")}}))
	attacker := newAtkCounter(t, "application/json", atkJSON(t, map[string]any{"keys": []any{atkJWK(t, f.evil, "ES256")}}))
	f.attackerURL = attacker.URL
	return f, jwks, attacker
}

// atkStack is the system under attack for one case.
type atkStack struct {
	handler http.Handler
	called  *atomic.Bool
}

func newAtkStack(t *testing.T, jwksURL string, v bearer.Verifier, opts ...bearer.Option) atkStack {
	t.Helper()
	if v == nil {
		jv, err := bearer.NewJWTVerifier(t.Context(), []bearer.TrustedIssuer{{Issuer: atkIssuer, JWKSURI: jwksURL}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jv.Close() })
		v = jv
	}
	a, err := bearer.New(v, append([]bearer.Option{bearer.WithAudience(atkResource), bearer.WithIssuers(atkIssuer),
		bearer.WithResourceMetadataURL(atkMetadataURL), bearer.WithRequiredScopes("mcp:read")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	called := new(atomic.Bool)
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called.Store(true)
		_, _ = w.Write([]byte("protected"))
	}))
	return atkStack{handler: h, called: called}
}

// atkReq is a GET /mcp with the given Authorization header values.
func atkReq(auth ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://mcp.example.com/mcp", nil)
	if len(auth) > 0 {
		r.Header["Authorization"] = auth
	}
	return r
}

// atkTruncate removes the last character of part p (0 header, 1 payload,
// 2 signature) of token.
func atkTruncate(token string, p int) string {
	parts := strings.Split(token, ".")
	parts[p] = parts[p][:len(parts[p])-1]
	return strings.Join(parts, ".")
}

func atkEditPart(token string, p int, edit func(string) string) string {
	parts := strings.Split(token, ".")
	parts[p] = edit(parts[p])
	return strings.Join(parts, ".")
}

type attack struct {
	name string
	// token is sent as "Authorization: Bearer <token>"; req, when set,
	// builds the whole request instead.
	token func(t *testing.T, f *atkFixture) string
	req   func(t *testing.T, f *atkFixture) *http.Request
	// status is the expected status; 200 marks a positive control.
	status int
	// errAttr is the challenge's expected "error" attribute; "" means
	// none at all.
	errAttr string
}

// attacks is the corpus. Outcomes marked "(control)" are accepted on
// purpose.
var attacks = []attack{
	// Positive controls.
	{name: "control: valid ES256 token", status: 200,
		token: func(t *testing.T, f *atkFixture) string { return f.valid(t) }},
	{name: "control: valid RS256 token", status: 200,
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, atkJSON(t, map[string]any{"alg": "RS256", "kid": "r1"}), atkJSON(t, f.claims(nil)), f.r1.priv, "RS256")
		}},
	{name: "control: exp 30 s ago, within the 60 s leeway", status: 200,
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"exp": f.now.Add(-30 * time.Second).Unix()}))
		}},
	{name: "control: exp far in the future (year 2200) is accepted", status: 200,
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"exp": 7258118400}))
		}},
	{name: "control: duplicate aud signed by the issuer, ours last (last member wins)", status: 200,
		token: func(t *testing.T, f *atkFixture) string {
			c := fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":"https://other.example.com","aud":%q,"exp":%d,"scope":"mcp:read"}`,
				atkIssuer, atkSubject, atkResource, f.now.Add(time.Hour).Unix())
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1"}`), []byte(c), f.k1.priv, "ES256")
		}},
	{name: "control: lowercase bearer scheme", status: 200,
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("bearer " + f.valid(t)) }},
	{name: "control: two spaces after Bearer (RFC 7235 1*SP)", status: 200,
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearer  " + f.valid(t)) }},

	// alg none, every spelling, with and without a signature.
	{name: "alg none, empty signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "none", false) }},
	{name: "alg None, empty signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "None", false) }},
	{name: "alg NONE, empty signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "NONE", false) }},
	{name: "alg nOnE, empty signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "nOnE", false) }},
	{name: "alg none with a valid provider signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "none", true) }},
	{name: "alg None with a valid provider signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "None", true) }},
	{name: "alg NONE with a valid provider signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "NONE", true) }},
	{name: "alg nOnE with a valid provider signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkNone(t, f, "nOnE", true) }},
	{name: "valid token with the signature removed", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			v := f.valid(t)
			return v[:strings.LastIndexByte(v, '.')+1]
		}},

	// Algorithm confusion and the allow-list.
	{name: "HS256 keyed with the provider's EC public key (PEM)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkConfusion(t, f, f.k1, true) }},
	{name: "HS256 keyed with the provider's EC public key (DER)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkConfusion(t, f, f.k1, false) }},
	{name: "HS256 keyed with the provider's RSA public key (PEM)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkConfusion(t, f, f.r1, true) }},
	{name: "HS256 keyed with the provider's RSA public key (DER)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkConfusion(t, f, f.r1, false) }},
	{name: "alg ES256K (not allowed)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"alg": "ES256K"}, f.claims(nil))
		}},
	{name: "alg RS1 (not allowed)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, atkJSON(t, map[string]any{"alg": "RS1", "kid": "r1"}), atkJSON(t, f.claims(nil)), f.r1.priv, "RS256")
		}},
	{name: "alg es256 (case-folded name)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"alg": "es256"}, f.claims(nil))
		}},
	{name: "alg missing", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"alg": nil}, f.claims(nil))
		}},
	{name: "alg as a JSON array", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"alg": []string{"ES256"}}, f.claims(nil))
		}},
	{name: "PS256 signed with the RSA key whose JWK says alg RS256", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, atkJSON(t, map[string]any{"alg": "PS256", "kid": "r1"}), atkJSON(t, f.claims(nil)), f.r1.priv, "PS256")
		}},
	{name: "ES384 header on the P-256 key whose JWK says ES256", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"alg": "ES384"}, f.claims(nil))
		}},

	// kid games, all signed by the attacker.
	{name: "kid unknown", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": "nope"}, f.claims(nil))
		}},
	{name: "kid empty", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": ""}, f.claims(nil))
		}},
	{name: "kid absent", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": nil}, f.claims(nil))
		}},
	{name: "kid 10 KB long", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": strings.Repeat("k", 10<<10)}, f.claims(nil))
		}},
	{name: "kid path-like ../../etc/passwd", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": "../../etc/passwd"}, f.claims(nil))
		}},
	{name: "kid SQL-ish", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": "k1' OR '1'='1' --"}, f.claims(nil))
		}},
	{name: "kid of the provider's key, signed by the attacker", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"kid": "k1"}, f.claims(nil))
		}},
	{name: "signed by a rotated-out key (kid k0)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return f.es256(t, f.k0, nil, f.claims(nil)) }},
	{name: "signed by a rotated-out key claiming kid k1", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k0, map[string]any{"kid": "k1"}, f.claims(nil))
		}},

	// Keys named by the token itself: refused and never fetched.
	{name: "jku pointing at the attacker's JWK Set", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"jku": f.attackerURL + "/jwks.json"}, f.claims(nil))
		}},
	{name: "jku with the provider's kid", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"jku": f.attackerURL + "/jwks.json", "kid": "k1"}, f.claims(nil))
		}},
	{name: "x5u pointing at the attacker's certificate", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"x5u": f.attackerURL + "/cert.pem"}, f.claims(nil))
		}},
	{name: "x5c embedding the attacker's certificate", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(f.evilCert)}}, f.claims(nil))
		}},
	{name: "jwk embedding the attacker's key", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.evil, map[string]any{"jwk": atkJWK(t, f.evil, "ES256")}, f.claims(nil))
		}},
	{name: "jwk embedding the attacker's key under the provider's kid", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			j := atkJWK(t, f.evil, "ES256")
			j["kid"] = "k1"
			return f.es256(t, f.evil, map[string]any{"jwk": j, "kid": "k1"}, f.claims(nil))
		}},
	{name: "crit with an unknown extension (provider-signed)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"crit": []string{"x-unknown"}, "x-unknown": true}, f.claims(nil))
		}},

	// Issuer.
	{name: "iss of another issuer (provider-signed)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"iss": "https://evil.example.com"}))
		}},
	{name: "iss with a trailing slash", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"iss": atkIssuer + "/"}))
		}},
	{name: "iss missing", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"iss": nil}))
		}},
	{name: "iss as an array", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"iss": []string{atkIssuer}}))
		}},
	{name: "iss as a number", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"iss": 42}))
		}},

	// Audience.
	{name: "aud of another resource", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"aud": "https://other.example.com/mcp"}))
		}},
	{name: "aud missing", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"aud": nil}))
		}},
	{name: "aud empty array", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"aud": []string{}}))
		}},
	{name: "aud array without ours", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"aud": []string{"https://a.example.com", atkResource + "/"}}))
		}},
	{name: "ID token presented as an access token (aud = client id)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, map[string]any{"typ": "JWT"}, f.claims(map[string]any{
				"aud": atkClientID, "azp": atkClientID, "nonce": "n-0S6_WzA2Mj", "client_id": nil}))
		}},

	// Times.
	{name: "exp missing", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"exp": nil}))
		}},
	{name: "exp 10 minutes ago (beyond leeway)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"exp": f.now.Add(-10 * time.Minute).Unix()}))
		}},
	{name: "exp as a string", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"exp": fmt.Sprint(f.now.Add(time.Hour).Unix())}))
		}},
	{name: "nbf 10 minutes ahead (beyond leeway)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"nbf": f.now.Add(10 * time.Minute).Unix()}))
		}},
	{name: "iat 10 minutes ahead (beyond leeway)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"iat": f.now.Add(10 * time.Minute).Unix()}))
		}},
	{name: "sub missing", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"sub": nil}))
		}},
	{name: "valid token without the required scope", status: 403, errAttr: "insufficient_scope",
		token: func(t *testing.T, f *atkFixture) string {
			return f.es256(t, f.k1, nil, f.claims(map[string]any{"scope": "mcp:other"}))
		}},

	// Size.
	{name: "token of 1 MiB", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			v := f.valid(t)
			return v + strings.Repeat("A", 1<<20-len(v))
		}},
	{name: "signed token just over the default max length", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { _, over := atkSizedTokens(t, f); return over }},
	{name: "control: signed token at most the default max length", status: 200,
		token: func(t *testing.T, f *atkFixture) string { under, _ := atkSizedTokens(t, f); return under }},

	// Encoding.
	{name: "truncated header", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkTruncate(f.valid(t), 0) }},
	{name: "truncated payload", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkTruncate(f.valid(t), 1) }},
	{name: "truncated signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return atkTruncate(f.valid(t), 2) }},
	{name: "padded header (= inside the token)", status: 400, errAttr: "invalid_request",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 0, func(s string) string { return s + "==" })
		}},
	{name: "padded payload (= inside the token)", status: 400, errAttr: "invalid_request",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 1, func(s string) string { return s + "=" })
		}},
	{name: "padded signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 2, func(s string) string { return s + "==" })
		}},
	{name: "standard base64 '+' in the payload", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 1, func(s string) string { return s[:4] + "+" + s[5:] })
		}},
	{name: "standard base64 '/' in the signature", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 2, func(s string) string { return s[:4] + "/" + s[5:] })
		}},
	{name: "non-base64 character '$' in the payload", status: 400, errAttr: "invalid_request",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 1, func(s string) string { return s[:4] + "$" + s[5:] })
		}},
	{name: "percent-encoded dot", status: 400, errAttr: "invalid_request",
		token: func(t *testing.T, f *atkFixture) string { return strings.Replace(f.valid(t), ".", "%2E", 1) }},
	{name: "space inside the token", status: 400, errAttr: "invalid_request",
		token: func(t *testing.T, f *atkFixture) string { return strings.Replace(f.valid(t), ".", ". ", 1) }},
	{name: "tab inside the token", status: 400, errAttr: "invalid_request",
		token: func(t *testing.T, f *atkFixture) string { return strings.Replace(f.valid(t), ".", ".\t", 1) }},
	{name: "trailing dot", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return f.valid(t) + "." }},
	{name: "extra segment", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string { return f.valid(t) + ".AAAA" }},
	{name: "JWE (five segments)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkB64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"k1"}`)) + ".AAAA.AAAA.AAAA.AAAA"
		}},
	{name: "nested JWT (cty JWT, provider-signed)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			inner := f.valid(t)
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1","cty":"JWT"}`), []byte(inner), f.k1.priv, "ES256")
		}},
	{name: "nested JWT without cty (payload is not JSON)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1"}`), []byte(f.valid(t)), f.k1.priv, "ES256")
		}},

	// Duplicate JSON members: the last one counts (RFC 7515 section 4,
	// RFC 7519 section 4), and only the issuer can sign them.
	{name: "duplicate alg, none last (provider-signed)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1","alg":"none"}`), atkJSON(t, f.claims(nil)), f.k1.priv, "ES256")
		}},
	{name: "duplicate alg, ES256 last, attacker-signed", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, []byte(`{"alg":"none","kid":"k1","alg":"ES256"}`), atkJSON(t, f.claims(nil)), f.evil.priv, "ES256")
		}},
	{name: "duplicate alg, HS256 last, keyed with the public key", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkHMAC([]byte(`{"alg":"ES256","kid":"k1","alg":"HS256"}`), atkJSON(t, f.claims(nil)), atkPublicDER(t, f.k1))
		}},
	{name: "duplicate aud appended to a valid token's payload", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkEditPart(f.valid(t), 1, func(s string) string {
				b, _ := base64.RawURLEncoding.DecodeString(s)
				b = append(b[:len(b)-1], `,"aud":"https://mcp.example.com/mcp"}`...)
				return atkB64(b)
			})
		}},
	{name: "duplicate aud signed by the issuer, ours first (last wins)", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			c := fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"aud":"https://other.example.com","exp":%d,"scope":"mcp:read"}`,
				atkIssuer, atkSubject, atkResource, f.now.Add(time.Hour).Unix())
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1"}`), []byte(c), f.k1.priv, "ES256")
		}},
	{name: "duplicate iss signed by the issuer, foreign last", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			c := fmt.Sprintf(`{"iss":%q,"iss":"https://evil.example.com","sub":%q,"aud":%q,"exp":%d,"scope":"mcp:read"}`,
				atkIssuer, atkSubject, atkResource, f.now.Add(time.Hour).Unix())
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1"}`), []byte(c), f.k1.priv, "ES256")
		}},
	{name: "claims that are not an object", status: 401, errAttr: "invalid_token",
		token: func(t *testing.T, f *atkFixture) string {
			return atkRaw(t, []byte(`{"alg":"ES256","kid":"k1"}`), []byte(`["iss"]`), f.k1.priv, "ES256")
		}},

	// The Authorization header itself.
	{name: "no Authorization header", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq() }},
	{name: "two Authorization headers", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request {
			return atkReq("Bearer "+f.valid(t), "Bearer "+f.valid(t))
		}},
	{name: "Bearer followed by a tab", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearer\t" + f.valid(t)) }},
	{name: "trailing space after the token", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearer " + f.valid(t) + " ") }},
	{name: "non-ASCII in the token", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearer " + f.valid(t) + "é") }},
	{name: "non-ASCII scheme (Bearér)", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearér " + f.valid(t)) }},
	{name: "control character in the token", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearer " + f.valid(t) + "\x01") }},
	{name: "NUL in the token", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request {
			return atkReq("Bearer " + strings.Replace(f.valid(t), ".", ".\x00", 1))
		}},
	{name: "CR LF in the token", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request {
			return atkReq("Bearer " + strings.Replace(f.valid(t), ".", ".\r\n", 1))
		}},
	{name: "two tokens after Bearer", status: 400, errAttr: "invalid_request",
		req: func(t *testing.T, f *atkFixture) *http.Request {
			return atkReq("Bearer " + f.valid(t) + " " + f.valid(t))
		}},
	{name: "Bearer with no token", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request { return atkReq("Bearer") }},
	{name: "Basic credentials", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request {
			return atkReq("Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+f.valid(t))))
		}},
	{name: "token in the access_token query parameter", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request {
			return httptest.NewRequest(http.MethodGet, "https://mcp.example.com/mcp?access_token="+f.valid(t), nil)
		}},
	{name: "token in a form body", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", strings.NewReader("access_token="+f.valid(t)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
	{name: "token in a cookie", status: 401,
		req: func(t *testing.T, f *atkFixture) *http.Request {
			r := atkReq()
			r.Header.Set("Cookie", "access_token="+f.valid(t))
			return r
		}},
}

// atkNone is a token with alg set to none (in some spelling), with no
// signature or with the provider's valid ES256 signature.
func atkNone(t *testing.T, f *atkFixture, alg string, signed bool) string {
	hdr := atkJSON(t, map[string]any{"alg": alg, "kid": "k1"})
	if signed {
		return atkRaw(t, hdr, atkJSON(t, f.claims(nil)), f.k1.priv, "ES256")
	}
	return atkB64(hdr) + "." + atkB64(atkJSON(t, f.claims(nil))) + "."
}

func atkPublicDER(t *testing.T, k *atkKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// atkConfusion is the classic: HS256 with the provider's public key as the
// HMAC secret, under the provider's kid.
func atkConfusion(t *testing.T, f *atkFixture, k *atkKey, asPEM bool) string {
	secret := atkPublicDER(t, k)
	if asPEM {
		secret = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: secret})
	}
	return atkHMAC(atkJSON(t, map[string]any{"alg": "HS256", "kid": k.kid, "typ": "JWT"}), atkJSON(t, f.claims(nil)), secret)
}

// atkSizedTokens returns two valid provider-signed tokens padded with a
// claim: the longest at most bearer.DefaultMaxTokenLength bytes and the
// shortest over it.
func atkSizedTokens(t *testing.T, f *atkFixture) (under, over string) {
	base := len(f.valid(t))
	for pad := (bearer.DefaultMaxTokenLength-base)*3/4 - 64; pad < bearer.DefaultMaxTokenLength; pad++ {
		tok := f.es256(t, f.k1, nil, f.claims(map[string]any{"pad": strings.Repeat("p", pad)}))
		if len(tok) > bearer.DefaultMaxTokenLength {
			if under == "" {
				t.Fatal("atkSizedTokens: started over the limit")
			}
			return under, tok
		}
		under = tok
	}
	t.Fatal("atkSizedTokens: never went over the limit")
	return "", ""
}

// atkSecrets lists what must never come back: every credential-bearing
// field of r, cut into its parts, and the subject and token id.
func atkSecrets(r *http.Request, body string) []string {
	out := []string{atkSubject, atkJTI}
	var raw []string
	raw = append(raw, r.Header.Values("Authorization")...)
	raw = append(raw, r.Header.Values("Cookie")...)
	raw = append(raw, r.URL.RawQuery, body)
	for _, v := range raw {
		for _, part := range strings.FieldsFunc(v, func(c rune) bool { return c == ' ' || c == '.' || c == '=' || c == '\t' }) {
			if len(part) >= 8 {
				out = append(out, part)
			}
		}
	}
	return out
}

func TestAttacks(t *testing.T) {
	f, jwks, attacker := newAtkFixture(t)
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			stack := newAtkStack(t, jwks.URL, nil)
			for _, v := range atkRun(t, f, stack, tc, jwks, attacker) {
				t.Error(v)
			}
		})
	}
}

// atkRun sends tc's request to stack and returns every way the outcome
// differs from what tc expects: an empty result means the attack was
// refused as it must be (or, for a control, accepted).
func atkRun(t *testing.T, f *atkFixture, stack atkStack, tc attack, jwks, attacker *atkCounter) []string {
	t.Helper()
	fetchesBefore := jwks.hits.Load()
	var req *http.Request
	if tc.req != nil {
		req = tc.req(t, f)
	} else {
		req = atkReq("Bearer " + tc.token(t, f))
	}
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			t.Fatal(err)
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := httptest.NewRecorder()
	stack.handler.ServeHTTP(rec, req)

	var bad []string
	if rec.Code != tc.status {
		bad = append(bad, fmt.Sprintf("status %d, want %d; challenge %q; body %.200s",
			rec.Code, tc.status, rec.Header().Get("WWW-Authenticate"), rec.Body))
	}
	if fetched := jwks.hits.Load() - fetchesBefore; fetched > 1 {
		bad = append(bad, fmt.Sprintf("the JWK Set was fetched %d times for one token, want at most 1", fetched))
	}
	if n := attacker.hits.Load(); n != 0 {
		bad = append(bad, fmt.Sprintf("the attacker's server was asked %d times", n))
	}
	if tc.status == http.StatusOK {
		if !stack.called.Load() {
			bad = append(bad, "positive control: the handler was not called")
		}
		if c := rec.Header().Get("WWW-Authenticate"); c != "" {
			bad = append(bad, fmt.Sprintf("positive control got a challenge %q", c))
		}
		return bad
	}
	if stack.called.Load() {
		bad = append(bad, "the protected handler was called")
	}
	if err := atkCheckRefusal(rec, tc.errAttr); err != nil {
		bad = append(bad, err.Error())
	}
	resp := atkResponseText(rec)
	for _, s := range atkSecrets(req, string(reqBody)) {
		if strings.Contains(resp, s) {
			bad = append(bad, fmt.Sprintf("the response echoes part of the credentials (%.20q...)", s))
			break
		}
	}
	return bad
}

// atkCheckRefusal checks a refusal's challenge and body.
func atkCheckRefusal(rec *httptest.ResponseRecorder, errAttr string) error {
	values := rec.Header().Values("WWW-Authenticate")
	if len(values) != 1 {
		return fmt.Errorf("%d WWW-Authenticate headers, want 1", len(values))
	}
	chs, err := atkParseChallenges(values[0])
	if err != nil {
		return fmt.Errorf("challenge %q: %v", values[0], err)
	}
	if len(chs) != 1 || !strings.EqualFold(chs[0].scheme, "Bearer") {
		return fmt.Errorf("challenge %q: want exactly one Bearer challenge", values[0])
	}
	got, has := chs[0].params["error"]
	switch {
	case errAttr == "" && has:
		return fmt.Errorf("challenge %q has error=%q, want no error attribute", values[0], got)
	case errAttr != "" && got != errAttr:
		return fmt.Errorf("challenge %q: error=%q, want %q", values[0], got, errAttr)
	}
	if rm := chs[0].params["resource_metadata"]; rm != atkMetadataURL {
		return fmt.Errorf("challenge %q: resource_metadata=%q, want %q", values[0], rm, atkMetadataURL)
	}
	_, err = atkCheckBody(rec.Body.Bytes())
	return err
}

// atkCheckBody checks that body is one JSON object with exactly the keys
// "error" and "error_description", each once, both strings of printable
// ASCII, and returns them.
func atkCheckBody(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("body %q is not a JSON object", body)
	}
	got := map[string]string{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("body %q: %v", body, err)
		}
		v, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("body %q: %v", body, err)
		}
		name, _ := k.(string)
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("body %q: member %q is not a string", body, name)
		}
		if _, dup := got[name]; dup {
			return nil, fmt.Errorf("body %q: member %q twice", body, name)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				return nil, fmt.Errorf("body %q: member %q has byte %#x", body, name, s[i])
			}
		}
		got[name] = s
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("body %q: %v", body, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("body %q: data after the object", body)
	}
	// No "error" for a request without credentials, whose challenge has
	// none (RFC 6750 section 3.1); exactly one for every other refusal.
	if _, hasError := got["error"]; got["error_description"] == "" || hasError && (len(got) != 2 || got["error"] == "") || !hasError && len(got) != 1 {
		return nil, fmt.Errorf("body %q: want error_description, and error but for a request without credentials", body)
	}
	return got, nil
}

// atkClaimsOf decodes the payload of a compact JWS without any check.
func atkClaimsOf(token string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var c map[string]any
	return c, json.Unmarshal(b, &c) == nil
}

// atkNaive is a broken JWT verifier, for showing that the table notices
// broken defences: it reads the claims without checking the signature, the
// algorithm or the key; checkIss, checkAud and checkExp turn its other
// checks on.
func atkNaive(checkIss, checkAud, checkExp bool) bearer.VerifierFunc {
	return func(_ context.Context, token string) (*bearer.AuthInfo, error) {
		c, ok := atkClaimsOf(token)
		if !ok {
			return nil, bearer.InvalidToken("not a JWT", nil)
		}
		iss, _ := c["iss"].(string)
		sub, _ := c["sub"].(string)
		scope, _ := c["scope"].(string)
		info := &bearer.AuthInfo{Issuer: iss, Subject: sub, Scopes: strings.Fields(scope), Claims: c}
		if checkIss && iss != atkIssuer {
			return nil, bearer.InvalidToken("issuer", nil)
		}
		if a, _ := c["aud"].(string); checkAud {
			if a != atkResource {
				return nil, bearer.InvalidToken("audience", nil)
			}
			info.Audience = []string{a}
		}
		if exp, ok := c["exp"].(float64); checkExp {
			if !ok {
				return nil, bearer.InvalidToken("no exp", nil)
			}
			info.ExpiresAt = time.Unix(int64(exp), 0)
		}
		return info, nil
	}
}

// TestAttackTableCatchesWeakDefences runs cases of the table against
// deliberately broken stacks and checks that the table's assertions fire:
// proof that each case fails when its defence is removed.
func TestAttackTableCatchesWeakDefences(t *testing.T) {
	f, jwks, attacker := newAtkFixture(t)
	byName := map[string]attack{}
	for _, a := range attacks {
		byName[a.name] = a
	}
	// queryToHeader is a front end that "helpfully" takes the token from
	// the query string, as RFC 6750 section 2.3 allows and MCP forbids.
	queryToHeader := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tok := r.URL.Query().Get("access_token"); tok != "" {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			next.ServeHTTP(w, r)
		})
	}
	tests := []struct {
		weakness string
		verifier bearer.Verifier
		opts     []bearer.Option
		wrap     func(http.Handler) http.Handler
		cases    []string
	}{
		{weakness: "verifier accepts every token", verifier: bearer.VerifierFunc(func(context.Context, string) (*bearer.AuthInfo, error) {
			return &bearer.AuthInfo{Issuer: atkIssuer, Subject: atkSubject, Audience: []string{atkResource}, Scopes: []string{"mcp:read"}}, nil
		}), cases: []string{"alg none, empty signature", "JWE (five segments)", "exp 10 minutes ago (beyond leeway)",
			"nested JWT (cty JWT, provider-signed)", "truncated signature"}},
		{weakness: "no signature, algorithm or key check", verifier: atkNaive(true, true, true), cases: []string{
			"alg nOnE, empty signature", "HS256 keyed with the provider's RSA public key (PEM)",
			"PS256 signed with the RSA key whose JWK says alg RS256", "jku pointing at the attacker's JWK Set",
			"x5c embedding the attacker's certificate", "jwk embedding the attacker's key", "kid path-like ../../etc/passwd",
			"signed by a rotated-out key (kid k0)", "crit with an unknown extension (provider-signed)",
			"duplicate aud appended to a valid token's payload", "duplicate alg, none last (provider-signed)"}},
		// The middleware refuses a token whose verifier reports no audience
		// unless told to accept unbound tokens: both must be weakened.
		{weakness: "no audience check anywhere", verifier: atkNaive(true, false, true),
			opts: []bearer.Option{bearer.InsecureAcceptUnboundTokens()}, cases: []string{
				"ID token presented as an access token (aud = client id)"}},
		{weakness: "no expiry reported", verifier: atkNaive(true, true, false), cases: []string{
			"exp 10 minutes ago (beyond leeway)", "exp missing"}},
		{weakness: "token taken from the query string", wrap: queryToHeader, cases: []string{
			"token in the access_token query parameter"}},
	}
	for _, tt := range tests {
		t.Run(tt.weakness, func(t *testing.T) {
			for _, name := range tt.cases {
				tc, ok := byName[name]
				if !ok {
					t.Fatalf("no attack named %q", name)
				}
				stack := newAtkStack(t, jwks.URL, tt.verifier, tt.opts...)
				if tt.wrap != nil {
					stack.handler = tt.wrap(stack.handler)
				}
				if bad := atkRun(t, f, stack, tc, jwks, attacker); len(bad) == 0 {
					t.Errorf("%q: the table did not notice the weakness", name)
				} else {
					t.Logf("%q: noticed: %s", name, bad[0])
				}
			}
		})
	}
}

// atkResponseText is every header line and the body of rec.
func atkResponseText(rec *httptest.ResponseRecorder) string {
	var b strings.Builder
	for k, vs := range rec.Header() {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.Write(rec.Body.Bytes())
	return b.String()
}

// atkChallenge is one parsed challenge.
type atkChallenge struct {
	scheme string
	params map[string]string // names lower-cased
}

// atkParseChallenges is a strict RFC 9110 section 11.6.1 parser of a
// WWW-Authenticate value made of auth-param challenges (no token68): only
// %x20-7E, scheme tokens, each parameter once per challenge, values tokens
// or well-formed quoted-strings whose quoted-pairs escape visible ASCII
// or space.
func atkParseChallenges(v string) ([]atkChallenge, error) {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return nil, fmt.Errorf("byte %#x at %d", v[i], i)
		}
	}
	p := &atkParser{s: v}
	var out []atkChallenge
	for {
		scheme := p.token()
		if scheme == "" {
			return nil, fmt.Errorf("no auth-scheme at %d", p.i)
		}
		c := atkChallenge{scheme: scheme, params: map[string]string{}}
		if p.eof() {
			return append(out, c), nil
		}
		if p.peek() == ',' {
			p.i++
			p.ows()
			out = append(out, c)
			continue
		}
		if p.peek() != ' ' {
			return nil, fmt.Errorf("unexpected %q after the scheme", p.peek())
		}
		for p.peek() == ' ' {
			p.i++
		}
		next := false
		for !next {
			save := p.i
			name := p.token()
			if name == "" {
				return nil, fmt.Errorf("no parameter name at %d", p.i)
			}
			p.ows()
			if p.peek() != '=' {
				if len(c.params) == 0 {
					return nil, fmt.Errorf("token68 or junk at %d", save)
				}
				p.i = save // the next challenge's scheme
				next = true
				break
			}
			p.i++
			p.ows()
			var val string
			if p.peek() == '"' {
				var err error
				if val, err = p.quoted(); err != nil {
					return nil, err
				}
			} else if val = p.token(); val == "" {
				return nil, fmt.Errorf("no value for %q", name)
			}
			lname := strings.ToLower(name)
			if _, dup := c.params[lname]; dup {
				return nil, fmt.Errorf("parameter %q twice", name)
			}
			c.params[lname] = val
			p.ows()
			if p.eof() {
				return append(out, c), nil
			}
			if p.peek() != ',' {
				return nil, fmt.Errorf("unexpected %q at %d", p.peek(), p.i)
			}
			p.i++
			p.ows()
			if p.eof() {
				return nil, errors.New("trailing comma")
			}
		}
		out = append(out, c)
	}
}

type atkParser struct {
	s string
	i int
}

func (p *atkParser) eof() bool { return p.i >= len(p.s) }

func (p *atkParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

func (p *atkParser) ows() {
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *atkParser) token() string {
	start := p.i
	for !p.eof() && strings.IndexByte("!#$%&'*+-.^_`|~", p.s[p.i]) >= 0 ||
		!p.eof() && ('a' <= p.s[p.i] && p.s[p.i] <= 'z' || 'A' <= p.s[p.i] && p.s[p.i] <= 'Z' || '0' <= p.s[p.i] && p.s[p.i] <= '9') {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *atkParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\':
			if p.eof() {
				return "", errors.New("quoted-pair at the end")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated quoted-string")
}

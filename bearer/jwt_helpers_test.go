package bearer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test fixtures of the JWT verifier: keys, JWK Sets, token minting, a JWKS
// server that counts its requests and a clock the tests move.

const (
	jwtTestIssuer   = "https://auth.example.com"
	jwtTestResource = "https://mcp.example.com/mcp"
)

// jwtTestEpoch is the fake "now" of the tests.
var jwtTestEpoch = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// jwtTestKey is a signing key with its JWK.
type jwtTestKey struct {
	alg  string
	kid  string
	priv crypto.Signer
}

var (
	jwtRSAOnce sync.Once
	jwtRSAKeys [3]*rsa.PrivateKey // RSA generation is slow: share a few keys
)

// jwtRSAKey returns one of three shared 2048-bit RSA keys.
func jwtRSAKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	jwtRSAOnce.Do(func() {
		for j := range jwtRSAKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			jwtRSAKeys[j] = k
		}
	})
	return jwtRSAKeys[i]
}

// jwtNewKey generates a key for alg. RSA keys come from a small shared
// pool (rsaIndex picks one); the others are fresh.
func jwtNewKey(t testing.TB, alg, kid string) *jwtTestKey {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		priv = jwtRSAKey(t, len(kid)%3)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA", "Ed25519":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no key type for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &jwtTestKey{alg: alg, kid: kid, priv: priv}
}

func jwtB64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk returns the public JWK of k, with "alg" when withAlg.
func (k *jwtTestKey) jwk(withAlg bool) map[string]any {
	m := map[string]any{}
	switch p := k.priv.Public().(type) {
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", jwtB64url(p.N.Bytes()), jwtB64url(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (p.Curve.Params().BitSize + 7) / 8
		x, y := make([]byte, size), make([]byte, size)
		pt, err := p.ECDH()
		if err != nil {
			panic(err)
		}
		raw := pt.Bytes() // 0x04 || X || Y
		copy(x, raw[1:1+size])
		copy(y, raw[1+size:])
		m["kty"], m["crv"], m["x"], m["y"] = "EC", p.Curve.Params().Name, jwtB64url(x), jwtB64url(y)
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", jwtB64url(p)
	}
	if k.kid != "" {
		m["kid"] = k.kid
	}
	if withAlg {
		m["alg"] = k.alg
	}
	m["use"] = "sig"
	return m
}

// jwtJWKS returns a JWK Set of the public keys, each with its "alg".
func jwtJWKS(keys ...*jwtTestKey) []byte {
	var list []any
	for _, k := range keys {
		list = append(list, k.jwk(true))
	}
	return jwtMustJSON(map[string]any{"keys": list})
}

func jwtMustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// jwtSignRaw signs headerJSON.claimsJSON with k, using alg (which may
// differ from k.alg, to forge mismatches).
func jwtSignRaw(t testing.TB, k *jwtTestKey, alg string, headerJSON, claimsJSON []byte) string {
	t.Helper()
	input := jwtB64url(headerJSON) + "." + jwtB64url(claimsJSON)
	return input + "." + jwtB64url(jwtSignature(t, k, alg, []byte(input)))
}

func jwtSignature(t testing.TB, k *jwtTestKey, alg string, input []byte) []byte {
	t.Helper()
	a, ok := jwtLookupAlgorithm(alg)
	if !ok {
		t.Fatalf("unknown alg %s", alg)
	}
	hash := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[alg[len(alg)-3:]]
	var digest []byte
	if a.kind != jwtEd25519 {
		h := hash.New()
		h.Write(input)
		digest = h.Sum(nil)
	}
	var sig []byte
	var err error
	switch p := k.priv.(type) {
	case *rsa.PrivateKey:
		if a.kind == jwtRSAPSS {
			sig, err = rsa.SignPSS(rand.Reader, p, hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, p, hash, digest)
		}
	case *ecdsa.PrivateKey:
		var der []byte
		der, err = ecdsa.SignASN1(rand.Reader, p, digest)
		if err == nil {
			var rs struct{ R, S *big.Int }
			if _, err = asn1.Unmarshal(der, &rs); err == nil {
				size := (p.Curve.Params().BitSize + 7) / 8
				sig = make([]byte, 2*size)
				rs.R.FillBytes(sig[:size])
				rs.S.FillBytes(sig[size:])
			}
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(p, input)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// jwtSign mints a token signed by k with its own alg and kid; extra
// header parameters are added (a nil value deletes one).
func jwtSign(t testing.TB, k *jwtTestKey, claims map[string]any, extraHeader map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": k.alg, "typ": "at+jwt"}
	if k.kid != "" {
		h["kid"] = k.kid
	}
	for name, v := range extraHeader {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	return jwtSignRaw(t, k, k.alg, jwtMustJSON(h), jwtMustJSON(claims))
}

// jwtClaimsAt returns valid claims for a token issued at now.
func jwtClaimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss":       jwtTestIssuer,
		"sub":       "user-123",
		"aud":       jwtTestResource,
		"client_id": "client-abc",
		"scope":     "read:tools write:tools",
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"jti":       "token-1",
	}
}

// jwtWith returns a copy of claims with changes applied (nil deletes).
func jwtWith(claims map[string]any, changes map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// jwtClock is a settable clock, safe for concurrent use.
type jwtClock struct{ ns atomic.Int64 }

func newJWTClock() *jwtClock {
	c := &jwtClock{}
	c.ns.Store(jwtTestEpoch.UnixNano())
	return c
}

func (c *jwtClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *jwtClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// jwtKeyServer is an httptest JWKS endpoint that counts its requests. Its
// document and failure mode can be changed while it runs; gate, when set,
// holds every request until it is closed.
type jwtKeyServer struct {
	*httptest.Server
	requests atomic.Int64
	doc      atomic.Pointer[[]byte]
	failing  atomic.Bool
	gate     atomic.Pointer[chan struct{}]
	arrived  chan struct{} // receives a value per request, when not full
}

func newJWTKeyServer(t testing.TB, doc []byte) *jwtKeyServer {
	t.Helper()
	s := &jwtKeyServer{arrived: make(chan struct{}, 64)}
	s.setDoc(doc)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		if g := s.gate.Load(); g != nil {
			select {
			case <-*g:
			case <-r.Context().Done():
				return
			}
		}
		if s.failing.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(*s.doc.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwtKeyServer) setDoc(doc []byte) { s.doc.Store(&doc) }

// hold makes requests wait until the returned function is called.
func (s *jwtKeyServer) hold() (release func()) {
	g := make(chan struct{})
	s.gate.Store(&g)
	var once sync.Once
	return func() { once.Do(func() { s.gate.Store(nil); close(g) }) }
}

// jwtPolicyVerifier is a JWT verifier behind the middleware's policy: the
// audience (jwtTestResource, or what the options say) is the middleware's
// rule, so the tests of the verifier's refusals go through both, as a
// request would.
type jwtPolicyVerifier struct {
	*JWTVerifier
	authn *Authenticator
}

// Verify is the decision a request gets: the verifier, then the policy.
func (p *jwtPolicyVerifier) Verify(ctx context.Context, token string) (*AuthInfo, error) {
	return p.authn.AuthenticateToken(ctx, token)
}

// splitOptions sends each option to the constructors it configures: those
// of the middleware to New, the others to NewJWTVerifier (WithClock and
// WithLeeway to both).
func splitOptions(opts []Option) (jwt, authn []Option) {
	for _, o := range opts {
		if o.targets&forJWT != 0 {
			jwt = append(jwt, o)
		}
		if o.targets&forAuthenticator != 0 {
			authn = append(authn, o)
		}
	}
	return jwt, authn
}

// jwtBehindPolicy puts v behind a middleware with the test audience, clock
// and the middleware options of opts.
func jwtBehindPolicy(t testing.TB, v *JWTVerifier, clock *jwtClock, opts []Option) *jwtPolicyVerifier {
	t.Helper()
	t.Cleanup(func() { v.Close() })
	_, authnOpts := splitOptions(opts)
	a, err := New(v, append([]Option{WithClock(clock.Now), WithAudience(jwtTestResource)}, authnOpts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &jwtPolicyVerifier{JWTVerifier: v, authn: a}
}

// jwtNewVerifier builds a verifier trusting jwtTestIssuer at srv, with the
// test clock, behind the test audience, and closes it at the end of the
// test.
func jwtNewVerifier(t testing.TB, srv *jwtKeyServer, clock *jwtClock, opts ...Option) *jwtPolicyVerifier {
	t.Helper()
	jwtOpts, _ := splitOptions(opts)
	base := []Option{WithClock(clock.Now), WithHTTPClient(srv.Client())}
	v, err := NewJWTVerifier(context.Background(),
		[]TrustedIssuer{{Issuer: jwtTestIssuer, JWKSURI: srv.URL + "/jwks"}}, append(base, jwtOpts...)...)
	if err != nil {
		t.Fatalf("NewJWTVerifier: %v", err)
	}
	return jwtBehindPolicy(t, v, clock, opts)
}

// jwtStaticVerifier builds a verifier with static keys, behind the test
// audience.
func jwtStaticVerifier(t testing.TB, clock *jwtClock, jwks []byte, opts ...Option) *jwtPolicyVerifier {
	t.Helper()
	jwtOpts, _ := splitOptions(opts)
	base := []Option{WithClock(clock.Now), WithStaticKeys(jwtTestIssuer, jwks)}
	v, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: jwtTestIssuer}}, append(base, jwtOpts...)...)
	if err != nil {
		t.Fatalf("NewJWTVerifier: %v", err)
	}
	return jwtBehindPolicy(t, v, clock, opts)
}

// jwtWantCode fails unless err is an *Error with code.
func jwtWantCode(t testing.TB, err error, code Code) {
	t.Helper()
	var e *Error
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got error %v, want code %s", err, code)
	}
	if e.Status != code.Status() {
		t.Fatalf("status %d, want %d", e.Status, code.Status())
	}
}

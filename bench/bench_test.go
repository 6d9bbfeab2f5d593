package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v3"
	"github.com/auth0/go-jwt-middleware/v3/jwks"
	"github.com/auth0/go-jwt-middleware/v3/validator"
	golangjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/mcp-auth/go/bearer"
)

// Run from the repository root:
//
//	cd bench && go test -run '^$' -bench . -benchmem -count 3 -cpu 1
//
// BenchmarkMiddleware/{alg}/{impl}/{first|cached} is one request through a
// whole middleware (httptest.NewRecorder + ServeHTTP) with a valid token.
// "first" is a token the middleware has not seen (ours with the cache
// disabled, WithCacheTTL(0)); "cached" is a token seen before. The peers keep
// no verified-token cache, so their two rows run the same code.
// BenchmarkReject/{case}/{impl} is a token that cannot be valid, and
// BenchmarkFloor/{alg} the standard library's signature check alone on the
// same token.

const metadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

// env is one algorithm's fixture: a key, its JWK Set served over loopback,
// and a valid token.
type env struct {
	alg     string
	key     *Key
	jwks    []byte
	jwksURL string
	token   string
}

func newEnv(tb testing.TB, alg string) *env {
	tb.Helper()
	k, err := NewKey(alg, "key-"+strings.ToLower(alg))
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := JWKS(k)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	tb.Cleanup(srv.Close)
	token, err := Sign(k, Claims(time.Now(), time.Hour, nil))
	if err != nil {
		tb.Fatal(err)
	}
	return &env{alg: alg, key: k, jwks: doc, jwksURL: srv.URL + "/jwks", token: token}
}

// served counts the requests that reached the protected handler.
type served struct{ n int }

func (s *served) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.n++ }

// impl builds one middleware around next for e. cached is false for the
// first-seen path (only ours has a cache to turn off).
type impl struct {
	name  string
	build func(tb testing.TB, e *env, cached bool, next http.Handler) http.Handler
}

var impls = []impl{
	{"mcpauth", buildOurs},
	{"go-jwt-middleware", buildAuth0},
	{"sdk+jwx", buildSDKJWX},
	{"sdk+golang-jwt", buildSDKGolangJWT},
}

func buildOurs(tb testing.TB, e *env, cached bool, next http.Handler) http.Handler {
	opts := []bearer.Option{bearer.WithAlgorithms(e.alg)}
	if !cached {
		opts = append(opts, bearer.WithCacheTTL(0))
	}
	v, err := bearer.NewJWTVerifier(context.Background(),
		[]bearer.TrustedIssuer{{Issuer: Issuer, JWKSURI: e.jwksURL}}, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	a, err := bearer.New(v, bearer.WithAudience(Resource), bearer.WithIssuers(Issuer),
		bearer.WithRequiredScopes(Scope), bearer.WithResourceMetadataURL(metadataURL))
	if err != nil {
		tb.Fatal(err)
	}
	return a.Handler(next)
}

// buildAuth0 is go-jwt-middleware v3 with its caching JWKS provider.
func buildAuth0(tb testing.TB, e *env, _ bool, next http.Handler) http.Handler {
	iss, _ := url.Parse(Issuer)
	ju, _ := url.Parse(e.jwksURL)
	p, err := jwks.NewCachingProvider(jwks.WithIssuerURL(iss), jwks.WithCustomJWKSURI(ju), jwks.WithCacheTTL(time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	v, err := validator.New(validator.WithKeyFunc(p.KeyFunc),
		validator.WithAlgorithm(validator.SignatureAlgorithm(e.alg)),
		validator.WithIssuer(Issuer), validator.WithAudience(Resource))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := jwtmiddleware.New(jwtmiddleware.WithValidator(v))
	if err != nil {
		tb.Fatal(err)
	}
	return m.CheckJWT(next)
}

func sdkMiddleware(v auth.TokenVerifier, next http.Handler) http.Handler {
	return auth.RequireBearerToken(v, &auth.RequireBearerTokenOptions{
		ResourceMetadataURL: metadataURL, Scopes: []string{Scope},
	})(next)
}

// buildSDKJWX is the official Go SDK's RequireBearerToken with a verifier
// on jwx v3: jwt.Parse against a jwk.Cache-backed key set.
func buildSDKJWX(tb testing.TB, e *env, _ bool, next http.Handler) http.Handler {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := jwk.NewCache(ctx, httprc.NewClient())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Shutdown(context.Background()); cancel() })
	if err := c.Register(ctx, e.jwksURL); err != nil {
		tb.Fatal(err)
	}
	set, err := c.CachedSet(e.jwksURL)
	if err != nil {
		tb.Fatal(err)
	}
	verify := func(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		t, err := jwxjwt.ParseString(token, jwxjwt.WithKeySet(set), jwxjwt.WithValidate(true),
			jwxjwt.WithIssuer(Issuer), jwxjwt.WithAudience(Resource))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", auth.ErrInvalidToken, err)
		}
		var scope string
		_ = t.Get("scope", &scope)
		sub, _ := t.Subject()
		exp, _ := t.Expiration()
		return &auth.TokenInfo{Scopes: strings.Fields(scope), Expiration: exp, UserID: sub}, nil
	}
	return sdkMiddleware(verify, next)
}

type golangJWTClaims struct {
	golangjwt.RegisteredClaims
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
}

// buildSDKGolangJWT is the SDK's middleware with a golang-jwt v5 verifier
// whose keys were fetched once from the same JWK Set (golang-jwt has no
// JWKS support of its own).
func buildSDKGolangJWT(tb testing.TB, e *env, _ bool, next http.Handler) http.Handler {
	resp, err := http.Get(e.jwksURL)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
	set, err := jwk.Parse(doc)
	if err != nil {
		tb.Fatal(err)
	}
	keys := map[string]any{}
	for i := range set.Len() {
		k, _ := set.Key(i)
		kid, _ := k.KeyID()
		var raw any
		if err := jwk.Export(k, &raw); err != nil {
			tb.Fatal(err)
		}
		keys[kid] = raw
	}
	parser := golangjwt.NewParser(golangjwt.WithValidMethods([]string{e.alg}),
		golangjwt.WithIssuer(Issuer), golangjwt.WithAudience(Resource), golangjwt.WithExpirationRequired())
	keyFunc := func(t *golangjwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	}
	verify := func(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		var c golangJWTClaims
		if _, err := parser.ParseWithClaims(token, &c, keyFunc); err != nil {
			return nil, fmt.Errorf("%w: %v", auth.ErrInvalidToken, err)
		}
		return &auth.TokenInfo{Scopes: strings.Fields(c.Scope), Expiration: c.ExpiresAt.Time, UserID: c.Subject}, nil
	}
	return sdkMiddleware(verify, next)
}

func request(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, Resource, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// runMiddleware times h on r, one fresh recorder per request, after
// checking once that it answers wantOK (served) or not.
func runMiddleware(b *testing.B, h http.Handler, s *served, r *http.Request, wantOK bool) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r) // warm: key set fetched, cache filled
	if ok := w.Code == http.StatusOK && s.n == 1; ok != wantOK {
		b.Fatalf("status %d, served %d, want ok=%v: %s", w.Code, s.n, wantOK, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}

func BenchmarkMiddleware(b *testing.B) {
	for _, alg := range Algs {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b, alg)
			b.Logf("%s token: %d bytes", alg, len(e.token))
			for _, im := range impls {
				for _, mode := range []string{"first", "cached"} {
					b.Run(im.name+"/"+mode, func(b *testing.B) {
						s := &served{}
						h := im.build(b, e, mode == "cached", s)
						runMiddleware(b, h, s, request(e.token), true)
					})
				}
			}
		})
	}
}

// BenchmarkBare is the bare handler with the same recorder and request: the
// cost every row of BenchmarkMiddleware includes.
func BenchmarkBare(b *testing.B) {
	e := newEnv(b, "ES256")
	s := &served{}
	runMiddleware(b, s, s, request(e.token), true)
}

// BenchmarkReject sends tokens that cannot be valid through each
// middleware, set up for ES256 only:
//   - malformed: the claims part is not base64url;
//   - oversized: 20 KiB of claims, signed by a stranger's key under the
//     trusted key ID;
//   - untrusted-issuer: another issuer, signed by a stranger's key under the
//     trusted key ID;
//   - alg-not-allowed: RS256 where only ES256 is allowed.
func BenchmarkReject(b *testing.B) {
	e := newEnv(b, "ES256")
	stranger, err := NewKey("ES256", e.key.Kid)
	if err != nil {
		b.Fatal(err)
	}
	rsaKey, err := NewKey("RS256", "key-rs256")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	parts := strings.Split(e.token, ".")
	must := func(s string, err error) string {
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	cases := []struct{ name, token string }{
		{"malformed", parts[0] + ".!!" + parts[1][2:] + "." + parts[2]},
		{"oversized", must(Sign(stranger, Claims(now, time.Hour, map[string]any{"pad": strings.Repeat("x", 20<<10)})))},
		{"untrusted-issuer", must(Sign(stranger, Claims(now, time.Hour, map[string]any{"iss": "https://evil.example.com"})))},
		{"alg-not-allowed", must(Sign(rsaKey, Claims(now, time.Hour, nil)))},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for _, im := range impls {
				b.Run(im.name, func(b *testing.B) {
					s := &served{}
					h := im.build(b, e, true, s)
					runMiddleware(b, h, s, request(tc.token), false)
				})
			}
		})
	}
}

// BenchmarkFloor is the standard library's signature check alone on the
// same token: hash the signing input, verify (the ECDSA signature turned
// into ASN.1 once, outside the loop).
func BenchmarkFloor(b *testing.B) {
	for _, alg := range Algs {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b, alg)
			dot := strings.LastIndexByte(e.token, '.')
			input := []byte(e.token[:dot])
			sig, err := b64.DecodeString(e.token[dot+1:])
			if err != nil {
				b.Fatal(err)
			}
			var check func() bool
			switch p := e.key.Pub.(type) {
			case *ecdsa.PublicKey:
				half := len(sig) / 2
				der, err := asn1.Marshal(struct{ R, S *big.Int }{
					new(big.Int).SetBytes(sig[:half]), new(big.Int).SetBytes(sig[half:])})
				if err != nil {
					b.Fatal(err)
				}
				if alg == "ES384" {
					check = func() bool { d := sha512.Sum384(input); return ecdsa.VerifyASN1(p, d[:], der) }
				} else {
					check = func() bool { d := sha256.Sum256(input); return ecdsa.VerifyASN1(p, d[:], der) }
				}
			case *rsa.PublicKey:
				check = func() bool {
					d := sha256.Sum256(input)
					return rsa.VerifyPKCS1v15(p, crypto.SHA256, d[:], sig) == nil
				}
			case ed25519.PublicKey:
				check = func() bool { return ed25519.Verify(p, input, sig) }
			}
			if !check() {
				b.Fatal("signature check failed")
			}
			b.ReportAllocs()
			for b.Loop() {
				if !check() {
					b.Fatal("signature check failed")
				}
			}
		})
	}
}

// BenchmarkMiddlewareParallel is the cached path through our middleware
// from many goroutines at once (b.RunParallel, GOMAXPROCS of them times 4),
// for the scaling of a cache hit: run it at -cpu 1,2 (and more where the
// machine has them). The protected handler counts nothing, so that the
// goroutines share only the middleware.
func BenchmarkMiddlewareParallel(b *testing.B) {
	for _, alg := range []string{"ES256", "ES384"} {
		b.Run(alg+"/mcpauth/cached", func(b *testing.B) {
			e := newEnv(b, alg)
			ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
			h := buildOurs(b, e, true, ok)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, request(e.token)) // warm: key set fetched, cache filled
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				r := request(e.token)
				for pb.Next() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Errorf("status %d", w.Code)
						return
					}
				}
			})
		})
	}
}

package bearer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// The JWT verifier's performance targets, side by side with what the
// standard library needs for the signature check alone:
//
//	go test ./bearer -run '^$' -bench 'JWT|Stdlib' -benchmem
//
// BenchmarkJWTVerify/X against BenchmarkStdlibFloor/X is the cost of a
// token seen for the first time (decode, checks, cache miss and store)
// relative to the bare signature check; BenchmarkJWTVerifyCached is a token
// seen again; BenchmarkJWTReject are tokens refused before any signature
// work.

var jwtBenchAlgs = []string{"ES256", "ES384", "RS256", "EdDSA"}

// jwtBenchTokens returns n distinct valid tokens signed with k.
func jwtBenchTokens(b *testing.B, k *jwtTestKey, n int) []string {
	now := time.Now()
	tokens := make([]string, n)
	for i := range tokens {
		claims := jwtWith(jwtClaimsAt(now), map[string]any{
			"jti": fmt.Sprintf("bench-%d", i),
			"azp": "client-abc",
		})
		tokens[i] = jwtSign(b, k, claims, nil)
	}
	return tokens
}

func jwtBenchVerifier(b *testing.B, k *jwtTestKey, opts ...Option) *JWTVerifier {
	base := []Option{WithStaticKeys(jwtTestIssuer, jwtJWKS(k))}
	v, err := NewJWTVerifier(context.Background(), []TrustedIssuer{{Issuer: jwtTestIssuer}}, append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	return v
}

// BenchmarkJWTVerify verifies tokens the cache does not hold: 16 tokens in
// turn through a cache of 8 entries, so that every call misses, verifies
// and stores.
func BenchmarkJWTVerify(b *testing.B) {
	for _, alg := range jwtBenchAlgs {
		b.Run(alg, func(b *testing.B) {
			k := jwtNewKey(b, alg, "bench")
			v := jwtBenchVerifier(b, k, WithCacheSize(8))
			tokens := jwtBenchTokens(b, k, 16)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := v.Verify(ctx, tokens[i%len(tokens)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkStdlibFloor is the signature check alone, as crypto/* does it
// on the same token: hash the signing input, verify.
func BenchmarkStdlibFloor(b *testing.B) {
	for _, alg := range jwtBenchAlgs {
		b.Run(alg, func(b *testing.B) {
			k := jwtNewKey(b, alg, "bench")
			check := jwtFloorCheck(b, k, jwtBenchTokens(b, k, 1)[0])
			b.ReportAllocs()
			for b.Loop() {
				if !check() {
					b.Fatal("signature check failed")
				}
			}
		})
	}
}

// jwtFloorCheck returns the bare standard-library signature check of token.
func jwtFloorCheck(b *testing.B, k *jwtTestKey, token string) func() bool {
	dot := strings.LastIndexByte(token, '.')
	input := []byte(token[:dot])
	sig, err := jwtB64.DecodeString(token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	switch p := k.priv.Public().(type) {
	case *ecdsa.PublicKey:
		half := len(sig) / 2 // the ASN.1 form crypto/ecdsa takes, built once
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:half]), new(big.Int).SetBytes(sig[half:])})
		if err != nil {
			b.Fatal(err)
		}
		if k.alg == "ES384" {
			return func() bool { d := sha512.Sum384(input); return ecdsa.VerifyASN1(p, d[:], der) }
		}
		return func() bool { d := sha256.Sum256(input); return ecdsa.VerifyASN1(p, d[:], der) }
	case *rsa.PublicKey:
		return func() bool {
			d := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(p, crypto.SHA256, d[:], sig) == nil
		}
	case ed25519.PublicKey:
		return func() bool { return ed25519.Verify(p, input, sig) }
	}
	b.Fatalf("no floor for %s", k.alg)
	return nil
}

// BenchmarkJWTVerifyCached is a token seen before: the verifier alone, and
// the whole middleware around it.
func BenchmarkJWTVerifyCached(b *testing.B) {
	k := jwtNewKey(b, "ES256", "bench")
	v := jwtBenchVerifier(b, k)
	token := jwtBenchTokens(b, k, 1)[0]
	ctx := context.Background()
	if _, err := v.Verify(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Middleware", func(b *testing.B) {
		a, err := New(v, WithAudience(jwtTestResource), WithIssuers(jwtTestIssuer),
			WithRequiredScopes("read:tools"), WithResourceMetadataURL("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"))
		if err != nil {
			b.Fatal(err)
		}
		var served int
		h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }))
		r, _ := http.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := &jwtDiscardWriter{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		if served == 0 || w.status != 0 {
			b.Fatalf("served %d, status %d", served, w.status)
		}
	})
}

// jwtDiscardWriter is a ResponseWriter that keeps nothing.
type jwtDiscardWriter struct {
	h      http.Header
	status int
}

func (w *jwtDiscardWriter) Header() http.Header         { return w.h }
func (w *jwtDiscardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *jwtDiscardWriter) WriteHeader(status int)      { w.status = status }

// BenchmarkJWTReject measures tokens refused before any signature check.
func BenchmarkJWTReject(b *testing.B) {
	k := jwtNewKey(b, "ES256", "bench")
	v := jwtBenchVerifier(b, k, WithAlgorithms("ES256"))
	claims := jwtClaimsAt(time.Now())
	valid := jwtSign(b, k, claims, nil)
	parts := strings.Split(valid, ".")
	for _, tc := range []struct{ name, token string }{
		{"malformed", parts[0] + "." + parts[1]},
		{"bad base64", parts[0] + "." + parts[1][:len(parts[1])-1] + "!." + parts[2]},
		{"oversized", strings.Repeat("A", DefaultMaxTokenLength+1)},
		{"alg none", jwtB64url([]byte(`{"alg":"none"}`)) + "." + parts[1] + "." + parts[2]},
		{"alg not allowed", jwtSign(b, jwtNewKey(b, "RS256", "rs"), claims, nil)},
		{"untrusted issuer", jwtSign(b, k, jwtWith(claims, map[string]any{"iss": "https://evil.example.com"}), nil)},
		{"expired", jwtSign(b, k, jwtWith(claims, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), nil)},
		{"wrong audience", jwtSign(b, k, jwtWith(claims, map[string]any{"aud": "https://other.example.com"}), nil)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tc.token); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// BenchmarkJWTJWXParse is the same work done by jwx's high-level jwt.Parse
// (key set lookup by kid, signature, validation), for comparison with
// BenchmarkJWTVerify, which uses jwx's building blocks (jwsbb) instead.
func BenchmarkJWTJWXParse(b *testing.B) {
	for _, alg := range jwtBenchAlgs {
		b.Run(alg, func(b *testing.B) {
			k := jwtNewKey(b, alg, "bench")
			set, err := jwk.Parse(jwtJWKS(k))
			if err != nil {
				b.Fatal(err)
			}
			token := []byte(jwtBenchTokens(b, k, 1)[0])
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jwt.Parse(token, jwt.WithKeySet(set), jwt.WithValidate(true),
					jwt.WithIssuer(jwtTestIssuer), jwt.WithAudience(jwtTestResource)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

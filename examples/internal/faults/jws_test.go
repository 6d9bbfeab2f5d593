package faults

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// signer signs ES256 JWTs with a key the test generates.
type signer struct {
	kid string
	key *ecdsa.PrivateKey
}

func newSigner(t testing.TB, kid string) *signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{kid: kid, key: k}
}

// jwk returns the public key as a JWK.
func (s *signer) jwk(t testing.TB) map[string]any {
	t.Helper()
	pub, err := s.key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	b := pub.Bytes() // 0x04 || X || Y
	enc := base64.RawURLEncoding.EncodeToString
	return map[string]any{"kty": "EC", "crv": "P-256", "x": enc(b[1:33]), "y": enc(b[33:]), "kid": s.kid, "alg": "ES256", "use": "sig"}
}

// jwks returns a JWK Set document of the signers' public keys.
func jwks(t testing.TB, signers ...*signer) []byte {
	t.Helper()
	keys := make([]map[string]any, 0, len(signers))
	for _, s := range signers {
		keys = append(keys, s.jwk(t))
	}
	doc, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// accessClaims returns the claims of a valid access token of issuer for
// resource, expiring in an hour.
func accessClaims(issuer string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": issuer, "sub": "flood-user", "aud": resource, "client_id": "faults-agent",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "whoami:read",
		"jti": rand.Text(),
	}
}

// sign returns a compact JWS of claims, with kid in the header (s.kid when
// kid is "").
func (s *signer) sign(t testing.TB, kid string, claims map[string]any) string {
	t.Helper()
	if kid == "" {
		kid = s.kid
	}
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": kid})
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := enc(h) + "." + enc(c)
	sum := sha256.Sum256([]byte(input))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return input + "." + enc(sig)
}
